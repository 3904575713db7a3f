"""Each reminder rule reaches the right people, with the right words, at the right time."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import services as accounts
from accounts.models import ActionItem
from billing import services as billing
from budgets import services as budgets
from budgets.models import Estimate
from notifications import registry
from notifications.models import Notification
from notifications.services import reminders_dispatch
from projects import services as projects
from projects.models import Task
from tests.factories import (
    ActionItemFactory,
    ApprovedEstimateFactory,
    ClientFactory,
    ContactFactory,
    ContactReportFactory,
    ProjectFactory,
    ProposalFactory,
    TaskFactory,
    UserFactory,
)
from tests.notifications.conftest import approve_budget, received

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def acme(clock):
    return ClientFactory(
        name="Acme",
        lead_ae=UserFactory(role="ae", full_name="Chen Jing"),
        account_director=UserFactory(role="account_director", full_name="Zhang Wei"),
    )


@pytest.fixture
def project(acme):
    return ProjectFactory(client=acme, name="Spring launch")


TASK_DUE = ["projects.task_due", "projects.task_overdue"]
BURN = ["budgets.threshold"]


def test_a_task_reminds_its_assignee_two_days_before_and_the_ae_the_day_after(clock, project):
    designer = UserFactory(role="staff", full_name="Zhao Min")
    task = TaskFactory(
        project=project,
        title="Key visual",
        assignee=designer,
        due_on=clock.today + dt.timedelta(days=3),
    )
    TaskFactory(project=project, title="Nobody's", due_on=clock.today + dt.timedelta(days=1))

    reminders_dispatch(rules=TASK_DUE)
    assert received() == []

    clock.go(days=1)
    reminders_dispatch(rules=TASK_DUE)
    reminders_dispatch(rules=TASK_DUE)
    assert received() == [("Zhao Min", "Task due 2026-12-03: Key visual")]
    assert Notification.objects.get().link == f"/projects/{project.pk}/#task-{task.pk}"

    clock.go(days=3)
    reminders_dispatch(rules=TASK_DUE)
    assert received()[1:] == [
        ("Zhao Min", "Task overdue since 2026-12-03: Key visual"),
        ("Chen Jing", "Task overdue since 2026-12-03: Key visual"),
        ("Chen Jing", "Task overdue since 2026-12-01: Nobody's"),
    ]


def test_a_done_task_is_not_chased_and_a_moved_due_date_is_a_new_reminder(clock, project):
    designer = UserFactory(role="staff", full_name="Zhao Min")
    task = TaskFactory(project=project, assignee=designer, due_on=clock.today)
    done = TaskFactory(project=project, assignee=designer, due_on=clock.today)
    Task.objects.filter(pk=done.pk).update(status=Task.Status.DONE)

    reminders_dispatch(rules=TASK_DUE)
    Task.objects.filter(pk=task.pk).update(due_on=clock.today + dt.timedelta(days=1))
    reminders_dispatch(rules=TASK_DUE)
    reminders_dispatch(rules=TASK_DUE)

    assert [title for _, title in received()] == [
        f"Task due 2026-11-30: {task.title}",
        f"Task due 2026-12-01: {task.title}",
    ]


def test_an_action_item_reminds_its_owner_and_when_overdue_the_lead_ae(clock, acme):
    owner = UserFactory(role="ae", full_name="Li Na")
    report = ContactReportFactory(client=acme)
    item = ActionItemFactory(
        report=report, owner=owner, description="Send the media plan", due_on=clock.today
    )
    ActionItemFactory(report=report, owner=owner, due_on=clock.today + dt.timedelta(days=5))
    closed = ActionItemFactory(report=report, owner=owner, due_on=clock.today)
    ActionItem.objects.filter(pk=closed.pk).update(done_at=timezone.now())

    reminders_dispatch()
    clock.go(days=1)
    reminders_dispatch()

    assert received() == [
        ("Li Na", "Action item due 2026-11-30: Send the media plan"),
        ("Li Na", "Action item overdue since 2026-11-30: Send the media plan"),
        ("Chen Jing", "Action item overdue since 2026-11-30: Send the media plan"),
    ]
    assert Notification.objects.first().link == f"/reports/{item.report_id}/"


def test_a_project_deadline_reaches_the_ae_and_team_a_week_and_a_day_before_and_after(
    clock, project
):
    planner = UserFactory(role="staff", full_name="Sun Hao")
    project.team.add(planner)
    project.deadline = clock.today + dt.timedelta(days=8)
    project.save()
    title = f"Project {project.job_number} Spring launch"

    reminders_dispatch()
    assert received() == []
    clock.go(days=1)
    reminders_dispatch()
    clock.go(days=5)
    reminders_dispatch()
    clock.go(days=1)
    reminders_dispatch()
    clock.go(days=2)
    reminders_dispatch()
    reminders_dispatch()

    assert received() == [
        ("Chen Jing", f"{title} is due 2026-12-08"),
        ("Sun Hao", f"{title} is due 2026-12-08"),
        ("Chen Jing", f"{title} is due 2026-12-08"),
        ("Sun Hao", f"{title} is due 2026-12-08"),
        ("Chen Jing", f"{title} is past its deadline of 2026-12-08"),
        ("Sun Hao", f"{title} is past its deadline of 2026-12-08"),
    ]


def test_a_sign_off_reaches_the_director_at_once_and_again_after_two_days(clock, acme, project):
    brief = projects.strategy_brief_start(project=project, author=project.owner)
    projects.strategy_brief_update(
        brief=brief, editor=project.owner, objectives="Trial", key_message="Fresh"
    )
    projects.strategy_brief_submit(brief=brief, submitted_by=project.owner)
    estimate = budgets.estimate_start(project=project, author=project.owner)
    budgets.estimate_update(
        estimate=estimate,
        editor=project.owner,
        revision=estimate.revision,
        lines={"media": D("1000")},
    )
    budgets.estimate_submit(estimate=estimate, submitted_by=project.owner)
    budgets.spend_plan_save(
        client=acme,
        saved_by=acme.lead_ae,
        name="Q1 plan",
        first_month=dt.date(2027, 1, 1),
        months=1,
        total=D("1000"),
        allocations={("digital", dt.date(2027, 1, 1)): D("1000")},
    )

    reminders_dispatch()
    waiting = "is waiting for your sign-off"
    assert sorted(received()) == [
        ("Zhang Wei", f"Estimate v1 of {project.job_number} {waiting}"),
        ("Zhang Wei", f"Spend plan Q1 plan of Acme {waiting}"),
        ("Zhang Wei", f"Strategy brief v1 of {project.job_number} {waiting}"),
    ]
    clock.go(days=1, hours=23)
    reminders_dispatch()
    assert len(received()) == 3
    clock.go(hours=2)
    reminders_dispatch()
    reminders_dispatch()

    waited = "has waited more than two days for your sign-off"
    assert sorted(received()[3:]) == [
        ("Zhang Wei", f"Estimate v1 of {project.job_number} {waited}"),
        ("Zhang Wei", f"Spend plan Q1 plan of Acme {waited}"),
        ("Zhang Wei", f"Strategy brief v1 of {project.job_number} {waited}"),
    ]


def test_budget_burn_reminds_the_ae_and_director_once_per_threshold_and_version(
    clock, acme, project
):
    estimate = approve_budget(project, {"production": "10000"}, acme.account_director)
    job = f"{project.job_number} Spring launch"

    def cost(amount):
        budgets.cost_entry_create(
            project=project,
            entered_by=project.owner,
            category="production",
            incurred_on=clock.today,
            kind="vendor",
            vendor="Studio",
            amount=D(amount),
        )

    cost("7000")
    reminders_dispatch(rules=BURN)
    assert received() == []
    cost("1500")
    reminders_dispatch(rules=BURN)
    reminders_dispatch(rules=BURN)
    cost("100")
    reminders_dispatch(rules=BURN)
    assert received() == [
        ("Chen Jing", f"{job} has used 80% of its budget"),
        ("Zhang Wei", f"{job} has used 80% of its budget"),
    ]
    assert Notification.objects.first().body == (
        "The project as a whole, all budget lines together."
    )
    cost("2000")
    reminders_dispatch(rules=BURN)
    assert received()[2:] == [
        ("Chen Jing", f"{job} is over budget"),
        ("Zhang Wei", f"{job} is over budget"),
    ]
    # A new approved version is a new budget: its thresholds are reminded afresh.
    assert Estimate.objects.get(pk=estimate.pk).status == "approved"
    approve_budget(project, {"production": "13000"}, acme.account_director)
    reminders_dispatch(rules=BURN)
    assert received()[4:] == [
        ("Chen Jing", f"{job} has used 80% of its budget"),
        ("Zhang Wei", f"{job} has used 80% of its budget"),
    ]


def test_a_line_over_budget_alerts_the_ae_and_director_while_the_project_is_under(
    clock, acme, project
):
    approve_budget(project, {"production": "1000", "creative": "100000"}, acme.account_director)
    job = f"{project.job_number} Spring launch"

    budgets.cost_entry_create(
        project=project,
        entered_by=project.owner,
        category="production",
        incurred_on=clock.today,
        kind="vendor",
        vendor="Studio",
        amount=D("1200"),
    )
    reminders_dispatch(rules=BURN)
    reminders_dispatch(rules=BURN)

    assert received() == [
        ("Chen Jing", f"{job}: the Production line is over budget"),
        ("Zhang Wei", f"{job}: the Production line is over budget"),
    ]


def test_an_invoice_is_chased_before_it_is_due_and_at_each_dunning_level(clock, acme):
    finance = UserFactory(role="finance", full_name="Liu Yang")
    acme.payment_terms_days = 30
    acme.save()
    invoice = billing.invoice_create(
        client=acme,
        created_by=finance,
        issue_date=clock.today - dt.timedelta(days=27),
        lines=[("Fee", D("1000"))],
        tax_rate=D("0"),
    )
    billing.invoice_send(invoice=invoice, sent_by=finance)
    stale = billing.invoice_create(
        client=acme,
        created_by=finance,
        issue_date=clock.today - dt.timedelta(days=80),
        lines=[("Old fee", D("500"))],
        tax_rate=D("0"),
    )
    billing.invoice_send(invoice=stale, sent_by=finance)

    def chased(number):
        return [(who, title) for who, title in received() if number in title]

    reminders_dispatch()
    due = f"Invoice {invoice.number} to Acme is due 2026-12-03"
    old = f"Invoice {stale.number} to Acme is 50 days overdue (due 2026-10-11)"
    assert chased(invoice.number) == [("Liu Yang", due), ("Chen Jing", due)]
    assert chased(stale.number) == [("Liu Yang", old), ("Chen Jing", old), ("Zhang Wei", old)]
    assert Notification.objects.filter(title=due).first().body == "Outstanding: 1,000.00 CNY"

    for days in (5, 14, 15):
        clock.go(days=days)
        reminders_dispatch()
        reminders_dispatch()

    def level(days, due_on):
        unit = "day" if days == 1 else "days"
        return f"is {days} {unit} overdue (due {due_on})"

    assert [(who, title.split(" to Acme ")[1]) for who, title in chased(invoice.number)[2:]] == [
        ("Liu Yang", level(2, "2026-12-03")),
        ("Chen Jing", level(2, "2026-12-03")),
        ("Liu Yang", level(16, "2026-12-03")),
        ("Chen Jing", level(16, "2026-12-03")),
        ("Liu Yang", level(31, "2026-12-03")),
        ("Chen Jing", level(31, "2026-12-03")),
        ("Zhang Wei", level(31, "2026-12-03")),
    ]
    assert [(who, title.split(" to Acme ")[1]) for who, title in chased(stale.number)[3:]] == [
        ("Liu Yang", level(69, "2026-10-11")),
        ("Chen Jing", level(69, "2026-10-11")),
        ("Zhang Wei", level(69, "2026-10-11")),
    ]


def test_a_paid_or_written_off_invoice_is_not_chased(clock, acme):
    finance = UserFactory(role="finance")
    paid, lost = (
        billing.invoice_create(
            client=acme,
            created_by=finance,
            issue_date=clock.today - dt.timedelta(days=60),
            lines=[("Fee", D("100"))],
            tax_rate=D("0"),
        )
        for _ in range(2)
    )
    for invoice in (paid, lost):
        billing.invoice_send(invoice=invoice, sent_by=finance)
    billing.payment_record(
        invoice=paid, recorded_by=finance, paid_on=clock.today, amount=D("100"), method="cash"
    )
    billing.invoice_write_off(invoice=lost, written_off_by=finance, reason="Gone")

    assert reminders_dispatch() == 0
    assert received() == []


def test_a_reminder_speaks_its_recipients_language(clock, project):
    designer = UserFactory(role="staff", full_name="Zhao Min", language="zh-hans")
    TaskFactory(project=project, title="主视觉", assignee=designer, due_on=clock.today)

    reminders_dispatch(rules=TASK_DUE)

    assert received() == [("Zhao Min", "任务 2026-11-30 到期：主视觉")]


def test_a_task_is_told_to_its_assignee_when_given_and_again_when_handed_on(clock, project):
    planner = UserFactory(role="staff", full_name="Sun Hao")
    designer = UserFactory(role="staff", full_name="Zhao Min")
    strategy = TaskFactory(project=project, title="Strategy", assignee=planner, due_on=clock.today)
    visual = TaskFactory(
        project=project,
        title="Key visual",
        assignee=planner,
        waits_on=strategy,
        due_on=clock.today + dt.timedelta(days=5),
    )
    reminders_dispatch(rules=["projects.task_assigned"])
    assert received() == [
        ("Sun Hao", "New task for you: Strategy, due 2026-11-30"),
        ("Sun Hao", "New task for you: Key visual, due 2026-12-05"),
    ]

    clock.go(hours=1)
    projects.task_update(task=visual, updated_by=project.owner, assignee=designer)
    projects.task_update(task=strategy, updated_by=project.owner, title="Strategy deck")
    projects.task_set_status(
        task=strategy, status="done", changed_by=planner, handoff_note="Route B won."
    )
    reminders_dispatch()
    reminders_dispatch()

    assert received()[2:] == [
        ("Zhao Min", "New task for you: Key visual, due 2026-12-05"),
        ("Zhao Min", "Over to you: “Strategy deck” is done, so “Key visual” can start"),
    ]
    # What was told is left out in the database: the next sweep reads nothing of it.
    assert list(registry.rule("projects.task_assigned").due(timezone.now())) == []
    handed_on = Notification.objects.get(rule="projects.task_handed_on")
    assert handed_on.body == "Route B won."
    assert handed_on.kind == "handed_to_me"


def test_a_clients_answer_to_a_recap_reaches_the_lead_ae_and_the_author(clock, acme):
    author = UserFactory(role="ae", full_name="Li Na")
    gao = ContactFactory(client=acme, name="Gao Yan")
    lin = ContactFactory(client=acme, name="Lin Xiao")
    report = ContactReportFactory(client=acme, author=author)

    accounts.attendee_respond(report=report, contact=gao, answer="confirmed")
    accounts.attendee_respond(
        report=report, contact=lin, answer="corrected", correction="Launch is 3 March."
    )
    reminders_dispatch()
    reminders_dispatch()

    confirmed = "Gao Yan of Acme confirmed the recap of 2026-11-30"
    corrected = "Lin Xiao of Acme corrected the recap of 2026-11-30"
    assert received() == [
        ("Chen Jing", confirmed),
        ("Li Na", confirmed),
        ("Chen Jing", corrected),
        ("Li Na", corrected),
    ]
    assert Notification.objects.filter(title=corrected).first().body == "Launch is 3 March."


def test_a_revision_requested_by_the_client_reaches_the_account_team(clock, acme):
    planner = UserFactory(role="staff", full_name="Sun Hao")
    accounts.account_team_add(
        client=acme, user=planner, role_on_account="Planner", by=acme.account_director
    )
    proposal = ProposalFactory(client=acme, title="Spring routes")
    round_ = proposal.rounds.get()
    for status in ["internal_review", "presented"]:
        round_ = accounts.proposal_round_set_status(
            round_=round_, status=status, changed_by=acme.lead_ae
        )
    reminders_dispatch()
    assert received() == []

    accounts.proposal_round_set_status(
        round_=round_,
        status="revision_requested",
        changed_by=acme.lead_ae,
        revision_reasons="Warmer colours.",
    )
    reminders_dispatch()
    reminders_dispatch()

    title = "Acme asked for a revision of “Spring routes” (round 1)"
    assert sorted(received()) == [("Chen Jing", title), ("Sun Hao", title), ("Zhang Wei", title)]
    assert {n.body for n in Notification.objects.all()} == {"Warmer colours."}


def test_a_cost_past_the_budget_reaches_the_director_at_once(clock, acme, project):
    ApprovedEstimateFactory(
        project=project,
        director=acme.account_director,
        lines={"production": D("1000")},
        director_approval_past_budget=True,
    )
    budgets.cost_entry_create(
        project=project,
        entered_by=project.owner,
        category="production",
        incurred_on=clock.today,
        kind="vendor",
        vendor="Studio",
        amount=D("1500"),
    )
    reminders_dispatch()
    reminders_dispatch()

    assert sorted(received()) == [
        ("Chen Jing", f"Zhang Wei approved estimate v1 of {project.job_number}"),
        (
            "Zhang Wei",
            f"A cost of CNY 1,500.00 on the Production line of {project.job_number} is past "
            "the budget and waits for your decision",
        ),
    ]


def test_nobody_is_told_of_what_they_submitted_themselves(clock, acme, project):
    director = acme.account_director
    brief = projects.strategy_brief_start(project=project, author=director)
    projects.strategy_brief_update(
        brief=brief, editor=director, objectives="Trial", key_message="Fresh"
    )
    projects.strategy_brief_submit(brief=brief, submitted_by=director)

    reminders_dispatch()

    assert received() == []


def test_the_ae_hears_of_the_directors_decision_with_the_comments(clock, acme, project):
    estimate = budgets.estimate_start(project=project, author=project.owner)
    budgets.estimate_update(
        estimate=estimate,
        editor=project.owner,
        revision=estimate.revision,
        lines={"media": D("1000")},
    )
    budgets.estimate_submit(estimate=estimate, submitted_by=project.owner)
    budgets.estimate_return(
        estimate=estimate, returned_by=acme.account_director, comments="Media is too thin."
    )
    budgets.estimate_update(
        estimate=estimate,
        editor=project.owner,
        revision=Estimate.objects.get(pk=estimate.pk).revision,
        lines={"media": D("2000")},
    )
    reminders_dispatch(rules=["budgets.estimate_decided"])
    clock.go(minutes=5)
    budgets.estimate_submit(estimate=estimate, submitted_by=project.owner)
    budgets.estimate_approve(estimate=estimate, approved_by=acme.account_director)
    reminders_dispatch(rules=["budgets.estimate_decided"])
    reminders_dispatch(rules=["budgets.estimate_decided"])

    job = project.job_number
    assert received() == [
        ("Chen Jing", f"Zhang Wei returned estimate v1 of {job}"),
        ("Chen Jing", f"Zhang Wei approved estimate v1 of {job}"),
    ]
    assert Notification.objects.get(title__contains="returned").body == "Media is too thin."
    assert list(registry.rule("budgets.estimate_decided").due(timezone.now())) == []
