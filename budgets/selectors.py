from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import Stage

from .models import ChangeOrderLine, CostEntry, Estimate, EstimateLine

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0")


def _total(queryset, group, field):
    """A subquery summing `field` over the rows of `queryset` (filtered on OuterRef)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1],
            output_field=MONEY,
        ),
        ZERO,
        output_field=MONEY,
    )


def with_money(projects):
    """Each project's working budget, fee and counted cost, in one query."""
    approved = Estimate.objects.filter(
        project=OuterRef(OuterRef("pk")), status=Estimate.Status.APPROVED
    ).order_by("-version")
    latest_approved = Estimate.objects.filter(
        project=OuterRef("pk"), status=Estimate.Status.APPROVED
    ).order_by("-version")
    return projects.annotate(
        estimate_total=_total(
            EstimateLine.objects.filter(estimate=Subquery(approved.values("pk")[:1])),
            "estimate",
            "amount",
        ),
        changes_total=_total(
            ChangeOrderLine.objects.filter(
                change_order__project=OuterRef("pk"), change_order__client_approved_on__isnull=False
            ),
            "change_order__project",
            "delta",
        ),
        cost_total=_total(
            CostEntry.objects.filter(project=OuterRef("pk"), status=CostEntry.Status.COUNTED),
            "project",
            "amount",
        ),
        pending_total=_total(
            CostEntry.objects.filter(project=OuterRef("pk"), status=CostEntry.Status.PENDING),
            "project",
            "amount",
        ),
        fee=Coalesce(
            Subquery(latest_approved.values("fee")[:1], output_field=MONEY),
            ZERO,
            output_field=MONEY,
        ),
    )


@dataclass
class ProjectMoney:
    project: object
    budget: Decimal
    cost: Decimal
    pending: Decimal
    fee: Decimal
    elapsed: Decimal

    @property
    def burn(self) -> Decimal | None:
        return (self.cost / self.budget * 100).quantize(Decimal("0.1")) if self.budget else None

    @property
    def ahead_of_schedule(self) -> Decimal:
        """How far burn runs ahead of the share of the schedule elapsed, in points."""
        return (self.burn or ZERO) - self.elapsed * 100

    @property
    def margin(self) -> Decimal:
        return self.fee - self.cost


def budget_review(projects, today=None):
    """Open projects with a working budget: over budget first, then by how far burn runs
    ahead of the schedule."""
    today = today or timezone.localdate()
    budgeted = projects.exclude(stage=Stage.CLOSED).filter(
        Exists(Estimate.objects.filter(project=OuterRef("pk"), status=Estimate.Status.APPROVED))
    )
    rows = []
    for project in with_money(budgeted.select_related("client")):
        budget = project.estimate_total + project.changes_total
        if not budget:
            continue
        length = max((project.deadline - project.start_date).days, 1)
        elapsed = Decimal(min(max((today - project.start_date).days, 0), length)) / length
        rows.append(
            ProjectMoney(
                project=project,
                budget=budget,
                cost=project.cost_total,
                pending=project.pending_total,
                fee=project.fee,
                elapsed=elapsed,
            )
        )
    rows.sort(key=lambda row: (row.cost <= row.budget, -row.ahead_of_schedule))
    return rows


def margin_by_client(rows):
    clients = {}
    for row in rows:
        entry = clients.setdefault(
            row.project.client_id,
            {"client": row.project.client, "fee": ZERO, "cost": ZERO},
        )
        entry["fee"] += row.fee
        entry["cost"] += row.cost
    result = [{**entry, "margin": entry["fee"] - entry["cost"]} for entry in clients.values()]
    return sorted(result, key=lambda entry: entry["margin"])
