from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.TextChoices):
    RESEARCH = "research", _("Research")
    STRATEGY = "strategy", _("Strategy")
    CREATIVE = "creative", _("Creative")
    PRODUCTION = "production", _("Production")
    MEDIA = "media", _("Media")
    THIRD_PARTY = "third_party", _("Third party")
    STAFF_TIME = "staff_time", _("Staff time")


@pghistory.track()
class Estimate(models.Model):
    """A version of a project's budget. Approved by a director, it is locked and becomes the
    working budget, which approved change orders then raise or lower."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for sign-off")
        APPROVED = "approved", _("Approved")

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="estimates",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    fee = models.DecimalField(_("fee agreed with the client"), default=Decimal("0"), **MONEY)
    target_margin_percent = models.DecimalField(
        _("target margin (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warning threshold per line (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    director_approval_past_budget = models.BooleanField(
        _("costs past 100% need a director's approval"), default=False
    )
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Counts saves, so that a stale edit is refused.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["project", "-version"]
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        # The few estimates waiting for sign-off, among thousands.
        indexes = [
            models.Index(
                fields=["project"], condition=Q(status="submitted"), name="estimates_waiting"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="estimate_version_once"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="estimate_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(target_margin_percent__gte=0) & Q(target_margin_percent__lte=100),
                name="estimate_margin_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(warn_at_percent__gte=1) & Q(warn_at_percent__lte=100),
                name="estimate_warning_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(approved_by=F("submitted_by")),
                name="estimate_not_approved_by_its_submitter",
            ),
        ]

    def __str__(self):
        return f"{self.project} · v{self.version}"

    @property
    def is_locked(self):
        return self.status != self.Status.DRAFT


@pghistory.track()
class EstimateLine(models.Model):
    estimate = models.ForeignKey(
        Estimate, verbose_name=_("estimate"), on_delete=models.CASCADE, related_name="lines"
    )
    category = models.CharField(_("line"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["estimate", "category"]
        verbose_name = _("estimate line")
        verbose_name_plural = _("estimate lines")
        constraints = [
            models.UniqueConstraint(fields=["estimate", "category"], name="estimate_line_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="estimate_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.amount}"


@pghistory.track()
class ChangeOrder(models.Model):
    """Amounts added to or taken from budget lines, with the client's approval."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="change_orders",
    )
    reason = models.TextField(_("reason"))
    client_approved_on = models.DateField(_("client approved on"), null=True, blank=True)
    proposal = models.ForeignKey(
        "accounts.Proposal",
        verbose_name=_("re-pitched proposal"),
        on_delete=models.PROTECT,
        related_name="change_orders",
        null=True,
        blank=True,
    )
    repitch_rounds = models.JSONField(
        _("re-pitch rounds charged"),
        default=list,
        blank=True,
        help_text=_("The numbers of the proposal rounds this change order charges for."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["project", "created_at"]
        verbose_name = _("change order")
        verbose_name_plural = _("change orders")

    def __str__(self):
        return f"{self.project} · {self.reason[:40]}"

    @property
    def is_approved(self):
        return self.client_approved_on is not None


@pghistory.track()
class ChangeOrderLine(models.Model):
    change_order = models.ForeignKey(
        ChangeOrder,
        verbose_name=_("change order"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    category = models.CharField(_("line"), max_length=20, choices=Category.choices)
    delta = models.DecimalField(
        _("change"), help_text=_("Added to the line, or taken from it when negative."), **MONEY
    )

    class Meta:
        verbose_name = _("change order line")
        verbose_name_plural = _("change order lines")
        constraints = [
            models.UniqueConstraint(
                fields=["change_order", "category"], name="change_order_line_once"
            ),
            models.CheckConstraint(condition=~Q(delta=0), name="change_order_line_changes"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.delta:+}"


class Channel(models.TextChoices):
    TV = "tv", _("TV")
    DIGITAL = "digital", _("Digital")
    SOCIAL = "social", _("Social")
    OOH = "ooh", _("Out of home")
    PRINT = "print", _("Print")
    EVENTS = "events", _("Events")
    OTHER = "other", _("Other")


class CostEntryQuerySet(models.QuerySet):
    def counted(self):
        return self.filter(status=CostEntry.Status.COUNTED)

    def pending(self):
        return self.filter(status=CostEntry.Status.PENDING)


@pghistory.track()
class CostEntry(models.Model):
    """Actual cost against a project's budget line: a vendor's bill, or staff time priced at
    the person's cost rate on the day it is entered."""

    class Kind(models.TextChoices):
        VENDOR = "vendor", _("Vendor cost")
        STAFF_TIME = "staff_time", _("Staff time")

    class Status(models.TextChoices):
        COUNTED = "counted", _("Counted")
        PENDING = "pending", _("Waiting for a director")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="cost_entries",
    )
    category = models.CharField(_("budget line"), max_length=20, choices=Category.choices)
    incurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, null=True, blank=True)
    cost_rate = models.DecimalField(
        _("cost rate per hour"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.COUNTED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    objects = CostEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-incurred_on", "-pk"]
        verbose_name = _("cost entry")
        verbose_name_plural = _("cost entries")
        indexes = [
            models.Index(fields=["project", "category", "status"]),
            # The few costs waiting for a director, among hundreds of thousands.
            models.Index(
                fields=["-incurred_on", "-id"], condition=Q(status="pending"), name="costs_waiting"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="staff_time")
                | (Q(person__isnull=False) & Q(hours__gt=0) & Q(cost_rate__gte=0)),
                name="staff_time_has_person_hours_and_rate",
            ),
            models.CheckConstraint(
                condition=~Q(kind="vendor") | ~Q(vendor=""), name="vendor_cost_names_the_vendor"
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.get_category_display()} · {self.amount}"


class InvoiceCounter(models.Model):
    """The last invoice number given in a year, counted up in one SQL statement."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


@pghistory.track()
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
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
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
        ordering = ["-issue_date", "-number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["client", "due_date"]),
            # The invoice list, newest first.
            models.Index(fields=["-issue_date", "-number"], name="invoice_list_order"),
            # The overdue list and what is expected this month, among open invoices only.
            models.Index(
                fields=["due_date", "number"],
                condition=Q(
                    sent_at__isnull=False,
                    written_off_at__isnull=True,
                    amount_paid__lt=F("total"),
                ),
                name="open_invoice_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(tax__gte=0)
                & Q(total__gte=0)
                & Q(amount_paid__gte=0),
                name="invoice_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("total")), name="invoice_paid_within_total"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def outstanding(self):
        return self.total - self.amount_paid

    def status(self, today):
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


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["invoice", "pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_line_not_negative")
        ]

    def __str__(self):
        return self.description


@pghistory.track()
class Payment(models.Model):
    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.BANK_TRANSFER
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["invoice", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

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
    promised_on = models.DateField(_("promised payment date"), null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["invoice", "-created_at"]
        verbose_name = _("collection note")
        verbose_name_plural = _("collection notes")

    def __str__(self):
        return f"{self.invoice} · {self.contacted}"


class ClientAging(models.Model):
    """A client's receivables as the collections page shows them, as of a day: outstanding
    money by aging bucket, what is expected this month, and what was invoiced in the DSO
    period. The services that change the client's invoices, payments or collection notes
    recompute the row in the same transaction, and a nightly task recomputes every row for
    the new day, so the page adds up a thousand rows, not every open invoice."""

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

    class Meta:
        verbose_name = _("client aging")
        verbose_name_plural = _("client aging")
        # The nightly task finds the rows left from an earlier day.
        indexes = [models.Index(fields=["as_of"], name="client_aging_as_of")]

    def __str__(self):
        return f"{self.client_id}: {self.total_outstanding} as of {self.as_of}"


@pghistory.track()
class SpendPlan(models.Model):
    """The client's advertising budget for a period: how much goes to each channel in each
    month, and the return expected. A director signs it off, and it locks."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="spend_plans",
    )
    name = models.CharField(_("name"), max_length=200)
    first_month = models.DateField(_("first month"))
    months = models.PositiveSmallIntegerField(
        _("months"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    total = models.DecimalField(_("total"), **MONEY)
    expected_reach = models.PositiveBigIntegerField(_("expected reach"), null=True, blank=True)
    expected_leads = models.PositiveIntegerField(_("expected leads"), null=True, blank=True)
    expected_sales = models.DecimalField(_("expected sales"), null=True, blank=True, **MONEY)
    expected_roi_percent = models.DecimalField(
        _("expected ROI (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["client", "-first_month"]
        verbose_name = _("spend plan")
        verbose_name_plural = _("spend plans")
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="spend_plan_not_negative"),
            models.CheckConstraint(
                condition=Q(months__gte=1) & Q(months__lte=12), name="spend_plan_months_range"
            ),
        ]

    def __str__(self):
        return f"{self.client} · {self.name}"

    def month_starts(self):
        year, month = self.first_month.year, self.first_month.month
        starts = []
        for _index in range(self.months):
            starts.append(self.first_month.replace(year=year, month=month, day=1))
            month += 1
            if month > 12:
                year, month = year + 1, 1
        return starts


class SpendAllocation(models.Model):
    plan = models.ForeignKey(
        SpendPlan,
        verbose_name=_("spend plan"),
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["plan", "channel", "month"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "channel", "month"], name="one_allocation_per_cell"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self):
        return f"{self.plan} · {self.channel} · {self.month:%Y-%m}: {self.amount}"


class ProjectMoney(models.Model):
    """A project's money in one row, so that pages over thousands of projects (the budget
    review, the budget reminders) need not add up every cost each time. The services that
    change a project's money recompute its row by aggregation, in the same transaction, so
    it never drifts from the rows it sums."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="money",
    )
    budget = models.DecimalField(_("working budget"), default=Decimal("0"), **MONEY)
    cost = models.DecimalField(_("cost so far"), default=Decimal("0"), **MONEY)
    pending = models.DecimalField(_("waiting for a director"), default=Decimal("0"), **MONEY)
    fee = models.DecimalField(_("fee"), default=Decimal("0"), **MONEY)
    estimate_version = models.PositiveSmallIntegerField(_("estimate version"), null=True)
    warn_at_percent = models.PositiveSmallIntegerField(_("warn at (%)"), default=80)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("project money")
        verbose_name_plural = _("project money")

    def __str__(self):
        return f"{self.project_id}: {self.cost} of {self.budget}"

    @property
    def burn(self) -> Decimal | None:
        return (self.cost / self.budget * 100).quantize(Decimal("0.1")) if self.budget else None

    @property
    def margin(self) -> Decimal:
        return self.fee - self.cost
