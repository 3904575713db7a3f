"""Finance's writes: invoices, payments, collection notes, and the clients' aging rows they
keep current."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import services as accounts
from accounts.models import Client, ExchangeRate
from accounts.selectors import start_of
from budgets.services import project_money_rate
from common.counters import count_up
from common.errors import Refused, check_revision
from common.locks import lock_row, lock_rows
from common.models import validate, validate_value
from common.money import base_currency
from projects.models import Project
from teams import permissions
from teams.models import User

from . import selectors
from .documents import invoice_pdf
from .models import (
    ClientAging,
    CollectionNote,
    CreditNote,
    CreditNoteCounter,
    DsoMonth,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
)


@transaction.atomic
def client_aging_refresh(*, client_ids=None, today=None) -> None:
    """Recomputes the aging rows of these clients (every client with an invoice when None)
    as of `today`, from their invoices and collection notes. The rows are locked first,
    created where missing, so that two writers to one client's invoices take turns and the
    second adds up what the first committed."""
    today = today or timezone.localdate()
    clients = Client.objects.filter(Exists(Invoice.objects.filter(client=OuterRef("pk"))))
    if client_ids is not None:
        clients = clients.filter(pk__in=client_ids)
    ids = list(clients.order_by("pk").values_list("pk", flat=True))
    ClientAging.objects.bulk_create(
        [ClientAging(client_id=pk, as_of=today) for pk in ids], ignore_conflicts=True
    )
    lock_rows(ClientAging, ids)
    figures = (
        Client.objects.filter(pk__in=ids)
        .values("pk")
        .annotate(**selectors.aging_figures(today, prefix="invoices__"))
    )
    ClientAging.objects.bulk_create(
        [ClientAging(client_id=row.pop("pk"), as_of=today, **row) for row in figures],
        update_conflicts=True,
        unique_fields=["client"],
        update_fields=["as_of", *selectors.FIGURE_FIELDS],
    )


def client_aging_roll_over(today=None) -> None:
    """Each night: the aging rows of an earlier day recomputed for today, as their buckets
    and what is expected this month move with the date; and the DSO of past months."""
    today = today or timezone.localdate()
    stale = ClientAging.objects.filter(as_of__lt=today).values_list("client_id", flat=True)
    client_aging_refresh(client_ids=list(stale), today=today)
    dso_months_refresh(today=today)


def _month_figures(end) -> dict:
    """What was outstanding at the end of the day `end` and what had been invoiced in the
    DSO period up to it, in the base currency, from the invoices and payments of the time:
    one query."""
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"), paid_on__lte=end)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    outstanding = ExpressionWrapper(
        (F("total") - Coalesce(Subquery(paid, output_field=money), Decimal("0"))) * F("rate"),
        output_field=money,
    )
    standing = Q(written_off_at__isnull=True) | Q(written_off_at__date__gt=end)
    recent = Q(issue_date__gt=end - timedelta(days=selectors.DSO_PERIOD_DAYS))
    return (
        # Owed from the day it is issued, once sent.
        Invoice.objects.filter(sent_at__isnull=False, issue_date__lte=end, rate__isnull=False)
        .exclude(cancelled_at__date__lte=end)
        .aggregate(
            receivable=Coalesce(
                Sum(outstanding, filter=standing), Decimal("0"), output_field=money
            ),
            invoiced=Coalesce(
                Sum(F("total") * F("rate"), filter=recent, output_field=money),
                Decimal("0"),
                output_field=money,
            ),
        )
    )


def dso_months_refresh(*, today=None) -> None:
    """The DSO at the end of each of the last twelve months: those not yet computed, and
    the last one again each day, for the payments and notes entered late."""
    today = today or timezone.localdate()
    ends = selectors.month_ends(today)
    known = dict(
        DsoMonth.objects.filter(month__in=[end.replace(day=1) for end in ends]).values_list(
            "month", "computed_at"
        )
    )
    start_of_today = start_of(today)
    for end in ends:
        month = end.replace(day=1)
        if month in known and (end != ends[-1] or known[month] >= start_of_today):
            continue
        figures = _month_figures(end)
        DsoMonth.objects.update_or_create(
            month=month,
            defaults={
                **figures,
                "days": selectors.days_sales_outstanding(
                    figures["receivable"], figures["invoiced"]
                ),
            },
        )


def _next_invoice_number(year: int) -> str:
    return f"INV-{year}-{count_up(InvoiceCounter, 'last_number', year=year):05d}"


def _check_lines(lines: list[tuple[str, Decimal]]) -> None:
    if not lines:
        raise Refused(_("An invoice needs at least one line."))
    for description, amount in lines:
        validate(InvoiceLine(description=description, amount=amount), exclude=["invoice"])
        if amount <= 0:
            raise Refused(_("Each line bills an amount above zero."))


def _invoice_totals(tax_rate: Decimal, amounts: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    subtotal = sum(amounts, Decimal("0"))
    tax = (subtotal * tax_rate / 100).quantize(Decimal("0.01"))
    return subtotal, tax, subtotal + tax


@transaction.atomic
def invoice_create(
    *,
    client,
    created_by: User,
    issue_date,
    lines: list[tuple[str, Decimal]],
    tax_rate: Decimal = Decimal("6"),
    project: Project | None = None,
    fapiao_number: str = "",
) -> Invoice:
    """An invoice with its own number; due after the client's payment terms."""
    if not permissions.handles_collections(created_by):
        raise Refused(_("Invoices are issued by finance."))
    if project is not None and project.client_id != client.pk:
        raise Refused(_("An invoice bills a project of its own client."), field="project")
    _check_lines(lines)
    validate_value(Invoice, "issue_date", issue_date)
    subtotal, tax, total = _invoice_totals(tax_rate, [amount for _, amount in lines])
    invoice = Invoice(
        number=_next_invoice_number(issue_date.year),
        client=client,
        currency=client.currency,
        rate=ExchangeRate.objects.rate_on(client.currency, issue_date),
        project=project,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=client.payment_terms_days),
        tax_rate=tax_rate,
        subtotal=subtotal,
        tax=tax,
        total=total,
        fapiao_number=fapiao_number.strip(),
        created_by=created_by,
        updated_by=created_by,
    )
    validate(invoice)
    invoice.save()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, description=description, amount=amount)
        for description, amount in lines
    )
    client_aging_refresh(client_ids=[client.pk])
    return invoice


def _set_invoice_lines(invoice: Invoice, lines: list[tuple[str, Decimal]]) -> None:
    # Line by line in place, so that the history shows what really changed.
    existing = list(invoice.lines.order_by("pk"))
    for line, (description, amount) in zip(existing, lines, strict=False):
        if (line.description, line.amount) != (description, amount):
            line.description, line.amount = description, amount
            line.save(update_fields=["description", "amount"])
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, description=description, amount=amount)
        for description, amount in lines[len(existing) :]
    )
    InvoiceLine.objects.filter(pk__in=[line.pk for line in existing[len(lines) :]]).delete()


@transaction.atomic
def invoice_update(
    *,
    invoice: Invoice,
    editor: User,
    revision: int,
    fapiao_number: str,
    issue_date=None,
    tax_rate: Decimal | None = None,
    project: Project | None = None,
    lines: list[tuple[str, Decimal]] | None = None,
) -> Invoice:
    """Changes an invoice. The fapiao number can be added at any time; the lines, tax rate,
    issue date and project only until the invoice is sent. `revision` is the one the editor
    started from: if someone saved in between, the save is refused and names them."""
    if not permissions.handles_collections(editor):
        raise Refused(_("Invoices are changed by finance."))
    invoice = lock_row(invoice)
    check_revision(
        invoice,
        revision,
        _("%(name)s changed this invoice while you were editing it."),
    )
    if invoice.written_off_at:
        raise Refused(_("This invoice was written off; it no longer changes."))
    if invoice.cancelled_at:
        raise Refused(_("This invoice was cancelled by a credit note; it no longer changes."))
    invoice.fapiao_number = fapiao_number.strip()
    if lines is not None:
        if invoice.sent_at:
            raise Refused(_("A sent invoice keeps its lines; only the fapiao number changes."))
        _check_lines(lines)
        validate_value(Invoice, "issue_date", issue_date)
        if project is not None and project.client_id != invoice.client_id:
            raise Refused(_("An invoice bills a project of its own client."), field="project")
        invoice.project = project
        invoice.issue_date = issue_date
        invoice.rate = ExchangeRate.objects.rate_on(invoice.currency, issue_date)
        invoice.due_date = issue_date + timedelta(days=invoice.client.payment_terms_days)
        invoice.tax_rate = tax_rate
        invoice.subtotal, invoice.tax, invoice.total = _invoice_totals(
            tax_rate, [amount for _, amount in lines]
        )
        _set_invoice_lines(invoice, lines)
    invoice.revision += 1
    invoice.updated_by = editor
    validate(invoice)
    invoice.save()
    client_aging_refresh(client_ids=[invoice.client_id])
    return invoice


@transaction.atomic
def invoice_write_off(*, invoice: Invoice, written_off_by: User, reason: str) -> Invoice:
    """Gives up on what is still outstanding: the invoice leaves the aging and the overdue
    list, and keeps what was paid."""
    if not permissions.handles_collections(written_off_by):
        raise Refused(_("Invoices are written off by finance."))
    invoice = lock_row(invoice)
    if invoice.written_off_at:
        raise Refused(_("This invoice was written off already."))
    if invoice.cancelled_at:
        raise Refused(_("This invoice was cancelled by a credit note; it owes nothing."))
    if invoice.sent_at is None:
        raise Refused(_("A draft was never billed; change it instead of writing it off."))
    if invoice.outstanding <= 0:
        raise Refused(_("This invoice is paid; nothing is left to write off."))
    if not reason.strip():
        raise Refused(_("Say why the rest will not be collected."))
    invoice.written_off_at = timezone.now()
    invoice.write_off_reason = reason.strip()
    invoice.updated_by = written_off_by
    invoice.revision += 1
    invoice.save()
    client_aging_refresh(client_ids=[invoice.client_id])
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, cancelled_by: User, reason: str) -> CreditNote:
    """Cancels a sent invoice in full by a credit note with its own number, instead of
    editing what the client received; a new invoice then bills what is right. An invoice
    with money paid on it keeps it: reverse the payments first."""
    if not permissions.handles_collections(cancelled_by):
        raise Refused(_("Invoices are cancelled by finance."))
    invoice = lock_row(invoice)
    reason = reason.strip()
    if invoice.cancelled_at:
        raise Refused(_("This invoice was cancelled already."))
    if invoice.sent_at is None:
        raise Refused(_("A draft was never billed; change it instead of cancelling it."))
    if invoice.written_off_at:
        raise Refused(_("This invoice was written off; it is no longer billed."))
    if invoice.amount_paid:
        raise Refused(
            _("%(paid)s has been paid on this invoice: reverse the payments first.")
            % {"paid": f"{invoice.amount_paid:,.2f}"}
        )
    if not reason:
        raise Refused(_("Say why the invoice is cancelled."), field="reason")
    today = timezone.localdate()
    note = CreditNote(
        number=f"CN-{today.year}-{count_up(CreditNoteCounter, 'last_number', year=today.year):05d}",
        invoice=invoice,
        issued_on=today,
        amount=invoice.total,
        reason=reason,
        issued_by=cancelled_by,
    )
    validate(note)
    note.save()
    invoice.cancelled_at = timezone.now()
    invoice.updated_by = cancelled_by
    invoice.revision += 1
    invoice.save()
    client_aging_refresh(client_ids=[invoice.client_id])
    return note


@transaction.atomic
def invoice_send(*, invoice: Invoice, sent_by: User, contacts=(), message: str = "") -> Invoice:
    """Sends the invoice to the client: to the contacts chosen, by email with its PDF; with
    none, it records an invoice that went some other way. A draft is issued by it; a sent
    invoice goes again as it stands now. Either way its PDF is kept as the client's copy."""
    if not permissions.handles_collections(sent_by):
        raise Refused(_("Invoices are sent by finance."))
    invoice = lock_row(invoice)
    if invoice.cancelled_at:
        raise Refused(_("This invoice was cancelled by a credit note; it is not sent."))
    contacts = list(contacts)
    if invoice.written_off_at and contacts:
        raise Refused(_("This invoice was written off; it is not sent again."))
    if invoice.sent_at is not None and not contacts:
        return invoice
    if invoice.sent_at is None:
        invoice.sent_at = timezone.now()
        invoice.updated_by = sent_by
        invoice.revision += 1
        invoice.save()
        client_aging_refresh(client_ids=[invoice.client_id])
    with translation.override(invoice.client.language):
        title = _("Invoice %(number)s") % {"number": invoice.number}
    accounts.document_send(
        document=invoice,
        client=invoice.client,
        revision=invoice.revision,
        title=title,
        link=reverse("billing:invoice_detail", args=[invoice.pk]),
        pdf=invoice_pdf(invoice),
        filename=f"{invoice.number}.pdf",
        sent_by=sent_by,
        contacts=contacts,
        message=message,
    )
    return invoice


@transaction.atomic
def payment_record(
    *, invoice: Invoice, recorded_by: User, paid_on, amount: Decimal, method: str
) -> Payment:
    """Records a payment under a lock on the invoice, so that two people recording the last
    payment at once cannot pay it twice; the database refuses a total paid above the invoice
    in any case."""
    if not permissions.handles_collections(recorded_by):
        raise Refused(_("Payments are recorded by finance."))
    invoice = lock_row(invoice)
    if invoice.written_off_at:
        raise Refused(_("This invoice was written off; it takes no more payments."))
    if invoice.cancelled_at:
        raise Refused(_("This invoice was cancelled by a credit note; it takes no payments."))
    if invoice.sent_at is None:
        raise Refused(_("This invoice is a draft: send it before recording a payment on it."))
    if amount <= 0:
        raise Refused(_("A payment is more than zero."), field="amount")
    if paid_on < invoice.issue_date:
        raise Refused(_("A payment cannot come before its invoice was issued."), field="paid_on")
    if paid_on > timezone.localdate():
        raise Refused(_("Record a payment once it has arrived."), field="paid_on")
    if amount > invoice.outstanding:
        raise Refused(
            _("That is more than the %(outstanding)s still outstanding.")
            % {"outstanding": invoice.outstanding},
            field="amount",
        )
    payment = Payment(
        invoice=invoice, paid_on=paid_on, amount=amount, method=method, recorded_by=recorded_by
    )
    validate(payment)
    payment.save()
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=F("amount_paid") + amount,
        revision=F("revision") + 1,
        updated_by=recorded_by,
    )
    client_aging_refresh(client_ids=[invoice.client_id])
    return payment


@transaction.atomic
def payment_reverse(*, payment: Payment, reversed_by: User, reason: str) -> Payment:
    """Reverses a payment that bounced or was recorded by mistake: the same amount negated,
    dated today, linked to it with the reason; the invoice owes it again."""
    if not permissions.handles_collections(reversed_by):
        raise Refused(_("Payments are recorded by finance."))
    invoice = lock_row(payment.invoice)
    payment = lock_row(payment)
    reason = reason.strip()
    if not reason:
        raise Refused(_("Say why the payment is reversed."), field="reason")
    if payment.reverses_id is not None:
        raise Refused(_("This entry is a reversal itself; record the payment again instead."))
    if Payment.objects.filter(reverses=payment).exists():
        raise Refused(_("This payment was reversed already."))
    reversal = Payment(
        invoice=invoice,
        paid_on=timezone.localdate(),
        amount=-payment.amount,
        method=payment.method,
        recorded_by=reversed_by,
        reverses=payment,
        reason=reason,
    )
    validate(reversal)
    reversal.save()
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=F("amount_paid") - payment.amount,
        revision=F("revision") + 1,
        updated_by=reversed_by,
    )
    client_aging_refresh(client_ids=[invoice.client_id])
    return reversal


@transaction.atomic
def collection_note_add(
    *, invoice: Invoice, written_by: User, contacted: str, outcome: str, promised_on=None
) -> CollectionNote:
    if not permissions.handles_collections(written_by):
        raise Refused(_("Collections are chased by finance."))
    if promised_on is not None and promised_on < timezone.localdate():
        raise Refused(_("A promise to pay is for today or a later day."), field="promised_on")
    invoice = lock_row(invoice)
    if invoice.sent_at is None or invoice.written_off_at or invoice.cancelled_at:
        raise Refused(_("Only a sent invoice that is still open is chased."))
    note = CollectionNote(
        invoice=invoice,
        written_by=written_by,
        contacted=contacted.strip(),
        outcome=outcome.strip(),
        promised_on=promised_on,
    )
    validate(note)
    note.save()
    client_aging_refresh(client_ids=[invoice.client_id])
    return note


@transaction.atomic
def exchange_rate_record(*, currency: str, valid_from, rate: Decimal, recorded_by: User):
    """Records what one unit of `currency` is worth in the base currency from `valid_from`
    on (replacing the rate of that day, if there is one), and counts the invoices and
    projects it applies to at it: those of the currency dated from that day up to its next
    rate. Their clients' aging rows and the projects' money rows follow."""
    if not permissions.handles_collections(recorded_by):
        raise Refused(_("Exchange rates are recorded by finance."))
    if currency == base_currency():
        raise Refused(
            _("%(currency)s is the base currency; its rate is always 1.") % {"currency": currency},
            field="currency",
        )
    lock_rows(
        ExchangeRate, ExchangeRate.objects.filter(currency=currency).values_list("pk", flat=True)
    )
    row = ExchangeRate.objects.filter(currency=currency, valid_from=valid_from).first()
    if row is None:
        row = ExchangeRate(currency=currency, valid_from=valid_from)
    row.rate, row.recorded_by = rate, recorded_by
    validate(row, validate_constraints=False)
    row.save()
    later = (
        ExchangeRate.objects.filter(currency=currency, valid_from__gt=valid_from)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    window = {"issue_date__gte": valid_from}
    if later:
        window["issue_date__lt"] = later
    invoices = Invoice.objects.filter(currency=currency, **window)
    client_ids = sorted(set(invoices.values_list("client", flat=True)))
    invoices.update(rate=rate)
    client_aging_refresh(client_ids=client_ids)
    project_money_rate(currency=currency, valid_from=valid_from, until=later, rate=rate)
    return row
