from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import ae_filter, client_filter
from accounts.models import Client, ExchangeRate
from common.forms import (
    OPENED,
    ListFilterForm,
    PortalFormMixin,
    date_filter,
    opened_field,
    remember_opened,
)
from common.money import base_currency
from projects.models import Project

from . import selectors
from .models import CollectionNote, Invoice, Payment


class PaymentForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["paid_on", "amount", "method"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, currency=invoice.currency, **kwargs)
        self.invoice = invoice
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("pay", _("Record the payment")))

    def _post_clean(self):
        # The service checks the payment against the locked invoice and saves it.
        pass


class CollectionNoteForm(PortalFormMixin, forms.ModelForm):
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


class InvoiceForm(PortalFormMixin, forms.Form):
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.order_by("name"),
        help_text=_("The invoice is in the client's currency."),
    )
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
            self.fields[OPENED] = opened_field()
            projects = projects.filter(client=invoice.client_id)
            if invoice.sent_at:
                for name in ("project", "issue_date", "tax_rate"):
                    del self.fields[name]
                remember_opened(self)
            else:
                remember_opened(self, lines=invoice_lines(invoice.lines.all()))
        if "project" in self.fields:
            self.fields["project"].queryset = projects
            self.fields["project"].label_from_instance = lambda project: str(project)

    def clean(self):
        data = super().clean()
        project, client = data.get("project"), data.get("client")
        if project and client and project.client_id != client.pk:
            self.add_error("project", _("Choose a project of this client."))
        return data


def invoice_lines(lines) -> list[list[str]]:
    """An invoice's lines (rows, or (description, amount) pairs) as plain text, to compare
    what two people saved."""
    pairs = [(line.description, line.amount) if hasattr(line, "amount") else line for line in lines]
    return [[description, f"{amount:.2f}"] for description, amount in pairs]


def invoice_lines_data(lines, prefix="lines") -> dict:
    """The posted data of the line formset that holds `lines` (plain text pairs); they
    count as its initial forms, so that a line left as it was still counts."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(min(len(lines) + 5, 20)),
        f"{prefix}-INITIAL_FORMS": str(len(lines)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for number, (description, amount) in enumerate(lines):
        data[f"{prefix}-{number}-description"] = description
        data[f"{prefix}-{number}-amount"] = amount
    return data


class InvoiceLineForm(PortalFormMixin, forms.Form):
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
        if data.get("description") and not data.get("amount"):
            self.add_error("amount", _("Enter the amount, more than zero."))
        if data.get("amount") is not None and not data.get("description"):
            self.add_error("description", _("Say what is billed."))
        return data


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, extra=5, max_num=20)


class WriteOffForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the rest will not be collected"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("write_off", _("Write off"), css_class="btn-danger"))


class ExchangeRateForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_from", "rate"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = base_currency()
        self.fields["currency"].choices = [
            choice for choice in Client.Currency.choices if choice[0] != base
        ]
        self.fields["rate"].help_text = _("What one unit is worth in %(base)s.") % {"base": base}
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("currency", css_class="col-md-4"),
                Column("valid_from", css_class="col-md-4"),
                Column("rate", css_class="col-md-4"),
            )
        )
        self.helper.add_input(Submit("record", _("Record the rate")))

    def _post_clean(self):
        # The service records the rate, or replaces the one of that day.
        pass


class InvoiceFilterForm(ListFilterForm):
    SORTS = [
        ("-issue_date", _("Newest first"), ("-issue_date",)),
        ("issue_date", _("Oldest first"), ("issue_date",)),
        ("due_date", _("Due soonest"), ("due_date",)),
        ("-total", _("Largest first"), ("-total",)),
    ]
    TIEBREAK = ("-number",)
    DATE_RANGES = [("issued_from", "issued_to")]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = client_filter()
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Invoice.Status.choices]
    )
    ae = ae_filter()
    issued_from = date_filter(_("Issued from"))
    issued_to = date_filter(_("Issued to"))

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients

    def narrow(self, invoices, data):
        if data["q"]:
            invoices = invoices.filter(
                Q(number__icontains=data["q"])
                | Q(fapiao_number__icontains=data["q"])
                | Q(client__name__icontains=data["q"])
            )
        if data["client"]:
            invoices = invoices.filter(client=data["client"])
        if data["ae"]:
            invoices = invoices.filter(client__lead_ae=data["ae"])
        if data["status"]:
            invoices = selectors.with_status(invoices, data["status"], timezone.localdate())
        if data["issued_from"]:
            invoices = invoices.filter(issue_date__gte=data["issued_from"])
        if data["issued_to"]:
            invoices = invoices.filter(issue_date__lte=data["issued_to"])
        return invoices
