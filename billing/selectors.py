"""Finance's reads: invoices in scope, aging buckets, the collections figures, the overdue
list and DSO."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from accounts.models import of_visible_clients
from budgets.models import Estimate
from common.charts import chart, series
from projects.models import Project, Stage
from teams import permissions

from .models import ClientAging, CollectionNote, DsoMonth, Invoice

# From current to 90+ days: the later, the redder.
AGING_COLOURS = ["#198754", "#ffc107", "#fd7e14", "#dc3545", "#842029"]

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0")

DSO_PERIOD_DAYS = 90


def buckets(today, prefix=""):
    """The aging buckets: name, label, and the due dates that fall in each (of the invoices
    at `prefix`, seen from another model)."""
    day = timedelta(days=1)
    due = f"{prefix}due_date"
    return [
        ("current", _("Current"), Q(**{f"{due}__gte": today})),
        (
            "days_1_30",
            _("1–30 days"),
            Q(**{f"{due}__lt": today, f"{due}__gte": today - 30 * day}),
        ),
        (
            "days_31_60",
            _("31–60 days"),
            Q(**{f"{due}__lt": today - 30 * day, f"{due}__gte": today - 60 * day}),
        ),
        (
            "days_61_90",
            _("61–90 days"),
            Q(**{f"{due}__lt": today - 60 * day, f"{due}__gte": today - 90 * day}),
        ),
        ("days_90_plus", _("90+ days"), Q(**{f"{due}__lt": today - 90 * day})),
    ]


def _visible_clients_only(queryset, user):
    if permissions.sees_every_project(user):
        return queryset
    if permissions.works_on_account_teams(user):
        return of_visible_clients(queryset, user)
    return queryset.none()


def visible_invoices(user):
    return _visible_clients_only(Invoice.objects.all(), user)


def visible_aging(user):
    return _visible_clients_only(ClientAging.objects.all(), user)


def _is_open(prefix=""):
    return Q(
        **{
            f"{prefix}sent_at__isnull": False,
            f"{prefix}written_off_at__isnull": True,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}amount_paid__lt": F(f"{prefix}total"),
        }
    )


def open_invoices(invoices):
    """Sent, not written off or cancelled, and not fully paid."""
    return invoices.filter(_is_open())


def _outstanding(prefix=""):
    return ExpressionWrapper(F(f"{prefix}total") - F(f"{prefix}amount_paid"), output_field=MONEY)


def _in_base(amount, prefix=""):
    """An invoice's amount in the base currency, at the invoice's rate; NULL (and so left
    out of every sum) while its currency has no rate for the issue date."""
    return ExpressionWrapper(amount * F(f"{prefix}rate"), output_field=MONEY)


OUTSTANDING = _outstanding()

AGING_FIELDS = [
    "total_outstanding",
    "current",
    "days_1_30",
    "days_31_60",
    "days_61_90",
    "days_90_plus",
]
CASH_WEEKS = 8
WEEK_FIELDS = [f"expected_week_{week}" for week in range(CASH_WEEKS)]
FIGURE_FIELDS = [
    *AGING_FIELDS,
    "expected_this_month",
    "invoiced_recently",
    "overdue_invoices",
    "unconverted_invoices",
    *WEEK_FIELDS,
]


def cash_weeks(today) -> list[tuple[date, date]]:
    """The next eight weeks, Monday to Sunday, the first from today."""
    monday = today - timedelta(days=today.weekday())
    weeks = [
        (monday + timedelta(weeks=week), monday + timedelta(weeks=week + 1))
        for week in range(CASH_WEEKS)
    ]
    weeks[0] = (today, weeks[0][1])
    return weeks


def _promised_in(first, next_month):
    """The invoices whose latest collection note promises payment in this period. Only the
    few invoices with notes are looked at, not every open invoice."""
    return (
        CollectionNote.objects.filter(promised_on__gte=first, promised_on__lt=next_month)
        .exclude(
            Exists(
                CollectionNote.objects.filter(
                    invoice=OuterRef("invoice"), created_at__gt=OuterRef("created_at")
                )
            )
        )
        .values("invoice")
    )


def _with_a_promise():
    """The invoices whose latest collection note promises a date."""
    return (
        CollectionNote.objects.filter(promised_on__isnull=False)
        .exclude(
            Exists(
                CollectionNote.objects.filter(
                    invoice=OuterRef("invoice"), created_at__gt=OuterRef("created_at")
                )
            )
        )
        .values("invoice")
    )


def aging_figures(today, prefix=""):
    """The aggregates behind the collections page, over the invoices at `prefix`, in the
    base currency: what is outstanding in all and in each aging bucket, what is expected
    this month (due in it, or promised for it by the latest collection note), what was
    invoiced in the DSO period, how many invoices are overdue, and how many of those counted
    here are left out because their currency has no rate for their issue date."""
    first = today.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    due = f"{prefix}due_date"
    is_open = _is_open(prefix)
    outstanding = _in_base(_outstanding(prefix), prefix)
    recent = Q(
        **{
            f"{prefix}sent_at__isnull": False,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}issue_date__gt": today - timedelta(days=DSO_PERIOD_DAYS),
        }
    )

    def total(condition, amount=None):
        return Coalesce(Sum(amount or outstanding, filter=condition), ZERO, output_field=MONEY)

    return {
        "total_outstanding": total(is_open),
        **{name: total(is_open & condition) for name, _label, condition in buckets(today, prefix)},
        "expected_this_month": total(
            is_open
            & (
                Q(**{f"{due}__gte": first, f"{due}__lt": next_month})
                | Q(**{f"{prefix or 'pk__'}in": _promised_in(first, next_month)})
            )
        ),
        "overdue_invoices": Count(f"{prefix}pk", filter=is_open & Q(**{f"{due}__lt": today})),
        "invoiced_recently": total(recent, _in_base(F(f"{prefix}total"), prefix)),
        "unconverted_invoices": Count(
            f"{prefix}pk", filter=(is_open | recent) & Q(**{f"{prefix}rate__isnull": True})
        ),
        **{
            name: total(
                is_open
                & (
                    (
                        Q(**{f"{due}__gte": start, f"{due}__lt": end})
                        & ~Q(**{f"{prefix or 'pk__'}in": _with_a_promise()})
                    )
                    | Q(**{f"{prefix or 'pk__'}in": _promised_in(start, end)})
                )
            )
            for name, (start, end) in zip(WEEK_FIELDS, cash_weeks(today), strict=True)
        },
    }


def aging_by_client(aging):
    """The clients who owe money, the biggest debt first, as plain rows."""
    return (
        aging.filter(total_outstanding__gt=0)
        .order_by("-total_outstanding", "client__name")
        .values(*AGING_FIELDS, client_name=F("client__name"))
    )


def aging_by_ae(aging):
    """Clients' aging rows added up per lead AE, biggest first, and in all. The totals also
    carry what is expected this month, the DSO, how many clients owe money, and the day the
    oldest row was computed for."""
    rows = list(
        aging.order_by()
        .values("client__lead_ae", "client__lead_ae__full_name")
        .annotate(clients_owing=Count("pk", filter=Q(total_outstanding__gt=0)), as_of=Min("as_of"))
        .annotate(**{name: Sum(name) for name in FIGURE_FIELDS})
        .order_by("-total_outstanding", "client__lead_ae__full_name")
    )
    totals = {name: sum(row[name] for row in rows) for name in [*FIGURE_FIELDS, "clients_owing"]}
    totals["dso"] = days_sales_outstanding(totals["total_outstanding"], totals["invoiced_recently"])
    totals["as_of"] = min((row["as_of"] for row in rows), default=None)
    return [row for row in rows if row["total_outstanding"] > 0], totals


def overdue(invoices, today):
    """The overdue invoices, the longest overdue first, as plain rows: the page lists a
    hundred of them."""
    latest_note = CollectionNote.objects.filter(invoice=OuterRef("pk")).order_by("-created_at")
    return (
        open_invoices(invoices)
        .filter(due_date__lt=today)
        .order_by("due_date", "number")
        .values(
            "pk",
            "number",
            "due_date",
            "currency",
            client_name=F("client__name"),
            lead_ae_name=F("client__lead_ae__full_name"),
            outstanding_amount=OUTSTANDING,
            last_note=Subquery(latest_note.values("outcome")[:1]),
            promised_on=Subquery(latest_note.values("promised_on")[:1]),
        )
    )


def missing_rates(invoices, today):
    """The currencies and months without a rate, each with how many invoices they leave out
    of the totals: the gap the collections page names."""
    recent = Q(cancelled_at__isnull=True, issue_date__gt=today - timedelta(days=DSO_PERIOD_DAYS))
    return (
        invoices.filter(_is_open() | (Q(sent_at__isnull=False) & recent), rate__isnull=True)
        .values("currency", month=TruncMonth("issue_date"))
        .annotate(invoices=Count("pk"))
        .order_by("currency", "month")
    )


def aging_list(invoices, today):
    """The open invoices, the longest due first, each with the name of its aging bucket
    (the buckets above, so the list and the totals agree) and the last collection note, as
    plain rows."""
    bucket = Case(
        *(When(condition, then=Value(name)) for name, _label, condition in buckets(today)),
        output_field=CharField(),
    )
    latest_note = CollectionNote.objects.filter(invoice=OuterRef("pk")).order_by("-created_at")
    return (
        open_invoices(invoices)
        .order_by("due_date", "number")
        .values(
            "number",
            "issue_date",
            "due_date",
            "currency",
            bucket=bucket,
            client_name=F("client__name"),
            lead_ae_name=F("client__lead_ae__full_name"),
            outstanding_amount=OUTSTANDING,
            last_note=Subquery(latest_note.values("outcome")[:1]),
            promised_on=Subquery(latest_note.values("promised_on")[:1]),
        )
    )


def days_sales_outstanding(receivable, invoiced):
    """DSO over the last 90 days: money outstanding ÷ invoiced in the period × 90."""
    if not invoiced:
        return None
    return (receivable / invoiced * DSO_PERIOD_DAYS).quantize(Decimal("0.1"))


DESK_ROWS = 10
DSO_MONTHS = 12


def month_ends(today) -> list[date]:
    """The last day of each of the twelve months before this one, oldest first."""
    ends, first = [], today.replace(day=1)
    for _month in range(DSO_MONTHS):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return ends[::-1]


@dataclass
class FinanceDesk:
    """What finance's day starts from: the totals of the collections page, the longest
    overdue invoices with their last note, and the projects with an approved budget and
    nothing invoiced yet."""

    totals: dict
    overdue: list
    ready_to_invoice: list
    cash_weeks: list
    dso_trend: list
    charts: dict


def finance_desk(user, today) -> FinanceDesk:
    """Three queries whatever the size of the agency: the aging totals (from the clients'
    aging rows), the first overdue invoices, and the first projects ready to invoice."""
    _by_ae, totals = aging_by_ae(visible_aging(user))
    invoiced = Invoice.objects.filter(project=OuterRef("pk"), cancelled_at__isnull=True)
    approved = Estimate.objects.filter(project=OuterRef("pk"), status=Estimate.Status.APPROVED)
    ready = (
        Project.objects.visible_to(user)
        .exclude(stage=Stage.CLOSED)
        .filter(Exists(approved))
        .exclude(Exists(invoiced))
        .select_related("client")
        .order_by("start_date", "pk")[:DESK_ROWS]
    )
    cash = [
        (start, totals[name])
        for name, (start, _end) in zip(WEEK_FIELDS, cash_weeks(today), strict=True)
    ]
    months = {
        row.month: row.days
        for row in DsoMonth.objects.filter(month__gte=month_ends(today)[0].replace(day=1))
    }
    trend = [(end.replace(day=1), months.get(end.replace(day=1))) for end in month_ends(today)]
    trend.append((today.replace(day=1), totals["dso"]))
    aging = buckets(today)
    return FinanceDesk(
        totals=totals,
        overdue=list(overdue(visible_invoices(user), today)[:DESK_ROWS]),
        ready_to_invoice=list(ready),
        cash_weeks=cash,
        dso_trend=trend,
        charts={
            "aging": chart(
                "bar",
                [label for _name, label, _condition in aging],
                series(
                    _("Outstanding"),
                    [totals[name] for name, _label, _condition in aging],
                    colors=AGING_COLOURS,
                ),
            ),
            "cash": chart(
                "bar",
                [f"{start:%m-%d}" for start, _amount in cash],
                series(_("Expected"), [amount for _start, amount in cash]),
            ),
            "dso": chart(
                "line",
                [f"{month:%Y-%m}" for month, _days in trend],
                series(_("DSO (days)"), [days for _month, days in trend]),
            ),
        },
    )


def overdue_by_client(user, client_ids) -> dict[int, Decimal]:
    """Per client, what is overdue (outstanding past its due date) in the base currency,
    from the clients' aging rows: one query."""
    rows = (
        visible_aging(user)
        .filter(client__in=client_ids)
        .values_list("client", F("total_outstanding") - F("current"))
    )
    return {client: amount for client, amount in rows if amount > 0}


def with_status(invoices, status, today):
    """The invoices whose status on `today` is `status`, decided in SQL the way
    Invoice.status() decides it in Python."""
    Status = Invoice.Status
    live = Q(cancelled_at__isnull=True, written_off_at__isnull=True)
    sent = live & Q(sent_at__isnull=False)
    paid = Q(total__gt=0, amount_paid__gte=F("total"))
    conditions = {
        Status.CANCELLED: Q(cancelled_at__isnull=False),
        Status.WRITTEN_OFF: Q(cancelled_at__isnull=True, written_off_at__isnull=False),
        Status.DRAFT: live & Q(sent_at__isnull=True),
        Status.PAID: sent & paid,
        Status.OVERDUE: sent & ~paid & Q(due_date__lt=today),
        Status.PARTLY_PAID: sent & ~paid & Q(due_date__gte=today, amount_paid__gt=0),
        Status.SENT: sent & ~paid & Q(due_date__gte=today, amount_paid__lte=0),
    }
    return invoices.filter(conditions[status])
