import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import get_resolver, reverse
from django.utils import timezone

from budgets import selectors, services, tasks
from budgets.models import ChangeOrder, Estimate, ProjectMoney
from projects import services as projects_services
from projects.models import Project, Stage
from tests.factories import (
    ApprovedEstimateFactory,
    ClientFactory,
    ProjectFactory,
    ProposalFactory,
    TaskFactory,
    UserFactory,
)
from tests.routes import outsider_get_status

pytestmark = pytest.mark.django_db

D = Decimal
LINES = ["research", "strategy", "creative", "production", "media", "third_party", "staff_time"]


def estimate_data(estimate, **amounts):
    data = {
        "revision": estimate.revision,
        "fee": "420000",
        "target_margin_percent": "30",
        "warn_at_percent": "80",
    }
    data.update({f"line_{line}": amounts.get(line, "0") for line in LINES})
    return data


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"fee": "-5"}, "fee", "greater than or equal to 0"),
        ({"fee": "1000000000.01"}, "fee", "at most 1,000,000,000.00"),
        ({"line_media": "-1"}, "line_media", "greater than or equal to 0"),
        ({"line_media": "99999999999999.99"}, "line_media", "at most 1,000,000,000.00"),
        ({"warn_at_percent": "0"}, "warn_at_percent", "greater than or equal to 1"),
    ],
)
def test_an_estimate_out_of_bounds_is_refused_in_words_next_to_the_field(
    client, change, field, reason
):
    project = ProjectFactory()
    client.force_login(project.owner)
    client.post(reverse("budgets:estimate_start", args=[project.pk]))
    estimate = Estimate.objects.get()

    response = client.post(
        reverse("budgets:estimate_update", args=[project.pk, estimate.pk]),
        {**estimate_data(estimate, media="1000"), **change},
    )

    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert len(errors[field]) == 1
    assert reason in errors[field][0]
    assert "Constraint" not in response.text
    estimate.refresh_from_db()
    assert estimate.revision == 1


def test_every_database_rule_has_words_for_the_user():
    from django.apps import apps
    from django.db.models import BaseConstraint

    portal = {"teams", "accounts", "projects", "budgets", "billing", "notifications"}
    unworded = [
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        if model._meta.app_label in portal
        for constraint in model._meta.constraints
        if constraint.violation_error_message == BaseConstraint.default_violation_error_message
    ]
    assert unworded == []


def test_an_ae_writes_an_estimate_and_a_director_approves_it(client):
    project = ProjectFactory()
    director = UserFactory(role="account_director")
    client.force_login(project.owner)
    client.post(reverse("budgets:estimate_start", args=[project.pk]))
    estimate = Estimate.objects.get()

    client.post(
        reverse("budgets:estimate_update", args=[project.pk, estimate.pk]),
        estimate_data(estimate, creative="100000", media="250000"),
    )
    client.post(reverse("budgets:estimate_submit", args=[project.pk, estimate.pk]))
    client.force_login(director)
    page = client.post(
        reverse("budgets:estimate_review", args=[project.pk, estimate.pk]),
        {"decision": "approve", "confirm": "on"},
        follow=True,
    )

    estimate.refresh_from_db()
    assert estimate.status == "approved"
    assert page.context["total"] == D("350000")
    assert "350,000.00" in page.text


def test_a_stale_edit_is_refused_naming_who_saved_first_and_keeps_what_was_typed(client):
    project = ProjectFactory()
    estimate = services.estimate_start(project=project, author=project.owner)
    opened = estimate_data(estimate, media="9999")
    colleague = UserFactory(role="ae", full_name="Li Na")
    services.estimate_update(
        estimate=estimate, editor=colleague, revision=estimate.revision, lines={"media": D("5000")}
    )
    client.force_login(project.owner)

    response = client.post(
        reverse("budgets:estimate_update", args=[project.pk, estimate.pk]), opened
    )

    assert response.status_code == 200
    assert "Li Na changed this estimate while you were editing it." in response.text
    assert 'value="9999"' in response.text
    assert estimate.lines.get(category="media").amount == D("5000")

    # Having seen the refusal, the AE saves again and their figures go in.
    estimate.refresh_from_db()
    assert response.context["form"]["revision"].value() == estimate.revision
    client.post(
        reverse("budgets:estimate_update", args=[project.pk, estimate.pk]),
        {**opened, "revision": estimate.revision},
    )
    assert estimate.lines.get(category="media").amount == D("9999")


def test_a_negative_amount_is_refused_next_to_its_line(client):
    project = ProjectFactory()
    estimate = services.estimate_start(project=project, author=project.owner)
    client.force_login(project.owner)

    response = client.post(
        reverse("budgets:estimate_update", args=[project.pk, estimate.pk]),
        estimate_data(estimate, media="-5"),
    )

    assert "line_media" in response.context["form"].errors
    assert not estimate.lines.exists()


def test_a_change_order_is_recorded_with_its_lines(client):
    project = ProjectFactory()
    client.force_login(project.owner)

    empty = client.post(
        reverse("budgets:change_order_create", args=[project.pk]), {"reason": "More films"}
    )
    assert "A change order changes at least one line." in empty.text
    client.post(
        reverse("budgets:change_order_create", args=[project.pk]),
        {"reason": "More films", "line_production": "80000"},
    )

    order = ChangeOrder.objects.get()
    assert [(line.category, line.delta) for line in order.lines.all()] == [
        ("production", D("80000"))
    ]
    assert not order.is_approved


BUDGET_URLS = {
    "project_budget",
    "estimate_start",
    "estimate_update",
    "estimate_submit",
    "estimate_review",
    "estimate_document",
    "estimate_send",
    "change_order_create",
    "cost_entry_create",
    "cost_entry_decide",
    "cost_entry_reverse",
    "budget_history",
    "proposal_change_order",
}


@pytest.mark.parametrize("role", ["ae", "staff"])
def test_budgets_outside_ones_scope_are_404(client, role):
    project = ProjectFactory()
    estimate = services.estimate_start(project=project, author=project.owner)
    cost = _vendor_cost(project, "5", category="media", on=dt.date(2026, 11, 20)).entry
    names = {p.name for p in get_resolver().namespace_dict["budgets"][1].url_patterns}
    # The budget review, the approvals and spend plans name no project, and a change
    # order's pages name one of its change orders; their scoping is tested with them
    # (here, in test_approvals.py, test_spend_plans.py, test_documents.py,
    # test_client_approval.py and tests/agency/test_lists.py).
    assert names == BUDGET_URLS | {
        "change_order_document",
        "change_order_send",
        "change_order_approval",
        "cost_list",
        "cost_list_export",
        "budget_review",
        "approvals",
        "approvals_count",
        "spend_plan_create",
        "spend_plan_update",
        "spend_plan_detail",
        "spend_plan_decide",
    }
    client.force_login(UserFactory(role=role))
    for name in BUDGET_URLS:
        kwargs = {"pk": project.pk}
        if name.startswith("estimate_") and name != "estimate_start":
            kwargs["estimate_pk"] = estimate.pk
        if name in ("cost_entry_decide", "cost_entry_reverse"):
            kwargs["cost_pk"] = cost.pk
        if name == "proposal_change_order":
            kwargs["pk"] = ProposalFactory(client=project.client, project=project).pk
        url = reverse(f"budgets:{name}", kwargs=kwargs)
        assert client.get(url).status_code == outsider_get_status(url), name
        assert client.post(url, {"reason": "x", "line_media": "1"}).status_code == 404, name
    assert Estimate.objects.count() == 1
    assert not ChangeOrder.objects.exists()
    assert project.cost_entries.count() == 1


def test_finance_reads_budgets_but_does_not_write_them(client):
    project = ProjectFactory()
    client.force_login(UserFactory(role="finance"))

    assert client.get(reverse("budgets:project_budget", args=[project.pk])).status_code == 200
    assert client.post(reverse("budgets:estimate_start", args=[project.pk])).status_code == 404


def _vendor_cost(project, amount, category="production", on=None):
    return services.cost_entry_create(
        project=project,
        entered_by=project.owner,
        category=category,
        incurred_on=on or timezone.localdate(),
        kind="vendor",
        vendor="X",
        amount=D(amount),
    )


def _approved(project, lines, approval_past_budget=False):
    estimate = ApprovedEstimateFactory(
        project=project, lines=lines, director_approval_past_budget=approval_past_budget
    )
    return estimate.approved_by


def test_an_ae_records_a_cost_that_crosses_the_warning_and_sees_the_burn(client):
    project = ProjectFactory()
    _approved(project, {"production": D("10000"), "creative": D("500")})
    client.force_login(project.owner)

    page = client.post(
        reverse("budgets:cost_entry_create", args=[project.pk]),
        {
            "kind": "vendor",
            "category": "production",
            "incurred_on": "2026-11-20",
            "vendor": "Shanghai Film Co.",
            "reference": "INV-88",
            "amount": "8500",
        },
        follow=True,
    )

    assert "Production has now used 80% of its budget." in page.text
    assert "The project has now used 80% of its working budget." in page.text
    rows = {row["label"]: row for row in page.context["rows"]}
    assert rows["Production"]["actual"] == D("8500")
    assert rows["Production"]["percent"] == D("85.0")
    assert "Shanghai Film Co." in page.text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "vendor", "vendor": "", "amount": "100"}, "vendor"),
        ({"kind": "vendor", "vendor": "X", "amount": "-100"}, "amount"),
        ({"kind": "vendor", "vendor": "X", "amount": "12,3x"}, "amount"),
        ({"kind": "staff_time", "hours": "3"}, "person"),
        ({"kind": "staff_time", "hours": "0"}, "hours"),
        (
            {"kind": "vendor", "vendor": "X", "amount": "1", "incurred_on": "2099-01-01"},
            "incurred_on",
        ),
        ({"kind": "vendor", "vendor": "X", "amount": "0"}, "amount"),
        ({"kind": "vendor", "vendor": "X", "amount": "1000000000.01"}, "amount"),
        ({"kind": "vendor", "vendor": "X", "amount": "99999999999999.99"}, "amount"),
        ({"kind": "vendor", "vendor": "X", "amount": "5", "hours": "3"}, "hours"),
        ({"kind": "staff_time", "vendor": "X", "amount": "5", "hours": "3"}, "amount"),
        (
            {"kind": "vendor", "vendor": "X", "amount": "1", "incurred_on": "0001-01-01"},
            "incurred_on",
        ),
        (
            {"kind": "vendor", "vendor": "X", "amount": "1", "incurred_on": "1900-01-01"},
            "incurred_on",
        ),
        ({"kind": "", "vendor": "X", "amount": "1"}, "kind"),
        ({"kind": "vendor", "vendor": "Film\x00Co", "amount": "1"}, "vendor"),
        ({"kind": "vendor", "vendor": "Film\x1bCo", "amount": "1"}, "vendor"),
        ({"kind": "vendor", "vendor": "X" * 10_000, "amount": "1"}, "vendor"),
    ],
)
def test_bad_costs_are_refused_next_to_the_field_and_nothing_is_saved(client, data, field):
    project = ProjectFactory()
    client.force_login(project.owner)

    response = client.post(
        reverse("budgets:cost_entry_create", args=[project.pk]),
        {"category": "production", "incurred_on": "2026-11-20", **data},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert len(errors[field]) == 1  # one reason, never two
    assert "Constraint" not in response.text
    assert not project.cost_entries.exists()


def test_the_cost_form_starts_on_a_vendor_cost_and_offers_no_empty_kind(client):
    project = ProjectFactory()
    client.force_login(project.owner)

    form = client.get(reverse("budgets:cost_entry_create", args=[project.pk])).context["form"]

    assert [value for value, _label in form.fields["kind"].choices] == ["vendor", "staff_time"]
    assert form["kind"].value() == "vendor"


def test_a_cost_past_the_budget_waits_for_the_director_who_approves_it(client):
    project = ProjectFactory()
    director = _approved(project, {"production": D("1000")}, approval_past_budget=True)
    client.force_login(project.owner)

    page = client.post(
        reverse("budgets:cost_entry_create", args=[project.pk]),
        {
            "kind": "vendor",
            "category": "production",
            "incurred_on": "2026-11-20",
            "vendor": "Print shop",
            "amount": "1500",
        },
        follow=True,
    )

    assert "it waits for a director" in page.text
    cost = project.cost_entries.get()
    client.force_login(director)
    client.post(reverse("budgets:cost_entry_decide", args=[project.pk, cost.pk]), {"approve": "1"})
    cost.refresh_from_db()
    assert cost.status == "counted"


def test_the_budget_review_puts_over_budget_first_then_burn_ahead_of_schedule(client):
    director = UserFactory(role="account_director")
    today = dt.date.today()
    calm = ProjectFactory(
        name="Calm",
        start_date=today - dt.timedelta(days=50),
        deadline=today + dt.timedelta(days=50),
    )
    hot = ProjectFactory(
        name="Hot", start_date=today - dt.timedelta(days=10), deadline=today + dt.timedelta(days=90)
    )
    over = ProjectFactory(
        name="Over",
        start_date=today - dt.timedelta(days=10),
        deadline=today + dt.timedelta(days=90),
    )
    for project, spent in [(calm, "4000"), (hot, "7000"), (over, "12000")]:
        _approved(project, {"production": D("10000")})
        _vendor_cost(project, spent)
    client.force_login(director)

    page = client.get(reverse("budgets:budget_review"))

    assert [row.project.name for row in page.context["rows"]] == ["Over", "Hot", "Calm"]
    assert page.context["rows"][0].margin == D("18000")
    assert "Over budget" in page.text
    margins = [(entry["client_name"], entry["margin"]) for entry in page.context["clients"]]
    assert margins == [
        (over.client.name, D("18000")),
        (hot.client.name, D("23000")),
        (calm.client.name, D("26000")),
    ]


def test_the_hourly_task_moves_the_budget_review_on_with_the_days_and_a_moved_deadline(client):
    director = UserFactory(role="account_director")
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    short = ProjectFactory(name="Short", start_date=start, deadline=today + dt.timedelta(days=10))
    long = ProjectFactory(name="Long", start_date=start, deadline=today + dt.timedelta(days=90))
    for project, spent in [(short, "6000"), (long, "1500")]:
        _approved(project, {"production": D("10000")})
        _vendor_cost(project, spent)
    client.force_login(director)

    def order():
        return [
            row.project.name for row in client.get(reverse("budgets:budget_review")).context["rows"]
        ]

    # Short has spent 60 % in half its schedule, Long 15 % in a tenth of it.
    assert order() == ["Short", "Long"]
    # Eight days on, Short is 90 % through its schedule and Long 18 %. The page writes
    # nothing: the order moves when the hourly task has set it for the new day.
    now = timezone.now()
    with time_machine.travel(now + dt.timedelta(days=8), tick=False):
        assert order() == ["Short", "Long"]
        assert services.project_money_reorder() == 2
        assert order() == ["Long", "Short"]
        assert services.project_money_reorder() == 0
    # A later deadline gives Short room again, from the task's next run.
    with time_machine.travel(now + dt.timedelta(days=8, minutes=5), tick=False):
        projects_services.project_update(
            project=short, updated_by=short.owner, deadline=today + dt.timedelta(days=190)
        )
        assert services.project_money_reorder() == 1
        assert order() == ["Short", "Long"]
    # However a project gets closed, it leaves the review.
    Project.objects.filter(pk=short.pk).update(stage=Stage.CLOSED)
    assert order() == ["Long"]


def test_margin_per_client_counts_each_clients_open_budgeted_projects():
    acme, bolt = ClientFactory(name="Acme"), ClientFactory(name="Bolt")
    first, second, third = (ProjectFactory(client=acme) for _ in range(3))
    for project in (first, second, third):
        _approved(project, {"production": D("10000")})
    _vendor_cost(first, "2500")
    ProjectFactory(client=bolt)  # no budget: not counted
    Project.objects.filter(pk=second.pk).update(stage=Stage.CLOSED)
    Project.objects.filter(pk=third.pk).update(client=bolt)

    margins = {
        row["client_name"]: (row["projects"], row["margin"])
        for row in selectors.with_client_names(
            list(selectors.margin_by_client(ProjectMoney.objects.all()))
        )
    }

    # Each budgeted project's fee is 30,000.
    assert margins == {"Acme": (1, D("27500")), "Bolt": (1, D("30000"))}


def test_the_budget_review_pages_its_projects(client, monkeypatch):
    monkeypatch.setattr("budgets.views.REVIEW_LENGTH", 2)
    director = UserFactory(role="account_director")
    for _ in range(3):
        project = ProjectFactory()
        _approved(project, {"production": D("10000")})
    client.force_login(director)

    first = client.get(reverse("budgets:budget_review"))
    second = client.get(reverse("budgets:budget_review"), {"page": 2})

    assert len(first.context["rows"]) == 2
    assert "Page 1 of 2" in first.text
    assert "3 in all" in first.text
    shown = [row.project for page in (first, second) for row in page.context["rows"]]
    assert sorted(project.pk for project in shown) == sorted(
        ProjectMoney.objects.values_list("project", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_cost_approved_while_another_is_recorded_counts_both():
    project = ProjectFactory()
    director = _approved(project, {"production": D("10000")}, approval_past_budget=True)

    waiting = _vendor_cost(
        project, "12000"
    ).entry  # past the line's budget: it waits for the director
    recorded, release = threading.Event(), threading.Event()

    def record_and_hold():
        with transaction.atomic():
            _vendor_cost(project, "1000")
            recorded.set()
            release.wait(10)
        connection.close()

    def approve():
        services.cost_entry_decide(entry=waiting, decided_by=director, approve=True)
        connection.close()

    recorder = threading.Thread(target=record_and_hold)
    recorder.start()
    assert recorded.wait(10)
    approver = threading.Thread(target=approve)
    approver.start()
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if blocked := cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    release.set()
    recorder.join(10)
    approver.join(10)

    assert blocked
    assert ProjectMoney.objects.get(project=project).cost == D("13000")


def test_a_projects_money_row_follows_every_change_to_its_money(client):
    project = ProjectFactory()
    director = _approved(project, {"production": D("10000")}, approval_past_budget=True)

    def money():
        project.money.refresh_from_db()
        return (project.money.budget, project.money.cost, project.money.pending)

    assert money() == (D("10000"), D("0"), D("0"))
    _vendor_cost(project, "9000")
    assert money() == (D("10000"), D("9000"), D("0"))
    pending = _vendor_cost(project, "2000").entry
    assert money() == (D("10000"), D("9000"), D("2000"))
    services.cost_entry_decide(entry=pending, decided_by=director, approve=True)
    assert money() == (D("10000"), D("11000"), D("0"))
    services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="More films",
        deltas={"production": D("5000")},
        client_approved_on=dt.date.today(),
        client_approval_note="Signed letter",
    )
    assert money() == (D("15000"), D("11000"), D("0"))


def test_only_directors_open_the_budget_review(client):
    client.force_login(UserFactory(role="ae"))
    assert client.get(reverse("budgets:budget_review")).status_code == 404


@pytest.mark.parametrize("size", [10, 100])
def test_the_budget_review_costs_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    director = UserFactory(role="account_director")
    ApprovedEstimateFactory.create_batch(size, director=director, lines={"media": D("100")})
    client.force_login(director)

    # session, user, margin per client (which counts the projects), the first projects with
    # their money, the names of the thinnest clients, then what waits for sign-off: briefs,
    # estimates, spend plans, costs and change orders
    with django_assert_num_queries(10):
        assert client.get(reverse("budgets:budget_review")).status_code == 200


def test_the_history_tab_says_who_changed_what_and_when(client):
    project = ProjectFactory()
    client.force_login(project.owner)
    client.post(reverse("budgets:estimate_start", args=[project.pk]))
    estimate = Estimate.objects.get()
    client.post(
        reverse("budgets:estimate_update", args=[project.pk, estimate.pk]),
        estimate_data(estimate, media="250000"),
    )

    page = client.get(reverse("budgets:budget_history", args=[project.pk]))

    rows = page.context["rows"]
    who = {row["who"] for row in rows}
    assert who == {project.owner.full_name}
    update = next(r for r in rows if not r["created"] and r["what"] == "estimate")
    assert ("fee agreed with the client", "0", "420,000") in update["changes"]
    assert any(row["what"] == "estimate line" for row in rows)
    assert "Estimate line" in page.text


@pytest.mark.django_db(transaction=True)
def test_the_hourly_review_task_runs_outside_any_transaction():
    project = ProjectFactory()
    _approved(project, {"production": D("10000")})
    ProjectMoney.objects.filter(project=project).update(ordered_on=None)

    tasks.reorder_budget_review()

    assert ProjectMoney.objects.get(project=project).ordered_on == timezone.localdate()


def test_an_ae_reverses_a_cost_from_the_budget_page_and_its_history_keeps_both(client):
    project = ProjectFactory()
    _approved(project, {"production": D("10000")})
    cost = _vendor_cost(project, "4000").entry
    client.force_login(project.owner)

    budget_page = client.get(reverse("budgets:project_budget", args=[project.pk]))
    url = reverse("budgets:cost_entry_reverse", args=[project.pk, cost.pk])
    assert url in budget_page.text
    refused = client.post(url, {"reason": ""})
    assert "reason" in refused.context["form"].errors
    page = client.post(url, {"reason": "Billed to the wrong project"}, follow=True)

    assert "Cost reversed; it no longer counts." in page.text
    assert "Reversed" in page.text
    assert "Billed to the wrong project" in page.text
    assert url not in page.text
    rows = {row["label"]: row for row in page.context["rows"]}
    assert rows["Production"]["actual"] == D("0")
    history = client.get(reverse("budgets:budget_history", args=[project.pk]))
    assert "Billed to the wrong project" in history.text
    assert project.cost_entries.count() == 2


def test_staff_handed_work_on_a_project_see_no_money_of_it(client):
    project = ProjectFactory()
    _approved(project, {"production": D("10000")})
    designer = UserFactory(role="staff")
    TaskFactory(project=project, assignee=designer)
    client.force_login(designer)

    assert client.get(project.get_absolute_url()).status_code == 200
    for name in ("project_budget", "budget_history"):
        assert client.get(reverse(f"budgets:{name}", args=[project.pk])).status_code == 404
    assert (
        reverse("budgets:project_budget", args=[project.pk])
        not in client.get(project.get_absolute_url()).text
    )


def form_values(form, **changes):
    """What the browser would post back of `form` as it shows, with `changes` typed in."""
    values = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else str(value) for name, value in values.items()}
    return {**data, **changes}


def open_the_estimate_form(client):
    """An AE opens a new draft's form; returns the draft, its address and the form."""
    project = ProjectFactory()
    estimate = services.estimate_start(project=project, author=project.owner)
    url = reverse("budgets:estimate_update", args=[project.pk, estimate.pk])
    client.force_login(project.owner)
    return estimate, url, client.get(url).context["form"]


def test_saving_again_after_a_stale_edit_keeps_both_peoples_changes(client):
    estimate, url, opened = open_the_estimate_form(client)
    colleague = UserFactory(role="ae", full_name="Li Na")
    services.estimate_update(
        estimate=estimate,
        editor=colleague,
        revision=estimate.revision,
        lines={"media": D("5000")},
        fee=D("500000"),
    )

    # The AE changed only the production line; Li Na's fee and media stay.
    refused = client.post(url, form_values(opened, line_production="8000"))
    assert "Li Na changed this estimate while you were editing it." in refused.text
    retry = refused.context["form"]
    assert D(retry["fee"].value()) == D("500000")
    assert D(retry["line_media"].value()) == D("5000")
    assert D(retry["line_production"].value()) == D("8000")
    assert not retry["fee"].errors

    client.post(url, form_values(retry))
    estimate.refresh_from_db()
    assert estimate.fee == D("500000")
    assert {line.category: line.amount for line in estimate.lines.all() if line.amount} == {
        "media": D("5000"),
        "production": D("8000"),
    }


def test_a_field_both_people_changed_keeps_yours_and_shows_theirs(client):
    estimate, url, opened = open_the_estimate_form(client)
    services.estimate_update(
        estimate=estimate,
        editor=UserFactory(role="ae", full_name="Li Na"),
        revision=estimate.revision,
        lines={"media": D("5000")},
    )

    refused = client.post(url, form_values(opened, line_media="7000"))

    retry = refused.context["form"]
    assert D(retry["line_media"].value()) == D("7000")
    assert retry["line_media"].errors == ["Li Na saved “5000.00” here."]
    assert "Li Na saved “5000.00” here." in refused.text
    assert estimate.lines.get(category="media").amount == D("5000")
