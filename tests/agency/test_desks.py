"""Each role's desk, the page they land on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts import services as accounts
from billing import services as billing
from budgets import services as budgets
from projects import selectors as project_selectors
from projects import services
from tests.factories import (
    ActionItemFactory,
    ApprovedEstimateFactory,
    ClientFactory,
    ContactReportFactory,
    DepartmentFactory,
    InvoiceFactory,
    MeetingFactory,
    ProjectFactory,
    ProposalFactory,
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


@pytest.mark.parametrize(("rows", "more"), [(2, True), (3, False)])
def test_the_staff_desk_says_when_it_shows_only_the_first_tasks(client, monkeypatch, rows, more):
    today = timezone.localdate()
    designer = UserFactory(role="staff", department=DepartmentFactory())
    for due_in, title in enumerate(["Storyboard", "Key visual", "Banner set"]):
        TaskFactory(title=title, assignee=designer, due_on=today + dt.timedelta(days=due_in))
    monkeypatch.setattr(project_selectors, "DESK_ROWS", rows)
    client.force_login(designer)

    page = client.get(reverse("home"))

    desk = page.context["desk"]
    assert titles(desk.today + desk.week) == ["Storyboard", "Key visual", "Banner set"][:rows]
    assert (desk.more, desk.open_count) == (more, 3)
    assert "All my open work (3)" in page.text
    assert (f"these are the {rows} due soonest" in page.text) is more


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
    # Each client of the margins links to its page.
    for entry in desk.clients:
        assert f'href="{reverse("accounts:client_detail", args=[entry["client"]])}"' in page.text
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

    # session, user; the meetings; five kinds of what waits; the projects to watch; the late
    # ones; the margins per client and their names; the proposal rounds of the quarter; what
    # waits for the clients' approval
    with django_assert_num_queries(14):
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

    # session, user; the meetings; the aging totals; the longest overdue; the projects ready
    # to invoice; the DSO of past months
    with django_assert_num_queries(7):
        assert client.get(reverse("home")).status_code == 200


def ae_world(ae, size, prefix="Client"):
    """`size` clients led by `ae`, each with a project over budget and running late, a task
    of its own and one of the AE's, an overdue invoice, a report of ten days ago with an
    overdue action item, a proposal presented in its third round, and a meeting today."""
    today = timezone.localdate()
    now = timezone.now()
    director = UserFactory(role="account_director")
    finance = UserFactory(role="finance")
    designer = UserFactory(role="staff", full_name="Zhao Min")
    clients = []
    for number in range(size):
        acme = ClientFactory(
            name=f"{prefix} {number}",
            lead_ae=ae,
            account_director=director,
            allowed_proposal_rounds=2,
        )
        project = ProjectFactory(client=acme, start_date=today - dt.timedelta(days=10))
        ApprovedEstimateFactory(project=project, director=director, lines={"production": D("1000")})
        budgets.cost_entry_create(
            project=project,
            entered_by=ae,
            category="production",
            incurred_on=today,
            kind="vendor",
            vendor="Studio",
            amount=D("900"),
        )
        TaskFactory(
            project=project,
            title=f"Storyboard {number}",
            assignee=designer,
            due_on=today - dt.timedelta(days=1),
        )
        TaskFactory(
            project=project,
            title=f"Brief the studio {number}",
            assignee=ae,
            due_on=today + dt.timedelta(days=2),
        )
        InvoiceFactory(
            client=acme,
            project=project,
            created_by=finance,
            issue_date=today - dt.timedelta(days=60),
            lines=[("Fee", D("500"))],
            sent=True,
        )
        report = ContactReportFactory(client=acme, occurred_at=now - dt.timedelta(days=10))
        ActionItemFactory(
            report=report,
            owner=ae,
            description=f"Send the deck {number}",
            due_on=today - dt.timedelta(days=2),
        )
        ActionItemFactory(
            report=report,
            owner=designer,
            description=f"Resize {number}",
            due_on=today + dt.timedelta(days=1),
        )
        proposal = ProposalFactory(client=acme, title=f"Routes {number}")
        round_ = proposal.rounds.get()
        for _ in range(2):
            accounts.proposal_round_set_status(
                round_=round_, status="internal_review", changed_by=ae
            )
            accounts.proposal_round_set_status(
                round_=round_,
                status="presented",
                changed_by=ae,
                presented_on=today - dt.timedelta(days=5),
            )
            accounts.proposal_round_set_status(
                round_=round_,
                status="revision_requested",
                changed_by=ae,
                revision_reasons="Warmer.",
            )
            round_ = accounts.proposal_round_open_next(proposal=proposal, opened_by=ae)
        accounts.proposal_round_set_status(round_=round_, status="internal_review", changed_by=ae)
        accounts.proposal_round_set_status(
            round_=round_,
            status="presented",
            changed_by=ae,
            presented_on=today - dt.timedelta(days=4),
        )
        MeetingFactory(
            client=acme,
            starts_at=timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0),
            agenda=f"Status {number}",
        )
        clients.append(acme)
    billing.client_aging_refresh(today=today)
    return clients


def test_the_ae_desk_shows_the_day_and_each_clients_health(client):
    ae = UserFactory(role="ae", full_name="Chen Jing")
    acme, other = ae_world(ae, 2)
    someone_elses = ae_world(UserFactory(role="ae"), 1, prefix="Other")[0]
    client.force_login(ae)

    page = client.get(reverse("home"))

    desk, meetings = page.context["desk"], page.context["meetings"]
    assert [meeting.agenda for meeting in meetings.today] == ["Status 0", "Status 1"]
    assert titles(desk.my_tasks) == ["Brief the studio 0", "Brief the studio 1"]
    assert titles(desk.team_tasks) == ["Storyboard 0", "Storyboard 1"]
    # The AE's own overdue items, and the designer's on the AE's clients, overdue first.
    assert [item.description for item in desk.action_items] == [
        "Send the deck 0",
        "Send the deck 1",
        "Resize 0",
        "Resize 1",
    ]
    assert [(p.title, p.round_number, p.days_since_presented) for p in desk.proposals] == [
        ("Routes 0", 3, 4),
        ("Routes 1", 3, 4),
    ]
    row = desk.clients[0]
    assert row.client == acme
    assert row.worst_burn == D("90")
    assert (row.late_tasks, row.at_risk_tasks) == (1, 0)
    assert row.overdue == D("500")
    assert row.days_since_contact == 10
    assert row.repitch_rounds == 1
    assert [row.client for row in desk.clients] == [acme, other]
    assert [burn for _, (burn, _) in desk.burn_chart["rows"]] == [90.0, 90.0]
    text = page.text
    assert f"{reverse('billing:invoice_list')}?client={acme.pk}" in text
    assert someone_elses.name not in text
    # One click ticks the AE's own item; the designer's has no button on this desk.
    assert text.count('name="done" value="1"') == 2


@pytest.mark.parametrize(("rows", "more"), [(3, True), (4, False)])
def test_the_ae_desk_says_when_it_shows_only_the_first_tasks_and_items(
    client, monkeypatch, rows, more
):
    ae = UserFactory(role="ae")
    ae_world(ae, 2)  # four tasks and four action items due
    monkeypatch.setattr(project_selectors, "DESK_ROWS", rows)
    monkeypatch.setattr(account_selectors, "DESK_ROWS", rows)
    client.force_login(ae)

    page = client.get(reverse("home"))

    desk = page.context["desk"]
    # The soonest due: the designer's late storyboards, then the AE's briefs.
    soonest = ["Storyboard 0", "Storyboard 1", "Brief the studio 0", "Brief the studio 1"]
    assert sorted(titles(desk.my_tasks + desk.team_tasks)) == sorted(soonest[:rows])
    assert (desk.more_tasks, desk.more_action_items) == (more, more)
    assert len(desk.action_items) == rows
    badge = f'<span class="badge text-bg-secondary">{rows}{"+" if more else ""}</span>'
    assert page.text.count(badge) == 2
    assert (f"these are the {rows} due soonest" in page.text) is more


@pytest.mark.parametrize("size", [1, 5])
def test_the_ae_desk_costs_the_same_queries_at_any_size(client, size, django_assert_num_queries):
    ae = UserFactory(role="ae")
    ae_world(ae, size)
    client.force_login(ae)

    # session, user; the meetings; the clients, their late tasks, burn and overdue money;
    # the tasks (which, then their rows), the action items, the proposals and the chart;
    # what waits for the clients' approval
    with django_assert_num_queries(13):
        assert client.get(reverse("home")).status_code == 200
