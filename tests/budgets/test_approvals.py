"""The directors' approvals inbox: one list of everything waiting for sign-off."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from budgets import services
from projects import services as projects
from tests.factories import ApprovedEstimateFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def waiting_world(director):
    """One of each thing that waits, a day apart, oldest first: a brief, an estimate, a
    spend plan, a cost past the budget, and a change order the client has not approved."""
    start = timezone.now() - dt.timedelta(days=10)
    project = ProjectFactory(name="Spring launch")
    owner = project.owner
    ApprovedEstimateFactory(
        project=project,
        lines={"production": D("1000")},
        director=director,
        director_approval_past_budget=True,
    )
    with time_machine.travel(start, tick=False) as clock:
        brief = projects.strategy_brief_start(project=project, author=owner)
        projects.strategy_brief_update(
            brief=brief, editor=owner, objectives="Grow trial.", key_message="Fresh."
        )
        projects.strategy_brief_submit(brief=brief, submitted_by=owner)
        clock.shift(dt.timedelta(days=1))
        estimate = services.estimate_start(project=project, author=owner)
        services.estimate_update(
            estimate=estimate, editor=owner, revision=estimate.revision, lines={"media": D("5")}
        )
        services.estimate_submit(estimate=estimate, submitted_by=owner)
        clock.shift(dt.timedelta(days=1))
        services.spend_plan_save(
            client=project.client,
            saved_by=owner,
            allocations={("tv", timezone.localdate().replace(day=1)): D("300")},
            name="Spring season",
            first_month=timezone.localdate(),
            months=1,
            total=D("300"),
        )
        clock.shift(dt.timedelta(days=1))
        services.cost_entry_create(
            project=project,
            entered_by=owner,
            category="production",
            incurred_on=timezone.localdate(),
            kind="vendor",
            vendor="Studio",
            amount=D("5000"),
        )
        clock.shift(dt.timedelta(days=1))
        services.change_order_create(
            project=project, created_by=owner, reason="More films", deltas={"media": D("100")}
        )
    return project


def test_the_inbox_lists_everything_waiting_oldest_first_with_its_client(client):
    director = UserFactory(role="account_director", full_name="Zhang Wei")
    project = waiting_world(director)
    client.force_login(director)

    page = client.get(reverse("budgets:approvals"))

    rows = page.context["approvals"]
    assert [str(row.kind) for row in rows] == [
        "Strategy brief",
        "Estimate",
        "Spend plan",
        "Cost past the budget",
        "Change order",
    ]
    assert {row.client for row in rows} == {project.client.name}
    assert [row.for_the_client for row in rows] == [False, False, False, False, True]
    assert not any(row.yours for row in rows)
    assert "waiting 1\xa0week" in page.text
    assert reverse("budgets:project_budget", args=[project.pk]) in page.text
    # The count in the navigation: what a director decides, not what waits for the client.
    count = client.get(reverse("budgets:approvals_count"))
    assert ">4<" in count.text


def test_a_directors_own_work_waits_for_another_director(client):
    director = UserFactory(role="account_director")
    project = ProjectFactory(owner=director, client__account_director=director)
    estimate = services.estimate_start(project=project, author=director)
    services.estimate_update(
        estimate=estimate, editor=director, revision=estimate.revision, lines={"media": D("5")}
    )
    services.estimate_submit(estimate=estimate, submitted_by=director)
    client.force_login(director)

    page = client.get(reverse("budgets:approvals"))

    (row,) = page.context["approvals"]
    assert row.yours
    assert "Yours: another director signs it off" in page.text
    client.force_login(UserFactory(role="account_director"))
    assert not client.get(reverse("budgets:approvals")).context["approvals"][0].yours


@pytest.mark.parametrize("role", ["ae", "finance", "staff"])
def test_only_directors_have_an_inbox(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("budgets:approvals")).status_code == 404
    assert client.get(reverse("budgets:approvals_count")).status_code == 404
    assert reverse("budgets:approvals") not in client.get(reverse("home")).text


@pytest.mark.parametrize("size", [1, 5])
def test_the_inbox_costs_the_same_queries_at_any_size(client, size, django_assert_num_queries):
    director = UserFactory(role="account_director")
    for _ in range(size):
        waiting_world(director)
    client.force_login(director)

    # session, user, then one query for each kind of thing that waits
    with django_assert_num_queries(7):
        assert client.get(reverse("budgets:approvals")).status_code == 200
    # session, user, one count over all of them
    with django_assert_num_queries(3):
        assert client.get(reverse("budgets:approvals_count")).status_code == 200


def submitted_version(project, lines, fee):
    estimate = services.estimate_start(project=project, author=project.owner)
    services.estimate_update(
        estimate=estimate,
        editor=project.owner,
        revision=estimate.revision,
        lines={category: D(amount) for category, amount in lines.items()},
        fee=D(fee),
    )
    return services.estimate_submit(estimate=estimate, submitted_by=project.owner)


def test_a_director_reads_the_lines_against_the_working_budget_before_deciding(client):
    director = UserFactory(role="account_director")
    project = ProjectFactory()
    ApprovedEstimateFactory(
        project=project, director=director, lines={"media": "500000", "creative": "100000"}
    )
    second = submitted_version(project, {"media": "450000", "creative": "180000"}, "800000")
    client.force_login(director)

    page = client.get(reverse("budgets:estimate_review", args=[project.pk, second.pk]))

    review = page.context["review"]
    changes = {str(label): change for label, _now, _before, change in review.rows if change}
    assert changes == {"Media": D("-50000"), "Creative": D("80000")}
    assert review.previous.version == 1
    assert (review.total, review.margin, review.margin_percent) == (
        D("630000"),
        D("170000"),
        D("21.3"),
    )
    assert "Margin it implies" in page.text
    assert "+CN¥80,000.00" in page.text


def test_approving_asks_for_confirmation_and_returning_for_what_to_change(client):
    director = UserFactory(role="account_director", full_name="Zhang Wei")
    project = ProjectFactory()
    estimate = submitted_version(project, {"media": "1000"}, "2000")
    url = reverse("budgets:estimate_review", args=[project.pk, estimate.pk])
    client.force_login(director)

    unconfirmed = client.post(url, {"decision": "approve"})
    assert "Confirm that this version becomes the working budget." in unconfirmed.text
    silent = client.post(url, {"decision": "return", "comments": "  "})
    assert "Say what to change when returning a budget." in silent.text
    estimate.refresh_from_db()
    assert estimate.status == "submitted"

    client.post(url, {"decision": "return", "comments": "Media is too thin for Q1."})
    estimate.refresh_from_db()
    assert estimate.status == "draft"
    client.force_login(project.owner)
    budget = client.get(reverse("budgets:project_budget", args=[project.pk])).text
    assert "Returned by Zhang Wei:" in budget
    assert "Media is too thin for Q1." in budget

    services.estimate_submit(estimate=estimate, submitted_by=project.owner)
    client.force_login(director)
    client.post(url, {"decision": "approve", "confirm": "on"})
    estimate.refresh_from_db()
    assert estimate.status == "approved"
    assert estimate.review_comments == ""


def test_nobody_decides_on_their_own_version_from_the_review_page(client):
    director = UserFactory(role="account_director")
    project = ProjectFactory(owner=director, client__account_director=director)
    estimate = submitted_version(project, {"media": "1000"}, "2000")
    url = reverse("budgets:estimate_review", args=[project.pk, estimate.pk])
    client.force_login(director)

    page = client.get(url)
    assert page.context["form"] is None
    assert "another director signs it off" in page.text
    refused = client.post(url, {"decision": "approve", "confirm": "on"})
    assert "Nobody signs off their own budget." in refused.text
    estimate.refresh_from_db()
    assert estimate.status == "submitted"
