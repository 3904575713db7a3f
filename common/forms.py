"""What every form of the portal does before its own checks."""

import json

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
    # (Checkboxes are a kind of RadioSelect to Django, and have no empty choice to drop.)
    radio = isinstance(field.widget, forms.RadioSelect) and not isinstance(
        field.widget, forms.CheckboxSelectMultiple
    )
    if radio and field.required and isinstance(field, forms.ModelChoiceField):
        # Its choices are read from its queryset when shown, which the form may set later.
        field.empty_label = None
    elif radio and field.required and isinstance(field, forms.ChoiceField):
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


# Two people editing one row: the form carries, hidden, what it was opened with, so that
# after a stale-edit refusal the retry can start from what is saved now and re-apply only
# what this person changed.

OPENED = "opened"


def opened_field():
    """The hidden field that carries what an edit form was opened with."""
    return forms.CharField(widget=forms.HiddenInput, required=False)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def _plain_each(values: dict) -> dict:
    return {name: _plain(value) for name, value in values.items()}


def edit_values(form) -> dict:
    """What each field of `form` holds as plain text: what it opens with when unbound, what
    was typed when bound."""
    return {
        name: _plain(form[name].value()) for name in form.fields if name not in ("revision", OPENED)
    }


def remember_opened(form, **extra) -> None:
    """Sets the hidden `opened` field to the values the form opens with (and `extra`
    values kept outside the form, such as an invoice's lines)."""
    form.fields[OPENED].initial = json.dumps({**edit_values(form), **_plain_each(extra)})


def _same(field, first, second) -> bool:
    if first == second:
        return True
    if field is None or isinstance(first, list) or isinstance(second, list):
        return False
    try:
        if isinstance(field, forms.ModelChoiceField):
            return str(first) == str(second)
        return field.to_python(first) == field.to_python(second)
    except forms.ValidationError:
        return False


def merge_stale_edit(form, saved, *, mine=None, now=None):
    """After a stale-edit refusal: the data for the form to show again. It starts from what
    is saved now (`saved`, the same form unbound on the row as it is now), re-applies the
    fields this person changed since they opened the form, and moves the form on to the
    saved revision. `mine` and `now` add values kept outside the form, typed and saved.
    Returns the data and the names of the fields both people changed, where what this
    person typed is kept."""
    try:
        opened = json.loads(form.data.get(OPENED) or "{}")
    except ValueError:
        opened = {}
    if not isinstance(opened, dict):
        opened = {}
    typed = {**edit_values(form), **_plain_each(mine or {})}
    current = {**edit_values(saved), **_plain_each(now or {})}
    merged, both = {}, []
    for name, value in current.items():
        field = form.fields.get(name)
        if name in opened and _same(field, typed.get(name), opened[name]):
            merged[name] = value
            continue
        merged[name] = typed.get(name, value)
        theirs_changed = name not in opened or not _same(field, value, opened[name])
        if theirs_changed and not _same(field, typed.get(name), value):
            both.append(name)
    merged["revision"] = saved["revision"].value()
    merged[OPENED] = saved.fields[OPENED].initial
    return merged, both


def show_stale_edit(form, refusal, *, both, saved) -> None:
    """Says on the merged form what happened: above it, that the other person's changes are
    in; next to each field both changed, what they saved there."""
    form.is_valid()
    form.add_error(
        None,
        _(
            "%(refusal)s Their changes are in the form now, with yours on top. Where you "
            "both changed a field, yours is kept and theirs is shown next to it. Check and "
            "save again."
        )
        % {"refusal": refusal},
    )
    for name in both:
        if name not in form.fields:
            continue
        form.add_error(
            name,
            _("%(name)s saved “%(value)s” here.")
            % {"name": refusal.changed_by.full_name, "value": _shown(saved[name])},
        )


def _shown(bound_field) -> str:
    value = bound_field.value()
    field = bound_field.field
    if isinstance(field, forms.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(field, forms.ChoiceField):
        for key, label in field.choices:
            if str(key) == _plain(value):
                return str(label)
    return _plain(value) or "—"


class SignOffForm(PortalFormMixin, forms.Form):
    """A director's decision on what waits for their sign-off: approving asks them to
    confirm what it means (`confirm_label`, `confirm_missing`); returning asks what to
    change (`comments_missing`). Each kind of sign-off names its own words."""

    confirm_label = ""
    confirm_missing = ""
    comments_missing = ""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return with comments"))],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(required=False)
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: what the AE should change."),
    )

    def __init__(self, *args, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = self.confirm_label
        self.helper = FormHelper()
        if action:
            self.helper.form_action = action
        self.helper.add_input(Submit("decide", _("Sign off")))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("confirm"):
            self.add_error("confirm", self.confirm_missing)
        if data.get("decision") == "return" and not data.get("comments", "").strip():
            self.add_error("comments", self.comments_missing)
        return data


def date_filter(label):
    """A day a list is filtered from or to, picked with the browser's date picker."""
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ListFilterForm(PortalFormMixin, forms.Form):
    """A list page's filters and order, read from the URL: a filtered list is a link to
    share, it keeps its filters while paging, and its export holds exactly what it shows.

    A subclass declares its fields, `narrow(queryset, data)` to apply them, and SORTS, the
    orders offered as (value, label, order_by fields), the first being the default. A
    filter that is not valid is left out, with its error beside it; the others still
    apply. DATE_RANGES names the (from, to) pairs of fields that must not cross."""

    SORTS: list = []
    TIEBREAK = ("-pk",)
    DATE_RANGES: list = []
    # The fields given a wider place in the row of filters.
    WIDE = ("q", "client")
    # The most rows a choice offers as a list.
    LONGEST_CHOICE = 100

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.SORTS:
            self.fields["sort"] = forms.ChoiceField(
                label=_("Order"),
                required=False,
                choices=[(value, label) for value, label, _order in self.SORTS],
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def __iter__(self):
        self._offer_choices()
        return super().__iter__()

    def _offer_choices(self):
        """Each choice of a row (a client, an AE) as a list to pick from, in one query; past
        LONGEST_CHOICE rows a list is no help and costs a page of markup, so the choice is
        made from a link (a client page's) and shows as its name, with a link to drop it.
        A field's `label_fields` names the columns its rows' labels read, which are all the
        list needs of them."""
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or hasattr(field, "offered"):
                continue
            rows = field.queryset
            if getattr(field, "label_fields", None):
                # Only the columns its rows are named by: the rest is never shown.
                rows = rows.only(*field.label_fields)
            rows = list(rows[: self.LONGEST_CHOICE + 1])
            field.offered = len(rows) <= self.LONGEST_CHOICE
            if field.offered:
                field.choices = [
                    ("", field.empty_label),
                    *((field.prepare_value(row), field.label_from_instance(row)) for row in rows),
                ]
                continue
            field.widget = forms.HiddenInput()
            chosen = getattr(self, "cleaned_data", {}).get(name)
            field.chosen = field.label_from_instance(chosen) if chosen else ""
            field.without = ""
            if self.is_bound:
                rest = self.data.copy()
                for dropped in (name, "page"):
                    rest.pop(dropped, None)
                field.without = rest.urlencode()

    def clean(self):
        data = super().clean()
        for first_name, last_name in self.DATE_RANGES:
            first, last = data.get(first_name), data.get(last_name)
            if first and last and first > last:
                self.add_error(last_name, _("Choose a day on or after the first one."))
        return data

    def filter(self, queryset):
        """The rows the valid filters keep, in the order chosen."""
        data = dict.fromkeys(self.fields)
        if self.is_bound:
            self.is_valid()
            data |= self.cleaned_data
        queryset = self.narrow(queryset, data)
        orders = {value: order for value, _label, order in self.SORTS}
        order = orders.get(data.get("sort") or "", self.SORTS[0][2] if self.SORTS else ())
        return queryset.order_by(*order, *self.TIEBREAK)

    def narrow(self, queryset, data):
        raise NotImplementedError
