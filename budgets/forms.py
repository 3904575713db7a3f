from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from projects.models import Project
from teams.models import User

from .models import Category, Channel, CollectionNote, CostEntry, Estimate, Payment, SpendPlan

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


class CostEntryForm(forms.ModelForm):
    class Meta:
        model = CostEntry
        fields = [
            "kind",
            "category",
            "incurred_on",
            "vendor",
            "reference",
            "amount",
            "person",
            "hours",
            "channel",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "incurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"amount": _("For a vendor cost; staff time is priced from the hours.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.active()
        self.fields["amount"].required = False
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "kind",
            Row(
                Column("category", css_class="col-md-6"),
                Column("incurred_on", css_class="col-md-6"),
            ),
            Fieldset(
                _("Vendor cost"),
                Row(
                    Column("vendor", css_class="col-md-5"),
                    Column("reference", css_class="col-md-3"),
                    Column("amount", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                _("Staff time"),
                Row(Column("person", css_class="col-md-8"), Column("hours", css_class="col-md-4")),
            ),
            "channel",
        )
        self.helper.add_input(Submit("save", _("Record the cost")))

    def clean_incurred_on(self):
        day = self.cleaned_data["incurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Record a cost once it is incurred."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("kind") == CostEntry.Kind.VENDOR:
            if not data.get("vendor", "").strip():
                self.add_error("vendor", _("Name the vendor."))
            if data.get("amount") is None:
                self.add_error("amount", _("Enter the amount."))
            elif data["amount"] < 0:
                self.add_error("amount", _("A cost cannot be negative."))
        if data.get("kind") == CostEntry.Kind.STAFF_TIME:
            if not data.get("person"):
                self.add_error("person", _("Who spent the time?"))
            if not data.get("hours") or data["hours"] <= 0:
                self.add_error("hours", _("Enter the hours, more than zero."))
        return data

    def _post_clean(self):
        # The service prices staff time and checks the rest; the model is not built here.
        pass


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["paid_on", "amount", "method"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("pay", _("Record the payment")))

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("A payment is more than zero."))
        if amount > self.invoice.outstanding:
            raise forms.ValidationError(
                _("That is more than the %(outstanding)s still outstanding.")
                % {"outstanding": self.invoice.outstanding}
            )
        return amount

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on < self.invoice.issue_date:
            raise forms.ValidationError(_("A payment cannot come before its invoice was issued."))
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("Record a payment once it has arrived."))
        return paid_on

    def _post_clean(self):
        # The service checks the payment against the locked invoice and saves it.
        pass


class CollectionNoteForm(forms.ModelForm):
    class Meta:
        model = CollectionNote
        fields = ["contacted", "outcome", "promised_on"]
        widgets = {
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "promised_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("note", _("Add the note")))


MAX_PLAN_MONTHS = 12


def allocation_field(channel, index):
    return f"alloc_{channel}_{index}"


class SpendPlanForm(forms.ModelForm):
    """The plan and its grid: one amount per channel and month."""

    class Meta:
        model = SpendPlan
        fields = [
            "name",
            "first_month",
            "months",
            "total",
            "expected_reach",
            "expected_leads",
            "expected_sales",
            "expected_roi_percent",
        ]
        widgets = {"first_month": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"first_month": _("Any day of the first month.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cells = {}
        if self.instance.pk:
            starts = self.instance.month_starts()
            for allocation in self.instance.allocations.all():
                cells[(allocation.channel, starts.index(allocation.month))] = allocation.amount
        for channel in Channel.values:
            for index in range(MAX_PLAN_MONTHS):
                self.fields[allocation_field(channel, index)] = forms.DecimalField(
                    required=False,
                    min_value=Decimal("0"),
                    max_digits=14,
                    decimal_places=2,
                    initial=cells.get((channel, index)),
                )

    def allocations(self):
        first = self.cleaned_data["first_month"].replace(day=1)
        plan = SpendPlan(first_month=first, months=self.cleaned_data["months"])
        starts = plan.month_starts()
        return {
            (channel, starts[index]): self.cleaned_data.get(allocation_field(channel, index))
            or Decimal("0")
            for channel in Channel.values
            for index in range(len(starts))
        }

    def clean(self):
        data = super().clean()
        if self.errors or data.get("total") is None or not data.get("months"):
            return data
        allocated = sum(self.allocations().values(), Decimal("0"))
        if allocated != data["total"]:
            self.add_error(
                "total",
                _("The allocations add up to %(allocated)s, not the total of %(total)s.")
                % {"allocated": allocated, "total": data["total"]},
            )
        return data

    def _post_clean(self):
        # The service builds and checks the plan with its grid.
        pass

    def grid(self, months):
        """Rows of the grid for the template: the channel and its month fields."""
        return [
            (label, [self[allocation_field(value, index)] for index in range(len(months))])
            for value, label in Channel.choices
        ]


class InvoiceForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.order_by("name"))
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("Optional; a project of the same client."),
    )
    issue_date = forms.DateField(
        label=_("Issue date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("6"),
    )
    fapiao_number = forms.CharField(label=_("Fapiao number"), max_length=40, required=False)

    def __init__(self, *args, invoice=None, **kwargs):
        """A new invoice, or changes to `invoice`: its client stays, and once it is sent only
        the fapiao number changes."""
        if invoice is not None:
            kwargs["initial"] = {
                "project": invoice.project_id,
                "issue_date": invoice.issue_date,
                "tax_rate": invoice.tax_rate,
                "fapiao_number": invoice.fapiao_number,
                "revision": invoice.revision,
            }
        super().__init__(*args, **kwargs)
        projects = Project.objects.select_related("client").order_by("-start_date")
        if invoice is not None:
            del self.fields["client"]
            self.fields["revision"] = forms.IntegerField(widget=forms.HiddenInput)
            projects = projects.filter(client=invoice.client_id)
            if invoice.sent_at:
                for name in ("project", "issue_date", "tax_rate"):
                    del self.fields[name]
        if "project" in self.fields:
            self.fields["project"].queryset = projects
            self.fields["project"].label_from_instance = lambda project: str(project)

    def clean(self):
        data = super().clean()
        project, client = data.get("project"), data.get("client")
        if project and client and project.client_id != client.pk:
            self.add_error("project", _("Choose a project of this client."))
        return data


class InvoiceLineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
    )

    def clean(self):
        data = super().clean()
        if data.get("description") and data.get("amount") is None:
            self.add_error("amount", _("Enter the amount."))
        if data.get("amount") is not None and not data.get("description"):
            self.add_error("description", _("Say what is billed."))
        return data


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, extra=5, max_num=20)


class WriteOffForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the rest will not be collected"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("write_off", _("Write off"), css_class="btn-danger"))
