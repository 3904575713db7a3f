from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Estimate

AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


def _line_field(category):
    return f"line_{category}"


class EstimateForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Estimate
        fields = [
            "fee",
            "target_margin_percent",
            "warn_at_percent",
            "director_approval_past_budget",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        amounts = {line.category: line.amount for line in self.instance.lines.all()}
        for value, label in Category.choices:
            self.fields[_line_field(value)] = forms.DecimalField(
                label=label, required=False, initial=amounts.get(value, Decimal("0")), **AMOUNT
            )
        self.fields["revision"].initial = self.instance.revision
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "revision",
            Fieldset(_("Lines"), *[_line_field(value) for value in Category.values]),
            Fieldset(
                _("Fee and policy"),
                Row(
                    Column("fee", css_class="col-md-6"),
                    Column("target_margin_percent", css_class="col-md-6"),
                ),
                Row(
                    Column("warn_at_percent", css_class="col-md-6"),
                    Column("director_approval_past_budget", css_class="col-md-6"),
                ),
            ),
        )
        self.helper.add_input(Submit("save", _("Save the draft")))

    def lines(self):
        return {
            value: self.cleaned_data.get(_line_field(value)) or Decimal("0")
            for value in Category.values
        }


class ChangeOrderForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    client_approved_on = forms.DateField(
        label=_("Client approved on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty until the client has approved; only approved changes count."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[_line_field(value)] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=14,
                decimal_places=2,
                help_text=_("Negative to take from the line."),
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Record the change order")))

    def deltas(self):
        return {
            value: self.cleaned_data.get(_line_field(value)) or Decimal("0")
            for value in Category.values
        }

    def clean(self):
        data = super().clean()
        if not any(data.get(_line_field(value)) for value in Category.values):
            raise forms.ValidationError(_("A change order changes at least one line."))
        return data
