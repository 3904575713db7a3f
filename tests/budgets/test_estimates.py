import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from budgets import services
from budgets.models import ChangeOrder, Estimate, EstimateLine
from common.errors import StaleEdit
from tests.factories import ApprovedEstimateFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def project():
    return ProjectFactory()


@pytest.fixture
def director():
    return UserFactory(role="account_director", full_name="Zhang Wei")


def approved_estimate(project, director, lines=None):
    return ApprovedEstimateFactory(
        project=project,
        director=director,
        lines=lines or {"creative": D("100000"), "media": D("250000")},
        fee=D("420000"),
    )


def test_the_approved_estimate_is_the_working_budget_and_is_locked(project, director):
    estimate = approved_estimate(project, director)

    budget = services.working_budget(project, approved=Estimate.objects.approved_for(project))
    assert budget["creative"] == D("100000")
    assert budget["media"] == D("250000")
    assert budget["research"] == D("0")
    with pytest.raises(services.Refused):
        services.estimate_update(
            estimate=estimate, editor=director, revision=estimate.revision, lines={}
        )


def test_nobody_approves_their_own_budget_and_only_directors_sign_off(project, director):
    estimate = services.estimate_start(project=project, author=director)
    services.estimate_update(
        estimate=estimate,
        editor=director,
        revision=estimate.revision,
        lines={"creative": D("1000")},
    )
    services.estimate_submit(estimate=estimate, submitted_by=director)

    with pytest.raises(services.Refused, match="Nobody signs off their own budget"):
        services.estimate_approve(estimate=estimate, approved_by=director)
    with pytest.raises(services.Refused, match="Only an account director"):
        services.estimate_approve(estimate=estimate, approved_by=project.owner)
    estimate.refresh_from_db()
    assert estimate.status == "submitted"


def test_approved_change_orders_raise_and_lower_the_working_budget(project, director):
    approved_estimate(project, director)

    services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="Two more films",
        deltas={"production": D("80000"), "media": D("-50000")},
        client_approved_on=dt.date(2026, 11, 20),
        client_approval_note="Signed letter",
    )
    services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="Not yet agreed",
        deltas={"creative": D("999")},
    )

    budget = services.working_budget(project, approved=Estimate.objects.approved_for(project))
    assert budget["production"] == D("80000")
    assert budget["media"] == D("200000")
    assert budget["creative"] == D("100000")


def test_a_change_order_cannot_take_a_line_below_zero(project, director):
    approved_estimate(project, director)

    with pytest.raises(services.Refused, match="below zero"):
        services.change_order_create(
            project=project,
            created_by=project.owner,
            reason="Cut",
            deltas={"creative": D("-100000.01")},
            client_approved_on=dt.date(2026, 11, 20),
            client_approval_note="Signed letter",
        )
    assert not ChangeOrder.objects.exists()


def test_the_second_of_two_stale_edits_is_refused_naming_the_first(project):
    estimate = services.estimate_start(project=project, author=project.owner)
    colleague = UserFactory(role="ae", full_name="Li Na")
    opened_at = estimate.revision

    services.estimate_update(
        estimate=estimate, editor=colleague, revision=opened_at, lines={"media": D("5000")}
    )
    with pytest.raises(StaleEdit, match="Li Na changed this estimate"):
        services.estimate_update(
            estimate=estimate,
            editor=project.owner,
            revision=opened_at,
            lines={"media": D("9999")},
        )

    assert EstimateLine.objects.get(category="media").amount == D("5000")


def test_a_new_version_starts_as_a_copy_of_the_last(project, director):
    approved_estimate(project, director)

    second = services.estimate_start(project=project, author=project.owner)

    assert second.version == 2
    assert second.fee == D("420000")
    assert {line.category: line.amount for line in second.lines.all()} == {
        "creative": D("100000"),
        "media": D("250000"),
    }
    with pytest.raises(services.Refused, match="still open"):
        services.estimate_start(project=project, author=project.owner)


def test_the_database_refuses_negative_amounts_and_self_approval(project, director):
    estimate = services.estimate_start(project=project, author=project.owner)

    with pytest.raises(IntegrityError), transaction.atomic():
        EstimateLine.objects.create(estimate=estimate, category="media", amount=D("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Estimate.objects.filter(pk=estimate.pk).update(fee=D("-5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Estimate.objects.filter(pk=estimate.pk).update(
            status="approved", submitted_by=director, approved_by=director
        )


def test_every_change_to_an_estimate_and_its_lines_is_in_its_history(project, director):
    estimate = approved_estimate(project, director)

    events = list(estimate.events.order_by("pgh_id").values_list("status", "revision"))
    assert events[0] == ("draft", 1)
    assert events[-1] == ("approved", 4)
    line = estimate.lines.get(category="media")
    assert [e.amount for e in line.events.all()] == [D("250000")]
