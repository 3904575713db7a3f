"""A project's money: its working budget, the money row the pages read (with its
place in the budget review), burn and the overrun thresholds."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ExchangeRate
from common.errors import Refused
from common.locks import lock_rows
from projects.models import Project
from teams import permissions
from teams.models import User

from .. import overrun, selectors
from ..models import (
    Category,
    ChangeOrder,
    ChangeOrderLine,
    CostEntry,
    Estimate,
    ProjectMoney,
)


def keeps_budgets(user: User) -> None:
    if not permissions.works_in_account_service(user):
        raise Refused(_("Budgets are kept by the account team."))


def working_budget(
    project: Project, *, approved: Estimate | None, against: ChangeOrder | None = None
) -> dict[str, Decimal]:
    """Per line: the approved estimate (Estimate.objects.approved_for) plus the change orders
    the client approved. `against` a change order, the budget it changes: without it, and for
    an approved one only with the change orders approved before it."""
    budget = {category: Decimal("0") for category in Category.values}
    if approved is None:
        return budget
    for line in approved.lines.all():
        budget[line.category] += line.amount
    changes = ChangeOrderLine.objects.filter(
        change_order__project=project, change_order__client_approved_on__isnull=False
    )
    if against is not None:
        changes = changes.exclude(change_order=against)
        if against.is_approved:
            changes = changes.filter(change_order__pk__lt=against.pk)
    changes = changes.values("category").annotate(total=Sum("delta"))
    for change in changes:
        budget[change["category"]] += change["total"]
    return budget


@transaction.atomic
def project_money_refresh(project_ids) -> None:
    """Recomputes the ProjectMoney rows of these projects from their estimates, change
    orders and costs, in one statement each way, with their place in the budget review as
    of today. The projects are locked first, so two writers to one project's money take
    turns, and the second adds up what the first committed."""
    lock_rows(Project, project_ids)
    today = timezone.localdate()
    approved = Estimate.objects.approved().filter(project=OuterRef("pk"))
    rows = (
        selectors.with_money(Project.objects.filter(pk__in=project_ids))
        .annotate(
            version=Subquery(approved.values("version")[:1]),
            warn_at=Subquery(approved.values("warn_at_percent")[:1]),
        )
        .order_by("pk")
    )
    lines = selectors.line_figures(project_ids)
    rates = RatesOn()
    money = []
    for row in rows:
        warn_at = row.warn_at or overrun.DEFAULT_WARN_AT_PERCENT
        row_money = ProjectMoney(
            project_id=row.pk,
            currency=row.currency,
            rate=rates(row.currency, row.start_date),
            budget=row.estimate_total + row.changes_total,
            cost=row.cost_total,
            pending=row.pending_total,
            fee=row.fee,
            estimate_version=row.version,
            warn_at_percent=warn_at,
            thresholds_reached=overrun.reached(lines[row.pk], warn_at),
        )
        row_money.place_in_review(row, today)
        money.append(row_money)
    ProjectMoney.objects.bulk_create(
        money,
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=[
            "budget",
            "cost",
            "pending",
            "fee",
            "estimate_version",
            "warn_at_percent",
            "thresholds_reached",
            "currency",
            "rate",
            "updated_at",
            *REVIEW_ORDER_FIELDS,
        ],
    )


REVIEW_ORDER_FIELDS = ["over_budget", "ahead", "ordered_on"]


class RatesOn:
    """ExchangeRate.objects.rate_on, asked once per currency and day however many projects
    share them."""

    def __init__(self):
        self.known = {}

    def __call__(self, currency, day):
        if (currency, day) not in self.known:
            self.known[currency, day] = ExchangeRate.objects.rate_on(currency, day)
        return self.known[currency, day]


def project_money_rate(*, currency: str, valid_from, until, rate: Decimal) -> int:
    """A newly recorded rate applied to the money rows of the projects in `currency` that
    started from `valid_from` up to `until` (the currency's next rate, or None)."""
    money = ProjectMoney.objects.filter(currency=currency, project__start_date__gte=valid_from)
    if until is not None:
        money = money.filter(project__start_date__lt=until)
    return money.update(rate=rate)


def project_money_reorder(today=None, *, batch=1000) -> int:
    """Every hour: the review's order set again for the money rows of an earlier day, and for
    those whose project changed since (its dates, say). Returns how many rows it set."""
    today = today or timezone.localdate()
    stale = list(
        ProjectMoney.objects.filter(
            Q(ordered_on__lt=today)
            | Q(ordered_on__isnull=True)
            | Q(project__updated_at__gt=F("updated_at"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), batch):
        with transaction.atomic():
            ids = lock_rows(ProjectMoney, stale[start : start + batch])
            rows = list(
                ProjectMoney.objects.filter(pk__in=ids)
                .select_related("project")
                .only(
                    *(field.name for field in ProjectMoney._meta.concrete_fields),
                    "project__start_date",
                    "project__deadline",
                )
            )
            rates = RatesOn()
            for row in rows:
                row.place_in_review(row.project, today)
                # The project's start may have moved, and the rate with it.
                row.rate = rates(row.currency, row.project.start_date)
            # An upsert of the rows just read: one statement, where bulk_update would build
            # a CASE per field over a thousand rows.
            ProjectMoney.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["project"],
                update_fields=[*REVIEW_ORDER_FIELDS, "rate", "updated_at"],
            )
    return len(stale)


@dataclass(frozen=True)
class LineBurn:
    category: str
    label: str
    budget: Decimal
    actual: Decimal
    pending: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.actual / self.budget * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProjectBurn:
    lines: list[LineBurn]
    budget: Decimal
    actual: Decimal
    pending: Decimal
    fee: Decimal
    elapsed: Decimal  # share of the schedule behind us, 0 to 1
    warn_at_percent: int

    @property
    def percent(self) -> Decimal | None:
        return (self.actual / self.budget * 100).quantize(Decimal("0.1")) if self.budget else None

    @property
    def forecast(self) -> Decimal:
        """Cost at completion if spending goes on at the pace so far: cost so far divided by
        the share of the schedule elapsed (never below the cost so far)."""
        if self.elapsed <= 0:
            return self.actual
        return max(self.actual, (self.actual / self.elapsed).quantize(Decimal("0.01")))

    @property
    def margin(self) -> Decimal:
        return self.fee - self.actual

    @property
    def forecast_margin(self) -> Decimal:
        return self.fee - self.forecast


def project_burn(project: Project, *, approved: Estimate | None, today=None) -> ProjectBurn:
    """The project's burn per line and in all, on its `approved` estimate
    (Estimate.objects.approved_for)."""
    today = today or timezone.localdate()
    budget = working_budget(project, approved=approved)
    sums = {
        (row["category"], row["status"]): row["total"]
        for row in CostEntry.objects.filter(project=project)
        .exclude(status=CostEntry.Status.REJECTED)
        .values("category", "status")
        .annotate(total=Sum("amount"))
    }
    lines = [
        LineBurn(
            category=value,
            label=label,
            budget=budget[value],
            actual=sums.get((value, CostEntry.Status.COUNTED), Decimal("0")),
            pending=sums.get((value, CostEntry.Status.PENDING), Decimal("0")),
        )
        for value, label in Category.choices
    ]
    return ProjectBurn(
        lines=lines,
        budget=sum((line.budget for line in lines), Decimal("0")),
        actual=sum((line.actual for line in lines), Decimal("0")),
        pending=sum((line.pending for line in lines), Decimal("0")),
        fee=approved.fee if approved else Decimal("0"),
        elapsed=project.schedule_elapsed(today),
        warn_at_percent=approved.warn_at_percent if approved else overrun.DEFAULT_WARN_AT_PERCENT,
    )
