from decimal import Decimal

from django.db.models import (
    BooleanField,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

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


class ElapsedShare(Func):
    """The share of a schedule behind us on `today`, 0 to 1, computed in PostgreSQL."""

    output_field = DecimalField(max_digits=12, decimal_places=6)

    def __init__(self, start, end, today):
        super().__init__(F(start), F(end), Value(today, output_field=DateField()))

    def as_sql(self, compiler, connection, **extra):
        (start, start_params), (end, end_params), (today, today_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if start_params or end_params:
            raise ValueError("ElapsedShare takes plain date columns")
        length = f"GREATEST({end} - {start}, 1)"
        sql = f"(LEAST(GREATEST({today} - {start}, 0), {length})::numeric / {length})"
        return sql, today_params


def visible_money(user):
    if permissions.sees_every_project(user):
        return ProjectMoney.objects.all()
    return ProjectMoney.objects.filter(project__in=Project.objects.visible_to(user))


def budgeted(money):
    """The money rows of open projects with a working budget."""
    return money.filter(budget__gt=0).exclude(project__stage=Stage.CLOSED)


# What the review shows of each row, its project and client; the rest stays in the database.
REVIEW_FIELDS = [
    "budget",
    "cost",
    "pending",
    "fee",
    "project__job_number",
    "project__name",
    "project__client__name",
]


def budget_review(money, today=None):
    """Open projects with a working budget: over budget first, then by how many points burn
    runs ahead of the share of the schedule elapsed on `today`, then by deadline. The order
    depends on the day, so it is worked out when the page is read."""
    today = today or timezone.localdate()
    elapsed = ElapsedShare("project__start_date", "project__deadline", today)
    return (
        budgeted(money)
        .select_related("project__client")
        .only(*REVIEW_FIELDS)
        .annotate(
            elapsed=elapsed,
            over_budget=ExpressionWrapper(Q(cost__gt=F("budget")), output_field=BooleanField()),
            ahead=ExpressionWrapper(
                F("cost") * 100 / F("budget") - elapsed * 100, output_field=PERCENT
            ),
        )
        .order_by("-over_budget", "-ahead", "project__deadline", "project")
    )


def margin_by_client(money, limit=None):
    """Fee less cost over each client's open budgeted projects, the thinnest first."""
    rows = (
        budgeted(money)
        .values("project__client")
        .annotate(
            margin=Sum("fee") - Sum("cost"),
            client_name=F("project__client__name"),
            currency=F("project__client__currency"),
        )
        .order_by("margin", "client_name")
    )
    return rows if limit is None else rows[:limit]
