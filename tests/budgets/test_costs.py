import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import ExchangeRate
from budgets import services
from budgets.models import CostEntry, Estimate, ProjectMoney
from budgets.overrun import PROJECT, Crossing
from tests.factories import ApprovedEstimateFactory, ClientFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def director():
    return UserFactory(role="account_director")


def budgeted(director, *, approval_past_budget=False, **project_fields):
    return ApprovedEstimateFactory(
        project=ProjectFactory(**project_fields),
        director=director,
        lines={"production": D("10000"), "staff_time": D("5000")},
        fee=D("25000"),
        director_approval_past_budget=approval_past_budget,
    ).project


def vendor_cost(project, amount, category="production"):
    return services.cost_entry_create(
        project=project,
        entered_by=project.owner,
        category=category,
        incurred_on=TODAY,
        kind="vendor",
        vendor="Shanghai Film Co.",
        amount=D(amount),
    )


def test_staff_time_is_priced_at_the_persons_cost_rate_when_entered(director):
    project = budgeted(director)
    editor = UserFactory(role="staff", cost_rate=D("250.00"))

    recorded = services.cost_entry_create(
        project=project,
        entered_by=project.owner,
        category="staff_time",
        incurred_on=TODAY,
        kind="staff_time",
        person=editor,
        hours=D("7.5"),
    )
    editor.cost_rate = D("400")
    editor.save()

    recorded.entry.refresh_from_db()
    assert recorded.entry.amount == D("1875.00")
    assert recorded.entry.cost_rate == D("250.00")


def test_a_cost_reports_the_thresholds_it_crosses_once_per_line_and_for_the_project(director):
    project = budgeted(director)  # production 10,000 and staff time 5,000, warning at 80 %

    assert vendor_cost(project, "7000").crossed == []
    assert vendor_cost(project, "1500").crossed == [Crossing("production", 80)]
    assert vendor_cost(project, "500").crossed == []
    assert vendor_cost(project, "1000").crossed == [Crossing("production", 100)]
    assert vendor_cost(project, "1").crossed == []
    # 13,001 of 15,000 in all: the project passes 80 % while staff time stays at 60 %.
    assert vendor_cost(project, "3000", category="staff_time").crossed == [Crossing(PROJECT, 80)]
    assert ProjectMoney.objects.get(project=project).thresholds_reached == {
        "production": 100,
        PROJECT: 80,
    }


def test_a_line_past_its_budget_is_over_even_when_the_project_is_not(director):
    project = ApprovedEstimateFactory(
        director=director, lines={"production": D("1000"), "creative": D("100000")}
    ).project

    # One threshold, the highest: not "used 80 %" and "used 100 %" at once.
    assert vendor_cost(project, "1200").crossed == [Crossing("production", 100)]


def test_cost_on_a_line_without_budget_is_over_from_the_start(director):
    project = budgeted(director)

    assert vendor_cost(project, "10", category="media").crossed == [Crossing("media", 100)]


def test_a_project_with_one_line_is_judged_as_a_whole(director):
    project = ApprovedEstimateFactory(director=director, lines={"production": D("1000")}).project

    assert vendor_cost(project, "900").crossed == [Crossing(PROJECT, 80)]
    assert vendor_cost(project, "100").crossed == [Crossing(PROJECT, 100)]


def test_burn_forecast_and_margin(director):
    project = budgeted(
        director, start_date=TODAY - dt.timedelta(days=25), deadline=TODAY + dt.timedelta(days=75)
    )
    vendor_cost(project, "6000")
    vendor_cost(project, "1500", category="staff_time")

    burn = services.project_burn(
        project, approved=Estimate.objects.approved_for(project), today=TODAY
    )

    production = next(line for line in burn.lines if line.category == "production")
    assert production.percent == D("60.0")
    assert (burn.budget, burn.actual) == (D("15000"), D("7500"))
    assert burn.percent == D("50.0")
    assert burn.elapsed == D("0.25")
    assert burn.forecast == D("30000.00")
    assert burn.margin == D("17500")
    assert burn.forecast_margin == D("-5000.00")


def test_past_100_percent_a_cost_waits_for_a_director_when_the_estimate_says_so(director):
    project = budgeted(director, approval_past_budget=True)
    vendor_cost(project, "9000")

    over = vendor_cost(project, "2000")

    assert over.entry.status == "pending"
    assert over.crossed == []
    burn = services.project_burn(project, approved=Estimate.objects.approved_for(project))
    production = next(line for line in burn.lines if line.category == "production")
    assert (production.actual, production.pending) == (D("9000"), D("2000"))
    with pytest.raises(services.Refused):
        services.cost_entry_decide(entry=over.entry, decided_by=project.owner, approve=True)
    services.cost_entry_decide(entry=over.entry, decided_by=director, approve=True)
    production = next(
        line
        for line in services.project_burn(
            project, approved=Estimate.objects.approved_for(project)
        ).lines
        if line.category == "production"
    )
    assert (production.actual, production.pending) == (D("11000"), D("0"))


def test_the_database_refuses_bad_costs(director):
    project = budgeted(director)

    with pytest.raises(IntegrityError), transaction.atomic():
        CostEntry.objects.create(
            project=project,
            entered_by=project.owner,
            category="media",
            incurred_on=TODAY,
            kind="vendor",
            vendor="X",
            amount=D("-1"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CostEntry.objects.create(
            project=project,
            entered_by=project.owner,
            category="media",
            incurred_on=TODAY,
            kind="staff_time",
            amount=D("10"),
        )


def test_cost_entries_keep_their_history(director):
    project = budgeted(director, approval_past_budget=True)
    pending = vendor_cost(project, "20000").entry

    services.cost_entry_decide(entry=pending, decided_by=director, approve=False)

    assert list(pending.events.order_by("pgh_id").values_list("status", flat=True)) == [
        "pending",
        "rejected",
    ]


def test_a_cost_past_the_limit_or_of_nothing_is_refused_by_the_service(director):
    project = budgeted(director)

    for amount in ("99999999999.99", "1000000000.01", "0"):
        with pytest.raises(services.Refused) as refused:
            vendor_cost(project, amount)
        assert refused.value.field == "amount"
    assert vendor_cost(project, "1000000000.00").entry.amount == D("1000000000.00")


def test_a_directors_own_cost_past_the_budget_waits_for_another_director(director):
    project = budgeted(director, approval_past_budget=True)
    project.owner = director  # a director running the project themselves
    over = services.cost_entry_create(
        project=project,
        entered_by=director,
        category="production",
        incurred_on=TODAY,
        kind="vendor",
        vendor="Shanghai Film Co.",
        amount=D("12000"),
    )
    assert over.entry.status == "pending"

    with pytest.raises(services.Refused, match="Another director"):
        services.cost_entry_decide(entry=over.entry, decided_by=director, approve=True)
    services.cost_entry_decide(
        entry=over.entry, decided_by=UserFactory(role="account_director"), approve=True
    )
    over.entry.refresh_from_db()
    assert over.entry.status == "counted"


def test_a_reversal_corrects_a_cost_without_losing_it(director):
    project = budgeted(director)  # production 10,000 and staff time 5,000
    mistaken = vendor_cost(project, "99999").entry
    money = ProjectMoney.objects.get(project=project)
    assert money.cost == D("99999")
    assert money.thresholds_reached["production"] == 100

    reversal = services.cost_entry_reverse(
        entry=mistaken, reversed_by=project.owner, reason="Typed one 9 too many"
    )

    assert (reversal.amount, reversal.reverses, reversal.reason) == (
        D("-99999"),
        mistaken,
        "Typed one 9 too many",
    )
    assert (reversal.category, reversal.incurred_on) == (mistaken.category, mistaken.incurred_on)
    money.refresh_from_db()
    assert money.cost == D("0")
    assert money.thresholds_reached == {}
    assert CostEntry.objects.filter(pk=mistaken.pk).exists()
    assert vendor_cost(project, "9999").crossed == [Crossing("production", 80)]


def test_a_reversal_needs_a_reason_and_happens_once(director):
    project = budgeted(director)
    entry = vendor_cost(project, "100").entry

    with pytest.raises(services.Refused) as refused:
        services.cost_entry_reverse(entry=entry, reversed_by=project.owner, reason="  ")
    assert refused.value.field == "reason"
    reversal = services.cost_entry_reverse(entry=entry, reversed_by=project.owner, reason="Dup")
    with pytest.raises(services.Refused, match="reversed already"):
        services.cost_entry_reverse(entry=entry, reversed_by=project.owner, reason="Again")
    with pytest.raises(services.Refused, match="a reversal itself"):
        services.cost_entry_reverse(entry=reversal, reversed_by=project.owner, reason="Undo")
    with pytest.raises(services.Refused):
        services.cost_entry_reverse(
            entry=entry, reversed_by=UserFactory(role="staff"), reason="Not mine to do"
        )
    assert project.cost_entries.count() == 2


def test_staff_time_is_reversed_hours_and_all(director):
    project = budgeted(director)
    editor = UserFactory(role="staff", cost_rate=D("200"))
    entry = services.cost_entry_create(
        project=project,
        entered_by=project.owner,
        category="staff_time",
        incurred_on=TODAY,
        kind="staff_time",
        person=editor,
        hours=D("3"),
    ).entry

    reversal = services.cost_entry_reverse(
        entry=entry, reversed_by=UserFactory(role="finance"), reason="Booked to the wrong job"
    )

    assert (reversal.hours, reversal.amount, reversal.person) == (D("-3"), D("-600.00"), editor)
    assert ProjectMoney.objects.get(project=project).cost == D("0")


def test_a_cost_waiting_for_a_director_is_rejected_not_reversed(director):
    project = budgeted(director, approval_past_budget=True)
    waiting = vendor_cost(project, "12000").entry

    with pytest.raises(services.Refused, match="rejects"):
        services.cost_entry_reverse(entry=waiting, reversed_by=project.owner, reason="Oops")


def test_staff_time_on_a_project_in_another_currency_counts_at_the_days_rate(director):
    project = ApprovedEstimateFactory(
        project=ProjectFactory(client=ClientFactory(currency="USD")),
        director=director,
        lines={"staff_time": D("5000")},
    ).project
    editor = UserFactory(role="staff", cost_rate=D("250.00"))

    def staff_time():
        return services.cost_entry_create(
            project=project,
            entered_by=project.owner,
            category="staff_time",
            incurred_on=TODAY,
            kind="staff_time",
            person=editor,
            hours=D("7.5"),
        ).entry

    with pytest.raises(services.Refused, match="No USD rate") as refused:
        staff_time()
    assert refused.value.field == "hours"
    ExchangeRate.objects.create(
        currency="USD", valid_from=TODAY, rate=D("7"), recorded_by=UserFactory(role="finance")
    )

    # 7.5 h at CNY 250 is CNY 1,875: USD 267.86.
    assert staff_time().amount == D("267.86")
