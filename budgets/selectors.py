from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Client, ProposalRound
from common.charts import chart, series
from common.money import base_currency
from projects.models import Project, Stage, StrategyBrief
from teams import permissions

from .models import (
    Category,
    ChangeOrder,
    ChangeOrderLine,
    CostEntry,
    Estimate,
    EstimateLine,
    ProjectMoney,
    SpendPlan,
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


@dataclass
class Waiting:
    """One thing waiting in the approvals inbox: what it is, whose client, since when, where
    it is decided, and whether the reader made it (then another director signs it off) or
    it waits for the client rather than for a director."""

    kind: str
    title: str
    client: str
    since: datetime
    url: str
    yours: bool = False
    for_the_client: bool = False
    amount: Decimal | None = None
    currency: str = ""


def _waiting(user):
    """The querysets of what waits for a director's decision, or for the client's approval,
    among what `user` sees; each with the moment it started waiting as `since`. Whoever sees
    every project reads them unfiltered: a subquery naming every project only costs."""
    everything = permissions.sees_every_project(user)

    def in_scope(queryset, field="project"):
        if everything:
            return queryset
        scope = Client if field == "client" else Project
        return queryset.filter(**{f"{field}__in": scope.objects.visible_to(user)})

    return {
        "brief": in_scope(
            StrategyBrief.objects.filter(status=StrategyBrief.Status.SUBMITTED)
        ).annotate(since=F("submitted_at")),
        "estimate": in_scope(Estimate.objects.filter(status=Estimate.Status.SUBMITTED)).annotate(
            since=F("updated_at")
        ),
        "spend_plan": in_scope(
            SpendPlan.objects.filter(status=SpendPlan.Status.DRAFT), "client"
        ).annotate(since=F("submitted_at")),
        "cost": in_scope(CostEntry.objects.pending()).annotate(since=F("created_at")),
        "change_order": in_scope(
            ChangeOrder.objects.filter(client_approved_on__isnull=True)
        ).annotate(since=F("created_at")),
    }


def approvals(user, limit=50) -> list[Waiting]:
    """Everything waiting for sign-off in one list, oldest first: five queries, each of
    at most `limit` rows."""
    waiting = _waiting(user)
    rows = []
    versions = [
        (
            "brief",
            _("Strategy brief"),
            lambda brief: reverse("projects:brief_review", args=[brief.project_id, brief.pk]),
        ),
        (
            "estimate",
            _("Estimate"),
            lambda estimate: reverse(
                "budgets:estimate_review", args=[estimate.project_id, estimate.pk]
            ),
        ),
    ]
    for kind, label, url in versions:
        for version in waiting[kind].select_related("project__client").order_by("since")[:limit]:
            rows.append(
                Waiting(
                    label,
                    _("%(project)s, version %(version)s")
                    % {"project": version.project, "version": version.version},
                    version.project.client.name,
                    version.since,
                    url(version),
                    yours=user.pk in (version.author_id, version.submitted_by_id),
                )
            )
    for plan in waiting["spend_plan"].select_related("client").order_by("since")[:limit]:
        rows.append(
            Waiting(
                _("Spend plan"),
                plan.name,
                plan.client.name,
                plan.since,
                reverse("budgets:spend_plan_detail", args=[plan.pk]),
                yours=plan.created_by_id == user.pk,
            )
        )
    for cost in waiting["cost"].select_related("project__client").order_by("since")[:limit]:
        rows.append(
            Waiting(
                _("Cost past the budget"),
                f"{cost.project}: {cost.get_category_display()}",
                cost.project.client.name,
                cost.since,
                reverse("budgets:project_budget", args=[cost.project_id]),
                yours=cost.entered_by_id == user.pk,
                amount=cost.amount,
                currency=cost.project.currency,
            )
        )
    for order in (
        waiting["change_order"].select_related("project__client").order_by("since")[:limit]
    ):
        rows.append(
            Waiting(
                _("Change order"),
                f"{order.project}: {order.reason}",
                order.project.client.name,
                order.since,
                reverse("budgets:project_budget", args=[order.project_id]),
                for_the_client=True,
            )
        )
    rows.sort(key=lambda row: row.since)
    return rows[:limit]


def approvals_count(user) -> int:
    """How many things wait for a director's decision, in one query (what waits for the
    client is not theirs to decide)."""
    waiting = _waiting(user)
    keys = [
        waiting[kind].order_by().values_list("pk") for kind in waiting if kind != "change_order"
    ]
    return keys[0].union(*keys[1:], all=True).count()


@dataclass
class EstimateReview:
    """What a director reads before signing off a version: each line against the version
    it would replace, and the fee and the margin it implies."""

    rows: list  # (label, this version, the one before or None, change or None)
    previous: Estimate | None
    total: Decimal
    previous_total: Decimal | None
    fee: Decimal
    margin: Decimal
    margin_percent: Decimal | None


def estimate_review(estimate: Estimate) -> EstimateReview:
    """Compares with the approved version it would replace, or else the version before it:
    two queries."""
    earlier = estimate.project.estimates.exclude(pk=estimate.pk).filter(
        version__lt=estimate.version
    )
    previous = (
        earlier.filter(status=Estimate.Status.APPROVED).order_by("-version").first()
        or earlier.order_by("-version").first()
    )
    amounts = {}
    for line in EstimateLine.objects.filter(
        estimate__in=[estimate.pk] + ([previous.pk] if previous else [])
    ):
        amounts[(line.estimate_id, line.category)] = line.amount
    rows = []
    for category, label in Category.choices:
        now = amounts.get((estimate.pk, category), ZERO)
        before = amounts.get((previous.pk, category), ZERO) if previous else None
        rows.append((label, now, before, None if before is None else now - before))
    total = sum((row[1] for row in rows), ZERO)
    previous_total = sum((row[2] for row in rows), ZERO) if previous else None
    margin = estimate.fee - total
    return EstimateReview(
        rows=rows,
        previous=previous,
        total=total,
        previous_total=previous_total,
        fee=estimate.fee,
        margin=margin,
        margin_percent=(margin * 100 / estimate.fee).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if estimate.fee
        else None,
    )


DESK_ROWS = 10


@dataclass
class DirectorDesk:
    """What a director's day starts from: what waits for them, the projects to watch (over
    budget, or burning ahead of the schedule), the late ones, and the thinnest margins."""

    approvals: list
    watch: list
    late: list
    clients: list
    rounds: list
    charts: dict


def rounds_this_quarter(today) -> list[dict]:
    """Per client, the proposal rounds opened this quarter and how many of them are past
    what the fee includes (re-pitch), the most re-pitched first: one query."""
    first = datetime(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    repitch = Q(number__gt=F("proposal__client__allowed_proposal_rounds"))
    return list(
        ProposalRound.objects.filter(created_at__gte=timezone.make_aware(first))
        .values(client=F("proposal__client"), client_name=F("proposal__client__name"))
        .annotate(rounds=Count("pk"), repitch=Count("pk", filter=repitch))
        .order_by("-repitch", "-rounds", "client_name")[:DESK_ROWS]
    )


def director_desk(user, today=None) -> DirectorDesk:
    """Ten queries whatever the size of the agency: five for what waits, one for the
    projects to watch, one for the late ones, two for the margins per client and one for
    the proposal rounds of the quarter."""
    today = today or timezone.localdate()
    money = visible_money(user)
    watch = list(budget_review(money).filter(Q(over_budget=True) | Q(ahead__gt=0))[:DESK_ROWS])
    for row in watch:
        row.elapsed = row.project.schedule_elapsed(today)
    late = list(
        Project.objects.visible_to(user)
        .late(today)
        .select_related("client")
        .order_by("deadline", "pk")[:DESK_ROWS]
    )
    clients = with_client_names(list(margin_by_client(money)[:DESK_ROWS]))
    rounds = rounds_this_quarter(today)
    return DirectorDesk(
        approvals=approvals(user, limit=DESK_ROWS),
        watch=watch,
        late=late,
        clients=clients,
        rounds=rounds,
        charts={
            "margin": chart(
                "bar",
                [row["client_name"] for row in clients],
                series(
                    _("Margin (%(currency)s)") % {"currency": base_currency()},
                    [row["margin"] for row in clients],
                ),
            ),
            "burn": chart(
                "bar",
                [row.project.job_number for row in watch],
                series(_("Budget burnt (%)"), [row.burn for row in watch]),
                series(
                    _("Schedule behind us (%)"),
                    [(row.elapsed * 100).quantize(Decimal("0.1")) for row in watch],
                ),
            ),
            "rounds": chart(
                "bar",
                [row["client_name"] for row in rounds],
                series(_("Rounds included"), [row["rounds"] - row["repitch"] for row in rounds]),
                series(_("Re-pitch rounds"), [row["repitch"] for row in rounds]),
                stacked=True,
            ),
        },
    )


def burn_by_client(client_ids) -> dict[int, dict]:
    """Per client, over its open budgeted projects: the highest burn (cost as a percentage
    of the working budget) and how many are over budget, from the money rows: one query."""
    rows = (
        budgeted(ProjectMoney.objects.filter(project__client__in=client_ids))
        .order_by()
        .values(client=F("project__client"))
        .annotate(
            worst=Max(ExpressionWrapper(F("cost") * 100 / F("budget"), output_field=PERCENT)),
            over=Count("pk", filter=Q(over_budget=True)),
            projects=Count("pk"),
        )
    )
    return {row["client"]: row for row in rows}


CHART_PROJECTS = 12


def burn_against_schedule(user, today) -> list[dict]:
    """The open budgeted projects `user` runs as AE, those furthest ahead of their schedule
    first: each with its burn and how much of its schedule is behind it, in percent."""
    rows = (
        budgeted(ProjectMoney.objects.filter(project__owner=user))
        .select_related("project")
        .only("budget", "cost", "project__job_number", "project__start_date", "project__deadline")
        .order_by("-over_budget", "-ahead", "project_id")[:CHART_PROJECTS]
    )
    return [
        {
            "project": row.project_id,
            "job_number": row.project.job_number,
            "burn": float(row.burn),
            "schedule": float((row.project.schedule_elapsed(today) * 100).quantize(Decimal("0.1"))),
        }
        for row in rows
    ]
