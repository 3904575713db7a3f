"""What every form of the portal does before its own checks."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import (
    DecimalValidator,
    MaxLengthValidator,
    ProhibitNullCharactersValidator,
)
from django.utils.translation import gettext_lazy as _

from common.limits import AmountLimit, NoControlCharacters, PlausibleDate
from common.money import MONEY


class PortalFormMixin:
    """Text has no control characters, typed dates fall in the plausible window, amounts
    keep within the limit per entry (common.limits), a radio that must be answered offers
    no empty "---------" choice, and no field shows two errors. Every form of the portal
    mixes it in first."""

    def __init__(self, *args, currency=None, **kwargs):
        # The currency the form's amounts are in, named in their labels: "Amount (USD)".
        self.currency = currency
        super().__init__(*args, **kwargs)
        self._make_sane()

    def full_clean(self):
        # Again for the fields a form adds after its own __init__ has run this one.
        self._make_sane()
        super().full_clean()

    def _make_sane(self):
        for field in self.fields.values():
            if not getattr(field, "made_sane", False):
                _sane(field)
                if self.currency and _is_money(field) and field.label:
                    field.label = f"{field.label} ({self.currency})"
                field.made_sane = True

    def add_error(self, field, error):
        """One reason per field: a field that already shows one is not told a second
        (an amount that is not a number is not also "missing")."""
        if field is not None and self._errors and field in self._errors:
            return
        super().add_error(field, error)


def _sane(field):
    if isinstance(field, forms.CharField):
        # One check for NUL and every other control character, in place of Django's own
        # for NUL, so that a NUL reads one message.
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        field.validators.append(NoControlCharacters())
        # A length set after the field was made (the sign-in form's email) has no check.
        if field.max_length and not any(
            isinstance(v, MaxLengthValidator) for v in field.validators
        ):
            field.validators.append(MaxLengthValidator(field.max_length))
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        field.validators.append(PlausibleDate())
    elif _is_money(field):
        # The limit replaces the count of digits, so that a long number reads one message.
        field.validators = [
            DecimalValidator(None, field.decimal_places) if _counts_digits(v) else v
            for v in field.validators
        ]
        field.validators.append(AmountLimit())
    radio = isinstance(field, forms.ChoiceField) and isinstance(field.widget, forms.RadioSelect)
    if radio and field.required:
        field.choices = [choice for choice in field.choices if choice[0] != ""]


def _is_money(field):
    return isinstance(field, forms.DecimalField) and field.max_digits == MONEY["max_digits"]


def _counts_digits(validator):
    return isinstance(validator, DecimalValidator)


class ReasonForm(PortalFormMixin, forms.Form):
    """Why a cost or a payment is reversed, or an invoice cancelled: one reason and one
    button, posted to `action` (the page's own address when empty)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, submit_label=None, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(
            Submit("submit", submit_label or _("Reverse"), css_class="btn-danger")
        )
