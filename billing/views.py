from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pghistory.models import Events

from accounts.models import Client, ExchangeRate
from accounts.selectors import attachments_of, sendings_of, sent_pdf
from accounts.views import document_send_page
from common import exports
from common.charts import chart, series
from common.documents import pdf_response
from common.errors import Refused, StaleEdit
from common.forms import OPENED, ReasonForm, merge_stale_edit, show_stale_edit
from common.history import HISTORY_LENGTH, history_rows
from common.paging import CountedPaginator
from common.views import filtered_page, id_param, reason_page, show_refusal
from projects.models import Project
from teams import permissions

from . import selectors, services
from .documents import invoice_pdf
from .forms import (
    CollectionNoteForm,
    ExchangeRateForm,
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceLineFormSet,
    PaymentForm,
    WriteOffForm,
    invoice_lines,
    invoice_lines_data,
)
from .models import CreditNote, Invoice, Payment

SENDINGS_SHOWN = 5


def _visible_invoice(request, pk):
    return get_object_or_404(
        selectors.visible_invoices(request.user).select_related("client", "project"), pk=pk
    )


def invoice_detail(
    request, pk, *, payment_form=None, note_form=None, write_off_form=None, cancel_form=None
):
    invoice = _visible_invoice(request, pk)
    handles = permissions.handles_collections(request.user)
    today = timezone.localdate()
    attachments_of([invoice])
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "status": invoice.status(today),
            "lines": invoice.lines.all(),
            "payments": invoice.payments.select_related("recorded_by").annotate(
                reversed=Exists(Payment.objects.filter(reverses=OuterRef("pk")))
            ),
            "notes": invoice.collection_notes.select_related("written_by"),
            "handles": handles,
            "payment_form": payment_form
            or (PaymentForm(invoice=invoice, initial={"paid_on": today}) if handles else None),
            "note_form": note_form or (CollectionNoteForm() if handles else None),
            "write_off_form": write_off_form or (WriteOffForm() if handles else None),
            "cancel_form": cancel_form or (_cancel_form(invoice) if handles else None),
            "sendings": sendings_of(invoice)[:SENDINGS_SHOWN],
            "credit_note": CreditNote.objects.filter(invoice=invoice).first()
            if invoice.cancelled_at
            else None,
        },
    )


def invoice_document(request, pk):
    """The invoice as the client receives it: once sent, the copy kept then; shown in the
    browser, or saved with ?download."""
    invoice = _visible_invoice(request, pk)
    pdf = sent_pdf(invoice) or invoice_pdf(invoice)
    return pdf_response(pdf, f"{invoice.number}.pdf", download="download" in request.GET)


def _cancel_form(invoice, data=None):
    # Its own prefix: the write-off form beside it has a reason field too.
    return ReasonForm(
        data,
        prefix="cancel",
        submit_label=_("Cancel with a credit note"),
        action=reverse("billing:invoice_cancel", args=[invoice.pk]),
    )


def _collections_invoice(request, pk):
    if not permissions.handles_collections(request.user):
        raise Http404
    invoice = _visible_invoice(request, pk)
    return invoice


def invoice_send(request, pk):
    """Finance sends the invoice to the client's contacts, the billing contacts first."""
    invoice = _collections_invoice(request, pk)
    if invoice.cancelled_at or invoice.written_off_at:
        raise Http404
    return document_send_page(
        request,
        document=invoice,
        client=invoice.client,
        title=invoice.number,
        back=reverse("billing:invoice_detail", args=[pk]),
        preview=reverse("billing:invoice_document", args=[pk]),
        initial_contacts=invoice.client.contacts.filter(receives_invoices=True),
        send=lambda **sent: services.invoice_send(invoice=invoice, sent_by=request.user, **sent),
    )


@require_POST
def invoice_mark_sent(request, pk):
    """An invoice that went to the client some other way."""
    invoice = _collections_invoice(request, pk)
    try:
        services.invoice_send(invoice=invoice, sent_by=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Invoice marked as sent."))
    return redirect("billing:invoice_detail", pk=pk)


@require_POST
def payment_record(request, pk):
    invoice = _collections_invoice(request, pk)
    form = PaymentForm(request.POST, invoice=invoice)
    if not form.is_valid():
        return invoice_detail(request, pk, payment_form=form)
    try:
        services.payment_record(invoice=invoice, recorded_by=request.user, **form.cleaned_data)
    except Refused as refusal:
        show_refusal(form, refusal)
        return invoice_detail(request, pk, payment_form=form)
    messages.success(request, _("Payment recorded."))
    return redirect("billing:invoice_detail", pk=pk)


@require_POST
def invoice_cancel(request, pk):
    invoice = _collections_invoice(request, pk)
    form = _cancel_form(invoice, request.POST)
    if not form.is_valid():
        return invoice_detail(request, pk, cancel_form=form)
    try:
        note = services.invoice_cancel(
            invoice=invoice, cancelled_by=request.user, reason=form.cleaned_data["reason"]
        )
    except Refused as refusal:
        show_refusal(form, refusal)
        return invoice_detail(request, pk, cancel_form=form)
    messages.success(
        request,
        _("Invoice cancelled by credit note %(number)s; issue a new invoice for what is right.")
        % {"number": note.number},
    )
    return redirect("billing:invoice_detail", pk=pk)


def payment_reverse(request, pk, payment_pk):
    """Reverses a bounced or mistaken payment, with the reason: finance only."""
    invoice = _collections_invoice(request, pk)
    payment = get_object_or_404(invoice.payments, pk=payment_pk)
    return reason_page(
        request,
        template="billing/payment_reverse.html",
        context={"invoice": invoice, "payment": payment},
        act=lambda reason: services.payment_reverse(
            payment=payment, reversed_by=request.user, reason=reason
        ),
        done=_("Payment reversed; the invoice owes it again."),
        then=reverse("billing:invoice_detail", args=[pk]),
    )


@require_POST
def collection_note_add(request, pk):
    invoice = _collections_invoice(request, pk)
    form = CollectionNoteForm(request.POST)
    if not form.is_valid():
        return invoice_detail(request, pk, note_form=form)
    try:
        services.collection_note_add(invoice=invoice, written_by=request.user, **form.cleaned_data)
    except Refused as refusal:
        show_refusal(form, refusal)
        return invoice_detail(request, pk, note_form=form)
    messages.success(request, _("Note added."))
    return redirect("billing:invoice_detail", pk=pk)


# The clients owing the most; the aging list export has them all.
AGING_ROWS = 25
OVERDUE_PER_PAGE = 25


def collections(request):
    if not permissions.can_see_collections(request.user):
        raise Http404
    today = timezone.localdate()
    aging = selectors.visible_aging(request.user)
    by_ae, totals = selectors.aging_by_ae(aging)
    buckets = [(name, label, totals[name]) for name, label, _ in selectors.buckets(today)]
    return render(
        request,
        "billing/collections.html",
        {
            "buckets": buckets,
            "totals": totals,
            "by_client": selectors.aging_by_client(aging)[:AGING_ROWS],
            "by_ae": by_ae,
            "overdue": CountedPaginator(
                selectors.overdue(selectors.visible_invoices(request.user), today),
                OVERDUE_PER_PAGE,
                count=totals["overdue_invoices"],
            ).get_page(request.GET.get("page")),
            "dso_days": selectors.DSO_PERIOD_DAYS,
            "handles": permissions.handles_collections(request.user),
            "chart": chart(
                "bar",
                [label for _, label, _ in buckets],
                series(
                    _("Outstanding"),
                    [amount for _, _, amount in buckets],
                    colors=selectors.AGING_COLOURS,
                ),
            ),
            "today": today,
            "latest_rates": ExchangeRate.objects.order_by("currency", "-valid_from").distinct(
                "currency"
            ),
            "missing": list(
                selectors.missing_rates(selectors.visible_invoices(request.user), today)
            ),
        },
    )


EXPORT_COLUMNS = [
    exports.Column(gettext_lazy("Invoice")),
    exports.Column(gettext_lazy("Client")),
    exports.Column(gettext_lazy("AE")),
    exports.day(gettext_lazy("Issued")),
    exports.day(gettext_lazy("Due")),
    exports.Column(gettext_lazy("Days overdue")),
    exports.Column(gettext_lazy("Bucket")),
    exports.money(gettext_lazy("Outstanding")),
    exports.Column(gettext_lazy("Currency")),
    exports.Column(gettext_lazy("Last note")),
    exports.day(gettext_lazy("Promised payment date")),
]
CURRENCY_COLUMN = 8


def _aging_rows(request):
    today = timezone.localdate()
    labels = {name: str(label) for name, label, _ in selectors.buckets(today)}
    for row in selectors.aging_list(selectors.visible_invoices(request.user), today):
        yield [
            row["number"],
            row["client_name"],
            row["lead_ae_name"],
            row["issue_date"],
            row["due_date"],
            max((today - row["due_date"]).days, 0),
            labels[row["bucket"]],
            row["outstanding_amount"],
            row["currency"],
            row["last_note"] or "",
            row["promised_on"],
        ]


def collections_export(request, file_format):
    if not permissions.can_see_collections(request.user):
        raise Http404
    return exports.download(
        filename=f"aging-{timezone.localdate():%Y-%m-%d}",
        file_format=file_format,
        sheet=_("Aging"),
        columns=EXPORT_COLUMNS,
        rows=_aging_rows(request),
        group_by=CURRENCY_COLUMN,
    )


def invoice_form(request, pk=None):
    """A new invoice, or changes to one: finance only."""
    if not permissions.handles_collections(request.user):
        raise Http404
    invoice = _visible_invoice(request, pk) if pk else None
    if invoice is not None and (invoice.written_off_at or invoice.cancelled_at):
        messages.error(request, _("This invoice was written off; it no longer changes."))
        return redirect("billing:invoice_detail", pk=pk)
    initial = {"issue_date": timezone.localdate()}
    # A new invoice opened for a project (from finance's desk) starts with it and its client.
    project_id = None if pk else id_param(request, "project")
    project = Project.objects.filter(pk=project_id).first() if project_id else None
    if project is not None:
        initial.update(project=project.pk, client=project.client_id)
    form = InvoiceForm(request.POST or None, invoice=invoice, initial=initial)
    editing_lines = invoice is None or invoice.sent_at is None
    lines = None
    if editing_lines:
        lines = InvoiceLineFormSet(
            request.POST or None,
            prefix="lines",
            # A new invoice is in the currency of the client chosen on the form.
            form_kwargs={"currency": invoice.currency} if invoice else {},
            initial=[
                {"description": line.description, "amount": line.amount}
                for line in (invoice.lines.all() if invoice else [])
            ],
        )
    if request.method == "POST" and form.is_valid() and (lines is None or lines.is_valid()):
        billed = None
        if lines is not None:
            billed = [
                (line["description"], line["amount"])
                for line in lines.cleaned_data
                if line.get("description")
            ]
        fields = {name: value for name, value in form.cleaned_data.items() if name != OPENED}
        try:
            if invoice is None:
                invoice = services.invoice_create(created_by=request.user, lines=billed, **fields)
                done = _("Invoice %(number)s created.")
            else:
                services.invoice_update(
                    invoice=invoice, editor=request.user, lines=billed, **fields
                )
                done = _("Invoice %(number)s saved.")
        except StaleEdit as refusal:
            form, lines = _merged_invoice_form(form, refusal, invoice, billed)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, done % {"number": invoice.number})
            return redirect("billing:invoice_detail", pk=invoice.pk)
    return render(
        request, "billing/invoice_form.html", {"form": form, "lines": lines, "invoice": invoice}
    )


def _merged_invoice_form(form, refusal, invoice, billed):
    """The invoice form again after a stale edit: what is saved now, with this person's
    changes (fields and lines) on top, and the fields both changed marked."""
    invoice.refresh_from_db()
    saved = InvoiceForm(invoice=invoice)
    editing_lines = invoice.sent_at is None and billed is not None
    saved_lines = invoice_lines(invoice.lines.all())
    data, both = merge_stale_edit(
        form,
        saved,
        mine={"lines": invoice_lines(billed)} if editing_lines else None,
        now={"lines": saved_lines} if editing_lines else None,
    )
    lines = None
    if editing_lines:
        data.update(invoice_lines_data(data.pop("lines")))
        lines = InvoiceLineFormSet(data, prefix="lines", form_kwargs={"currency": invoice.currency})
    form = InvoiceForm(data, invoice=invoice)
    show_stale_edit(form, refusal, both=both, saved=saved)
    if "lines" in both:
        form.add_error(
            None,
            _("%(name)s changed the lines too; they saved: %(lines)s. Yours are kept below.")
            % {
                "name": refusal.changed_by.full_name,
                "lines": "; ".join(f"{text} {amount}" for text, amount in saved_lines) or "—",
            },
        )
    return form, lines


@require_POST
def invoice_write_off(request, pk):
    invoice = _collections_invoice(request, pk)
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        return invoice_detail(request, pk, write_off_form=form)
    try:
        services.invoice_write_off(
            invoice=invoice, written_off_by=request.user, reason=form.cleaned_data["reason"]
        )
    except Refused as refusal:
        show_refusal(form, refusal)
        return invoice_detail(request, pk, write_off_form=form)
    messages.success(request, _("Invoice written off."))
    return redirect("billing:invoice_detail", pk=pk)


def invoice_history(request, pk):
    """Who changed the invoice, its lines and its payments, and when."""
    invoice = _visible_invoice(request, pk)
    events = Events.objects.references(invoice).order_by("-pgh_created_at")[:HISTORY_LENGTH]
    return render(
        request,
        "billing/invoice_history.html",
        {
            "invoice": invoice,
            "rows": history_rows(events),
            "sendings": sendings_of(invoice)[:HISTORY_LENGTH],
        },
    )


INVOICES_PER_PAGE = 25


def _invoice_filters(request):
    """The invoices the user sees, and the list's filters read from the URL."""
    invoices = selectors.visible_invoices(request.user)
    filters = InvoiceFilterForm(
        request.GET or None,
        clients=Client.objects.filter(pk__in=invoices.values("client")).order_by("name"),
    )
    return filters, invoices.select_related("client")


def invoice_list(request):
    if not permissions.can_see_budgets(request.user):
        raise Http404
    filters, invoices = _invoice_filters(request)
    page, query = filtered_page(request, filters, invoices, INVOICES_PER_PAGE)
    today = timezone.localdate()
    for invoice in page:
        invoice.current_status = invoice.status(today)
    return render(
        request,
        "billing/invoice_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "handles": permissions.handles_collections(request.user),
        },
    )


INVOICE_LIST_COLUMNS = [
    exports.Column(gettext_lazy("Invoice")),
    exports.Column(gettext_lazy("Fapiao")),
    exports.Column(gettext_lazy("Client")),
    exports.day(gettext_lazy("Issued")),
    exports.day(gettext_lazy("Due")),
    exports.Column(gettext_lazy("Status")),
    exports.money(gettext_lazy("Total")),
    exports.money(gettext_lazy("Paid")),
    exports.money(gettext_lazy("Outstanding")),
    exports.Column(gettext_lazy("Currency")),
]
INVOICE_LIST_CURRENCY_COLUMN = 9


def invoice_list_export(request, file_format):
    """What the invoice list shows under its filters, every page of it, as CSV or Excel."""
    if not permissions.can_see_budgets(request.user):
        raise Http404
    filters, invoices = _invoice_filters(request)
    today = timezone.localdate()
    rows = (
        [
            invoice.number,
            invoice.fapiao_number,
            invoice.client.name,
            invoice.issue_date,
            invoice.due_date,
            str(invoice.status(today).label),
            invoice.total,
            invoice.amount_paid,
            invoice.outstanding,
            invoice.currency,
        ]
        for invoice in filters.filter(invoices).iterator(chunk_size=1000)
    )
    return exports.download(
        filename=f"invoices-{today:%Y-%m-%d}",
        file_format=file_format,
        sheet=_("Invoices"),
        columns=INVOICE_LIST_COLUMNS,
        rows=rows,
        group_by=INVOICE_LIST_CURRENCY_COLUMN,
    )


RATES_SHOWN = 100


def exchange_rates(request):
    """The rates finance records, newest first per currency; finance records one here."""
    if not permissions.can_see_collections(request.user):
        raise Http404
    handles = permissions.handles_collections(request.user)
    form = ExchangeRateForm(request.POST or None) if handles else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.exchange_rate_record(recorded_by=request.user, **form.cleaned_data)
            except Refused as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(
                    request,
                    _(
                        "Rate recorded: the invoices and projects in %(currency)s dated from "
                        "%(day)s count at it now."
                    )
                    % {
                        "currency": form.cleaned_data["currency"],
                        "day": form.cleaned_data["valid_from"].isoformat(),
                    },
                )
                return redirect("billing:exchange_rates")
    today = timezone.localdate()
    return render(
        request,
        "billing/exchange_rates.html",
        {
            "form": form,
            "rates": ExchangeRate.objects.select_related("recorded_by")[:RATES_SHOWN],
            "missing": list(selectors.missing_rates(Invoice.objects.all(), today)),
        },
    )
