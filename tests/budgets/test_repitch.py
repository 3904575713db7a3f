from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import services as accounts
from budgets import services
from budgets.models import ChangeOrder
from tests.factories import ClientFactory, ProjectFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def return_and_open_next(proposal, designer, hours):
    round_ = proposal.rounds.order_by("-number").first()
    for status in ["internal_review", "presented"]:
        round_ = accounts.proposal_round_set_status(
            round_=round_, status=status, changed_by=proposal.created_by
        )
    accounts.proposal_round_set_status(
        round_=round_,
        status="revision_requested",
        changed_by=proposal.created_by,
        revision_reasons="Try again",
    )
    new = accounts.proposal_round_open_next(proposal=proposal, opened_by=proposal.created_by)
    accounts.proposal_round_log_hours(
        round_=new, person=designer, hours=D(hours), logged_by=proposal.created_by
    )
    return new


def test_re_pitch_rounds_become_a_change_order_in_one_step_and_are_charged_once(client):
    acme = ClientFactory(allowed_proposal_rounds=1)
    project = ProjectFactory(client=acme)
    proposal = ProposalFactory(client=acme, project=project, title="Spring films")
    designer = UserFactory(role="staff", cost_rate=D("300"))
    return_and_open_next(proposal, designer, "10")
    client.force_login(acme.lead_ae)
    url = reverse("budgets:proposal_change_order", args=[proposal.pk])

    page = client.post(url, follow=True)

    order = ChangeOrder.objects.get()
    assert order.project == project
    assert order.repitch_rounds == [2]
    assert [(line.category, line.delta) for line in order.lines.all()] == [
        ("staff_time", D("3000.00"))
    ]
    assert "rounds 2 past the 1 agreed" in order.reason
    assert "waits for the client" in page.text
    assert not order.is_approved

    again = client.post(url, follow=True)
    assert "No re-pitch round is left to charge." in again.text
    assert ChangeOrder.objects.count() == 1

    return_and_open_next(proposal, designer, "4")
    client.post(url)
    assert ChangeOrder.objects.order_by("pk").last().repitch_rounds == [3]


def test_a_proposal_without_a_project_cannot_become_a_change_order():
    proposal = ProposalFactory()

    with pytest.raises(services.Refused, match="Link the proposal to a project"):
        services.change_order_from_repitch(proposal=proposal, created_by=proposal.created_by)
