from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import ae_filter, client_filter
from common.forms import (
    ListFilterForm,
    PortalFormMixin,
    SignOffForm,
    date_filter,
    opened_field,
    remember_opened,
)
from teams.forms import SubmitHelperMixin
from teams.models import User

from .models import Category, Channel, CostEntry, Estimate, SpendPlan

AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


def _line_field(category):
    return f"line_{category}"


class EstimateForm(PortalFormMixin, forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    opened = opened_field()

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
        remember_opened(self)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "revision",
            "opened",
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


class ChangeOrderForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    client_approved_on = forms.DateField(
        label=_("Client approved on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Leave empty and send it to the client for approval. Fill in only when the client "
            "approved it some other way; only approved changes count."
        ),
    )
    client_approval_note = forms.CharField(
        label=_("How the client approved"),
        required=False,
        max_length=300,
        help_text=_("With the date: a signed letter, an email, a call (and with whom)."),
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


class ChangeOrderApprovalForm(PortalFormMixin, SubmitHelperMixin, forms.Form):
    submit_label = _("Record the approval")

    approved_on = forms.DateField(
        label=_("Client approved on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("How the client approved"),
        max_length=300,
        help_text=_("A signed letter, an email, a call (and with whom)."),
    )


class CostEntryForm(PortalFormMixin, forms.ModelForm):
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
        help_texts = {
            "amount": _("For a vendor cost; staff time is priced from the hours."),
            "hours": _("Priced at the person's cost rate today."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.active()
        self.fields["amount"].required = False
        self.fields["kind"].initial = CostEntry.Kind.VENDOR
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
                css_id="cost-vendor",
            ),
            Fieldset(
                _("Staff time"),
                Row(Column("person", css_class="col-md-8"), Column("hours", css_class="col-md-4")),
                css_id="cost-staff-time",
            ),
            "channel",
        )
        self.helper.add_input(Submit("save", _("Record the cost")))

    def _post_clean(self):
        # The service prices staff time and checks the rest; the model is not built here.
        pass


MAX_PLAN_MONTHS = 12


def allocation_field(channel, index):
    return f"alloc_{channel}_{index}"


class SpendPlanForm(PortalFormMixin, forms.ModelForm):
    """The plan and its grid: one amount per channel and month."""

    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=MAX_PLAN_MONTHS)

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

    def _post_clean(self):
        # The service builds and checks the plan with its grid.
        pass

    def grid(self, months):
        """Rows of the grid for the template: the channel and its month fields."""
        return [
            (label, [self[allocation_field(value, index)] for index in range(len(months))])
            for value, label in Channel.choices
        ]


class EstimateReviewForm(SignOffForm):
    """Approving a budget makes it the working budget."""

    confirm_label = _(
        "I have checked the lines: this version becomes the working budget and locks."
    )
    confirm_missing = _("Confirm that this version becomes the working budget.")
    comments_missing = _("Say what to change when returning a budget.")


class SpendPlanReviewForm(SignOffForm):
    """Approving a spend plan locks it."""

    confirm_label = _("I have checked the grid: the plan is signed off and locks.")
    confirm_missing = _("Confirm that the plan is signed off and locks.")
    comments_missing = _("Say what to change when returning a spend plan.")


class CostFilterForm(ListFilterForm):
    SORTS = [
        ("-incurred", _("Newest first"), ("-incurred_on",)),
        ("incurred", _("Oldest first"), ("incurred_on",)),
        ("-amount", _("Largest first"), ("-amount",)),
    ]
    DATE_RANGES = [("incurred_from", "incurred_to")]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = client_filter()
    owner = ae_filter()
    category = forms.ChoiceField(
        label=_("Budget line"), required=False, choices=[("", _("Any line")), *Category.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *CostEntry.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *CostEntry.Status.choices],
    )
    incurred_from = date_filter(_("From"))
    incurred_to = date_filter(_("To"))

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["q"].widget.attrs["placeholder"] = _("Vendor, reference or job number")

    def narrow(self, costs, data):
        if data["q"]:
            costs = costs.filter(
                Q(vendor__icontains=data["q"])
                | Q(reference__icontains=data["q"])
                | Q(project__job_number__icontains=data["q"])
                | Q(project__name__icontains=data["q"])
            )
        if data["client"]:
            costs = costs.filter(project__client=data["client"])
        if data["owner"]:
            costs = costs.filter(project__owner=data["owner"])
        for name in ("category", "kind", "status"):
            if data[name]:
                costs = costs.filter(**{name: data[name]})
        if data["incurred_from"]:
            costs = costs.filter(incurred_on__gte=data["incurred_from"])
        if data["incurred_to"]:
            costs = costs.filter(incurred_on__lte=data["incurred_to"])
        return costs
