from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.limits import AmountLimit, PlausibleDate
from common.money import MONEY, RATE

from .overrun import DEFAULT_WARN_AT_PERCENT


class Category(models.TextChoices):
    RESEARCH = "research", _("Research")
    STRATEGY = "strategy", _("Strategy")
    CREATIVE = "creative", _("Creative")
    PRODUCTION = "production", _("Production")
    MEDIA = "media", _("Media")
    THIRD_PARTY = "third_party", _("Third party")
    STAFF_TIME = "staff_time", _("Staff time")


class EstimateQuerySet(models.QuerySet):
    def approved(self):
        """Approved versions, the latest first."""
        return self.filter(status=Estimate.Status.APPROVED).order_by("-version")

    def approved_for(self, project):
        """The project's latest approved version, on which its working budget stands, or
        None. The one place that says which estimate counts."""
        return self.approved().filter(project=project).prefetch_related("lines").first()


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
    fee = models.DecimalField(
        _("fee agreed with the client"),
        default=Decimal("0"),
        validators=[MinValueValidator(0), AmountLimit()],
        **MONEY,
    )
    target_margin_percent = models.DecimalField(
        _("target margin (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warning threshold (%)"),
        default=DEFAULT_WARN_AT_PERCENT,
        help_text=_("For each budget line and for the project as a whole."),
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
    # What the director who returned the version asked to change, and when; kept until it
    # is submitted again.
    review_comments = models.TextField(_("comments when returned"), blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EstimateQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        # The few estimates waiting for sign-off, among thousands.
        indexes = [
            models.Index(
                fields=["project"], condition=Q(status="submitted"), name="estimates_waiting"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="estimate_version_once",
                violation_error_message=_("This project has an estimate of this version already."),
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0),
                name="estimate_fee_not_negative",
                violation_error_message=_("The fee cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(target_margin_percent__gte=0) & Q(target_margin_percent__lte=100),
                name="estimate_margin_is_a_percentage",
                violation_error_message=_("The target margin is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(warn_at_percent__gte=1) & Q(warn_at_percent__lte=100),
                name="estimate_warning_is_a_percentage",
                violation_error_message=_("The warning threshold is a percentage from 1 to 100."),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(approved_by=F("submitted_by")),
                name="estimate_not_approved_by_its_submitter",
                violation_error_message=_("Another director approves an estimate you submitted."),
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
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(0), AmountLimit()], **MONEY
    )

    class Meta:
        ordering = ["category"]
        verbose_name = _("estimate line")
        verbose_name_plural = _("estimate lines")
        constraints = [
            models.UniqueConstraint(
                fields=["estimate", "category"],
                name="estimate_line_once",
                violation_error_message=_("The estimate has this line already."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="estimate_line_not_negative",
                violation_error_message=_("A budget line cannot be negative."),
            ),
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
    client_approved_on = models.DateField(
        _("client approved on"), null=True, blank=True, validators=[PlausibleDate()]
    )
    # The client's own approval through the change order's link; or, typed in by the team,
    # how the client approved.
    client_approval = models.OneToOneField(
        "accounts.ClientDecision",
        verbose_name=_("client's approval"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    client_approval_note = models.CharField(
        _("how the client approved"), max_length=300, blank=True
    )
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
        ordering = ["created_at"]
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
        _("change"),
        help_text=_("Added to the line, or taken from it when negative."),
        validators=[AmountLimit()],
        **MONEY,
    )

    class Meta:
        verbose_name = _("change order line")
        verbose_name_plural = _("change order lines")
        constraints = [
            models.UniqueConstraint(
                fields=["change_order", "category"],
                name="change_order_line_once",
                violation_error_message=_("The change order has this line already."),
            ),
            models.CheckConstraint(
                condition=~Q(delta=0),
                name="change_order_line_changes",
                violation_error_message=_(
                    "A change order line changes its line by more than zero."
                ),
            ),
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
    incurred_on = models.DateField(_("date"), validators=[PlausibleDate()])
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
    amount = models.DecimalField(_("amount"), validators=[AmountLimit()], **MONEY)
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
    # A cost is never deleted or edited: a mistaken one is corrected by its reversal, the
    # same entry negated on the same day, with the reason.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        related_name="reversal",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason for the reversal"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    objects = CostEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-incurred_on", "-pk"]
        verbose_name = _("cost entry")
        verbose_name_plural = _("cost entries")
        indexes = [
            models.Index(fields=["project", "category", "status"]),
            # The list of costs, newest first, a page at a time.
            models.Index(fields=["-incurred_on", "-id"], name="cost_list_order"),
            # ... and largest first.
            models.Index(fields=["-amount", "-id"], name="cost_list_largest"),
            # The few costs waiting for a director, among hundreds of thousands.
            models.Index(
                fields=["-incurred_on", "-id"], condition=Q(status="pending"), name="costs_waiting"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, reverses__isnull=True)
                | Q(amount__lt=0, reverses__isnull=False),
                name="cost_negative_only_as_a_reversal",
                violation_error_message=_("A cost cannot be negative, except as a reversal."),
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("entered_by")),
                name="cost_not_decided_by_its_enterer",
                violation_error_message=_("Another director decides on a cost you entered."),
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""),
                name="cost_reversal_has_a_reason",
                violation_error_message=_("Say why the cost is reversed."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="staff_time")
                | (
                    Q(person__isnull=False)
                    & (Q(hours__gt=0) | Q(reverses__isnull=False, hours__lt=0))
                    & Q(cost_rate__gte=0)
                ),
                name="staff_time_has_person_hours_and_rate",
                violation_error_message=_("Staff time needs the person, the hours and the rate."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="vendor") | ~Q(vendor=""),
                name="vendor_cost_names_the_vendor",
                violation_error_message=_("Name the vendor."),
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.get_category_display()} · {self.amount}"


@pghistory.track()
class SpendPlan(models.Model):
    """The client's advertising budget for a period: how much goes to each channel in each
    month, and the return expected. A director signs it off, and it locks."""

    class Status(models.TextChoices):
        # A plan waits for sign-off from the moment it is drawn up, and again each time it
        # is saved after a return.
        DRAFT = "draft", _("Waiting for sign-off")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="spend_plans",
    )
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    first_month = models.DateField(_("first month"), validators=[PlausibleDate()])
    months = models.PositiveSmallIntegerField(
        _("months"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    total = models.DecimalField(
        _("total"), validators=[MinValueValidator(0), AmountLimit()], **MONEY
    )
    expected_reach = models.PositiveBigIntegerField(_("expected reach"), null=True, blank=True)
    expected_leads = models.PositiveIntegerField(_("expected leads"), null=True, blank=True)
    expected_sales = models.DecimalField(
        _("expected sales"), null=True, blank=True, validators=[AmountLimit()], **MONEY
    )
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
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # What the director who returned the plan asked to change; kept until it is saved again.
    review_comments = models.TextField(_("comments when returned"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("waiting for sign-off since"), null=True, blank=True)
    decided_at = models.DateTimeField(_("signed off or returned"), null=True, blank=True)

    class Meta:
        ordering = ["-first_month"]
        verbose_name = _("spend plan")
        verbose_name_plural = _("spend plans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(currency=""),
                name="spend_plan_has_a_currency",
                violation_error_message=_("A spend plan is in a currency."),
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0),
                name="spend_plan_not_negative",
                violation_error_message=_("The total cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1) & Q(months__lte=12),
                name="spend_plan_months_range",
                violation_error_message=_("A plan runs from 1 to 12 months."),
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
        ordering = ["channel", "month"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "channel", "month"],
                name="one_allocation_per_cell",
                violation_error_message=_("This channel and month have an amount already."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="allocation_not_negative",
                violation_error_message=_("An allocation cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.channel} · {self.month:%Y-%m}: {self.amount}"


AHEAD_LIMIT = Decimal("99999999")


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
    # The project's currency and its rate to the base currency on the project's start date
    # (None until finance records one), by which the margin per client adds projects up.
    currency = models.CharField(_("currency"), max_length=3, default="", editable=False)
    rate = models.DecimalField(_("rate to the base currency"), null=True, **RATE)
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warn at (%)"), default=DEFAULT_WARN_AT_PERCENT
    )
    # budgets.overrun.reached: the highest threshold reached per budget line, and for the
    # project under the key "", as of the last change to the money. The reminder reads it.
    thresholds_reached = models.JSONField(_("thresholds reached"), default=dict)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The budget review's order: over budget first, then by how many points burn runs ahead
    # of the schedule, as of `ordered_on`. The money services set it with the money; as the
    # schedule moves on every day, and a project's dates may change, an hourly task sets it
    # again for rows of an earlier day or whose project changed since.
    over_budget = models.BooleanField(_("over budget"), default=False)
    ahead = models.DecimalField(
        _("burn ahead of schedule (points)"), max_digits=16, decimal_places=4, null=True
    )
    ordered_on = models.DateField(_("ordered on"), null=True)

    class Meta:
        verbose_name = _("project money")
        verbose_name_plural = _("project money")
        indexes = [
            models.Index(
                fields=["-over_budget", "-ahead", "project"],
                condition=Q(budget__gt=0),
                name="budget_review_order",
            ),
            models.Index(fields=["ordered_on"], name="project_money_ordered_on"),
        ]

    def __str__(self):
        return f"{self.project_id}: {self.cost} of {self.budget}"

    @property
    def burn(self) -> Decimal | None:
        return (self.cost / self.budget * 100).quantize(Decimal("0.1")) if self.budget else None

    @property
    def margin(self) -> Decimal:
        return self.fee - self.cost

    def place_in_review(self, project, today) -> None:
        """Sets the review's order for `today` from the money and the project's schedule."""
        self.over_budget = self.cost > self.budget
        self.ahead = None
        if self.budget:
            points = self.cost * 100 / self.budget - project.schedule_elapsed(today) * 100
            # A burn of millions of percent sorts first all the same; the column has room
            # for twelve digits.
            self.ahead = max(min(points, AHEAD_LIMIT), -AHEAD_LIMIT).quantize(Decimal("0.0001"))
        self.ordered_on = today
