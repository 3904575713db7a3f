from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.models import Client
from projects.models import Project, Stage
from teams import permissions

from .models import (
    ChangeOrderLine,
    CostEntry,
    Estimate,
    EstimateLine,
    ProjectMoney,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)
PERCENT = DecimalField(max_digits=16, decimal_places=4)
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
    approved = Estimate.objects.approved().filter(project=OuterRef(OuterRef("pk")))
    latest_approved = Estimate.objects.approved().filter(project=OuterRef("pk"))
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


def line_figures(project_ids) -> dict[int, dict[str, tuple[Decimal, Decimal]]]:
    """Per project and budget line: the working budget (the latest approved estimate's line
    and the client-approved change orders) and the counted cost, in three grouped queries.
    Every project given has an entry; lines with neither budget nor cost are left out."""
    latest = (
        Estimate.objects.approved()
        .filter(project__in=project_ids)
        .order_by("project_id", "-version")
        .distinct("project_id")
        .values("pk")
    )
    budgets = EstimateLine.objects.filter(estimate__in=latest).values_list(
        "estimate__project", "category", "amount"
    )
    changes = (
        ChangeOrderLine.objects.filter(
            change_order__project__in=project_ids, change_order__client_approved_on__isnull=False
        )
        .values_list("change_order__project", "category")
        .annotate(total=Sum("delta"))
        .order_by()
    )
    costs = (
        CostEntry.objects.counted()
        .filter(project__in=project_ids)
        .values_list("project", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    figures = {pk: {} for pk in project_ids}
    for rows, spent in ((budgets, False), (changes, False), (costs, True)):
        for project, category, amount in rows:
            budget, cost = figures[project].get(category, (ZERO, ZERO))
            figures[project][category] = (
                (budget, cost + amount) if spent else (budget + amount, cost)
            )
    return figures


def visible_money(user):
    if permissions.sees_every_project(user):
        return ProjectMoney.objects.all()
    return ProjectMoney.objects.filter(project__in=Project.objects.visible_to(user))


def budgeted(money):
    """The money rows of open projects with a working budget."""
    return money.filter(budget__gt=0).exclude(project__stage=Stage.CLOSED)


# What the review shows of each row, its project and client; the rest stays in the database.
REVIEW_FIELDS = [
    "currency",
    "budget",
    "cost",
    "pending",
    "fee",
    "ahead",
    "project__job_number",
    "project__name",
    "project__start_date",
    "project__deadline",
    "project__client__name",
]


def budget_review(money):
    """Open projects with a working budget: over budget first, then by how many points burn
    runs ahead of the schedule; read in that order from an index on the money rows."""
    return (
        budgeted(money)
        .select_related("project__client")
        .only(*REVIEW_FIELDS)
        .order_by("-over_budget", "-ahead", "project_id")
    )


def margin_by_client(money):
    """Per client with open budgeted projects: how many, and fee less cost over them in the
    base currency (each project at its rate; one without a rate is left out and counted in
    `unconverted`), the thinnest margin first. One row per client, so the review also
    counts its projects here. The grouping is by the client's id alone; name the rows shown
    with `client_names`."""
    in_base = ExpressionWrapper((F("fee") - F("cost")) * F("rate"), output_field=MONEY)
    return (
        budgeted(money)
        .values(client=F("project__client"))
        .annotate(
            projects=Count("pk"),
            margin=Coalesce(Sum(in_base), ZERO, output_field=MONEY),
            unconverted=Count("pk", filter=Q(rate__isnull=True)),
        )
        .order_by("margin", "client")
    )


def with_client_names(rows):
    """The margin rows given, each with its client's name, in one query."""
    names = Client.objects.in_bulk([row["client"] for row in rows])
    return [{**row, "client_name": names[row["client"]].name} for row in rows]
