"""Each role's desk, the page they land on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import services as billing
from budgets import services as budgets
from projects import services
from tests.factories import (
    ApprovedEstimateFactory,
    DepartmentFactory,
    InvoiceFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


def titles(tasks):
    return [task.title for task in tasks]


def test_the_staff_desk_shows_today_this_week_and_what_waits_on_others(client):
    today = timezone.localdate()
    creative = DepartmentFactory(name="Creative", code="creative")
    designer = UserFactory(role="staff", full_name="Zhao Min", department=creative)
    project = ProjectFactory(start_date=today - dt.timedelta(days=20))
    owner = project.owner

    def task(title, due_in, **fields):
        return TaskFactory(
            project=project,
            title=title,
            department=creative,
            due_on=today + dt.timedelta(days=due_in),
            **{"assignee": designer, **fields},
        )

    task("Late storyboard", -2)
    task("Logo due today", 0)
    strategy = task("Strategy deck", 1, assignee=UserFactory(role="staff"))
    task("Key visual", 5, waits_on=strategy)
    task("Banner set", 3)
    task("For the department", 4, assignee=None)
    task("Film edit", 20)
    research = task("Consumer research", 2, assignee=UserFactory(role="staff"))
    task("Copy deck", 6, waits_on=research)
    finished = task("Old poster", 1)
    services.task_set_status(task=finished, status="done", changed_by=owner)
    task("Not mine", 0, assignee=UserFactory(role="staff"))
    services.task_set_status(
        task=strategy, status="done", changed_by=owner, handoff_note="Option B won."
    )
    client.force_login(designer)

    page = client.get(reverse("home"))

    desk = page.context["desk"]
    assert titles(desk.today) == ["Late storyboard", "Logo due today", "Key visual"]
    assert titles(desk.week) == ["Banner set", "For the department"]
    assert titles(desk.waiting) == ["Copy deck"]
    assert desk.open_count == 7  # the film edit, three weeks out, is counted, not shown
    assert "Option B won." in page.text
    assert "Waits on “Consumer research”" in page.text
    assert "Not mine" not in page.text
    assert "Old poster" not in page.text


def director_world(director, size):
    """`size` projects over budget, one late, and a cost waiting for the director."""
    today = timezone.localdate()
    for number in range(size):
        project = ProjectFactory(name=f"Launch {number}")
        ApprovedEstimateFactory(
            project=project,
            director=director,
            lines={"production": D("1000")},
            director_approval_past_budget=number == 0,
        )
        budgets.cost_entry_create(
            project=project,
            entered_by=project.owner,
            category="production",
            incurred_on=today,
            kind="vendor",
            vendor="Studio",
            amount=D("1500"),
        )
    return ProjectFactory(
        name="Farm open day",
        start_date=today - dt.timedelta(days=40),
        deadline=today - dt.timedelta(days=3),
    )


def test_the_director_desk_puts_what_waits_first_then_what_to_watch(client):
    director = UserFactory(role="account_director")
    late = director_world(director, 3)
    client.force_login(director)

    page = client.get(reverse("home"))

    desk = page.context["desk"]
    assert [str(row.kind) for row in desk.approvals] == ["Cost past the budget"]
    assert sorted(row.project.name for row in desk.watch) == ["Launch 1", "Launch 2"]
    assert [project.pk for project in desk.late] == [late.pk]
    assert len(desk.clients) == 3
    assert "Waiting for your sign-off" in page.text
    assert "Over budget" in page.text
    assert "Farm open day" in page.text


@pytest.mark.parametrize("size", [1, 6])
def test_the_director_desk_costs_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    director = UserFactory(role="account_director")
    director_world(director, size)
    client.force_login(director)

    # session, user; five kinds of what waits; the projects to watch; the late ones; the
    # margins per client and their names
    with django_assert_num_queries(11):
        assert client.get(reverse("home")).status_code == 200


def finance_world(finance, size):
    """`size` projects with an approved budget, all but one invoiced, the invoices overdue
    and chased."""
    today = timezone.localdate()
    director = UserFactory(role="account_director")
    projects = []
    for number in range(size + 1):
        project = ProjectFactory(name=f"Launch {number}")
        ApprovedEstimateFactory(project=project, director=director)
        projects.append(project)
    for project in projects[1:]:
        invoice = InvoiceFactory(
            client=project.client,
            project=project,
            created_by=finance,
            issue_date=today - dt.timedelta(days=60),
            lines=[("Fee", D("1000"))],
            sent=True,
        )
        billing.collection_note_add(
            invoice=invoice, written_by=finance, contacted="Gao Yan", outcome="Pays next week."
        )
    billing.client_aging_refresh(today=today)
    return projects[0]


def test_the_finance_desk_shows_the_totals_the_longest_overdue_and_what_to_invoice(client):
    finance = UserFactory(role="finance")
    not_invoiced = finance_world(finance, 3)
    client.force_login(finance)

    page = client.get(reverse("home"))

    desk = page.context["desk"]
    assert desk.totals["total_outstanding"] == D("3000")
    assert desk.totals["overdue_invoices"] == 3
    assert [row["last_note"] for row in desk.overdue] == ["Pays next week."] * 3
    assert [project.pk for project in desk.ready_to_invoice] == [not_invoiced.pk]
    new_invoice = f"{reverse('billing:invoice_create')}?project={not_invoiced.pk}"
    assert new_invoice in page.text
    form = client.get(new_invoice).context["form"]
    assert form["project"].value() == not_invoiced.pk
    assert form["client"].value() == not_invoiced.client_id


@pytest.mark.parametrize("size", [1, 6])
def test_the_finance_desk_costs_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    finance = UserFactory(role="finance")
    finance_world(finance, size)
    client.force_login(finance)

    # session, user; the aging totals; the longest overdue; the projects ready to invoice
    with django_assert_num_queries(5):
        assert client.get(reverse("home")).status_code == 200
