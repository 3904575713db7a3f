"""Finance's money: invoices with their lines, payments and collection notes, the invoice
counter, and each client's aging row.

The tables were created when these models lived in the budgets app, and keep their names."""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common import search
from common.limits import AmountLimit, PlausibleDate
from common.money import MONEY, RATE


class InvoiceCounter(models.Model):
    """The last invoice number given in a year, counted up in one SQL statement."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "budgets_invoicecounter"

    def __str__(self):
        return f"{self.year}: {self.last_number}"


# The columns an invoice is searched by (common.search).
INVOICE_SEARCHED = ("number", "fapiao_number")


@pghistory.track(meta={"db_table": "budgets_invoiceevent"})
class Invoice(models.Model):
    """What the client is billed. Its total and what has been paid are kept on the row so
    that the database itself refuses a payment beyond the total; payments change the paid
    amount only through the payment service, under a row lock."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        OVERDUE = "overdue", _("Overdue")
        WRITTEN_OFF = "written_off", _("Written off")
        CANCELLED = "cancelled", _("Cancelled by credit note")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="invoices",
        null=True,
        blank=True,
    )
    # The client's currency when the invoice was issued, for its lines and payments too,
    # and the rate to the base currency in force on the issue date (None until finance
    # records one), by which totals across clients count it.
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    rate = models.DecimalField(_("rate to the base currency"), null=True, blank=True, **RATE)
    issue_date = models.DateField(_("issue date"), validators=[PlausibleDate()])
    due_date = models.DateField(_("due date"), validators=[PlausibleDate()])
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("6"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    subtotal = models.DecimalField(_("subtotal"), default=Decimal("0"), **MONEY)
    tax = models.DecimalField(_("tax"), default=Decimal("0"), **MONEY)
    total = models.DecimalField(_("total"), default=Decimal("0"), **MONEY)
    amount_paid = models.DecimalField(_("paid"), default=Decimal("0"), **MONEY)
    fapiao_number = models.CharField(_("fapiao number"), max_length=40, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    written_off_at = models.DateTimeField(_("written off"), null=True, blank=True)
    write_off_reason = models.CharField(_("reason for writing off"), max_length=300, blank=True)
    # A sent invoice is never edited: a wrong one is cancelled by its credit note, and a new
    # invoice bills what is right.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "budgets_invoice"
        ordering = ["-issue_date", "-number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["client", "due_date"]),
            # The invoice list, newest first.
            models.Index(fields=["-issue_date", "-number"], name="invoice_list_order"),
            search.index("invoice_search", *INVOICE_SEARCHED),
            # The few invoices waiting for an exchange rate, which the pages name.
            models.Index(
                fields=["currency", "issue_date"],
                condition=Q(rate__isnull=True),
                name="invoices_without_rate",
            ),
            # The overdue list and what is expected this month, among open invoices only.
            models.Index(
                fields=["due_date", "number"],
                condition=Q(
                    sent_at__isnull=False,
                    written_off_at__isnull=True,
                    cancelled_at__isnull=True,
                    amount_paid__lt=F("total"),
                ),
                name="open_invoice_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(currency=""),
                name="invoice_has_a_currency",
                violation_error_message=_("An invoice is in a currency."),
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(tax__gte=0)
                & Q(total__gte=0)
                & Q(amount_paid__gte=0),
                name="invoice_amounts_not_negative",
                violation_error_message=_("Invoice amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("total")),
                name="invoice_paid_within_total",
                violation_error_message=_("That is more than the invoice still has outstanding."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")),
                name="invoice_due_after_issue",
                violation_error_message=_("The due date cannot come before the issue date."),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def outstanding(self):
        return self.total - self.amount_paid

    def status(self, today):
        if self.cancelled_at:
            return self.Status.CANCELLED
        if self.written_off_at:
            return self.Status.WRITTEN_OFF
        if self.sent_at is None:
            return self.Status.DRAFT
        if self.total and self.amount_paid >= self.total:
            return self.Status.PAID
        if self.due_date < today:
            return self.Status.OVERDUE
        if self.amount_paid > 0:
            return self.Status.PARTLY_PAID
        return self.Status.SENT


class CreditNoteCounter(models.Model):
    """The last credit note number given in a year."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class CreditNote(models.Model):
    """Cancels a sent invoice in full, with its own number: what the client's books and the
    fapiao office are shown instead of an edited invoice."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    invoice = models.OneToOneField(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_note"
    )
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="credit_note_has_a_reason",
                violation_error_message=_("Say why the invoice is cancelled."),
            )
        ]

    def __str__(self):
        return self.number


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"db_table": "budgets_invoicelineevent"},
)
class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), validators=[AmountLimit()], **MONEY)

    class Meta:
        db_table = "budgets_invoiceline"
        ordering = ["pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="invoice_line_not_negative",
                violation_error_message=_("An invoice line cannot be negative."),
            )
        ]

    def __str__(self):
        return self.description


@pghistory.track(meta={"db_table": "budgets_paymentevent"})
class Payment(models.Model):
    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"), validators=[PlausibleDate()])
    amount = models.DecimalField(_("amount"), validators=[AmountLimit()], **MONEY)
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.BANK_TRANSFER
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A bounced or mistaken payment is reversed, never deleted: the reversal is the same
    # amount negated, on the day it is recorded, with the reason.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        related_name="reversal",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason for the reversal"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        db_table = "budgets_payment"
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, reverses__isnull=True)
                | Q(amount__lt=0, reverses__isnull=False),
                name="payment_positive_unless_a_reversal",
                violation_error_message=_("A payment is more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""),
                name="payment_reversal_has_a_reason",
                violation_error_message=_("Say why the payment is reversed."),
            ),
        ]

    def __str__(self):
        return f"{self.invoice} · {self.amount}"


class CollectionNote(models.Model):
    """A call or message chasing a payment: who was contacted, what came of it, and the date
    the client promised."""

    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="collection_notes",
    )
    contacted = models.CharField(_("who was contacted"), max_length=200)
    outcome = models.TextField(_("outcome"))
    promised_on = models.DateField(
        _("promised payment date"), null=True, blank=True, validators=[PlausibleDate()]
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        db_table = "budgets_collectionnote"
        ordering = ["-created_at"]
        verbose_name = _("collection note")
        verbose_name_plural = _("collection notes")

    def __str__(self):
        return f"{self.invoice} · {self.contacted}"


class ClientAging(models.Model):
    """A client's receivables as the collections page shows them, as of a day, in the base
    currency: outstanding money by aging bucket, what is expected this month, what was
    invoiced in the DSO period, and how many invoices wait for a rate to count. The services
    that change the client's invoices, payments or collection notes recompute the row in the
    same transaction, and a nightly task recomputes every row for the new day, so the page
    adds up a thousand rows, not every open invoice."""

    client = models.OneToOneField(
        "accounts.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="aging",
    )
    as_of = models.DateField(_("as of"))
    total_outstanding = models.DecimalField(
        _("outstanding"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    current = models.DecimalField(
        _("current"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    days_1_30 = models.DecimalField(
        _("1–30 days"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    days_31_60 = models.DecimalField(
        _("31–60 days"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    days_61_90 = models.DecimalField(
        _("61–90 days"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    days_90_plus = models.DecimalField(
        _("90+ days"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_this_month = models.DecimalField(
        _("expected this month"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    invoiced_recently = models.DecimalField(
        _("invoiced in the DSO period"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    overdue_invoices = models.PositiveIntegerField(_("overdue invoices"), default=0, db_default=0)
    unconverted_invoices = models.PositiveIntegerField(
        _("invoices without a rate"), default=0, db_default=0
    )
    # The cash expected in each of the next eight weeks (the first is the rest of this
    # one): an open invoice counts in the week of the date its latest collection note
    # promises, or else of its due date, if that is today or later.
    expected_week_0 = models.DecimalField(
        _("expected in week 1"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_week_1 = models.DecimalField(
        _("expected in week 2"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_week_2 = models.DecimalField(
        _("expected in week 3"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_week_3 = models.DecimalField(
        _("expected in week 4"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_week_4 = models.DecimalField(
        _("expected in week 5"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_week_5 = models.DecimalField(
        _("expected in week 6"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_week_6 = models.DecimalField(
        _("expected in week 7"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )
    expected_week_7 = models.DecimalField(
        _("expected in week 8"), default=Decimal("0"), db_default=Decimal("0"), **MONEY
    )

    class Meta:
        db_table = "budgets_clientaging"
        verbose_name = _("client aging")
        verbose_name_plural = _("client aging")
        # The nightly task finds the rows left from an earlier day.
        indexes = [models.Index(fields=["as_of"], name="client_aging_as_of")]

    def __str__(self):
        return f"{self.client_id}: {self.total_outstanding} as of {self.as_of}"


class DsoMonth(models.Model):
    """The DSO at the end of a past month, in the base currency: what was outstanding that
    day, what was invoiced in the DSO period before it, and their ratio. A month's figures
    are read from the invoices and payments of the time once it has ended, and again the
    next night for late entries; the finance desk draws the trend from these rows."""

    month = models.DateField(_("month"), primary_key=True)
    receivable = models.DecimalField(_("outstanding at the month's end"), **MONEY)
    invoiced = models.DecimalField(_("invoiced in the DSO period"), **MONEY)
    days = models.DecimalField(_("DSO (days)"), max_digits=8, decimal_places=1, null=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        ordering = ["month"]
        verbose_name = _("DSO of a month")
        verbose_name_plural = _("DSO of past months")

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.days}"
