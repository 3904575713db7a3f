import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import ClientDecision, ProposalRound
from notifications.models import Notification
from notifications.services import reminders_dispatch
from tests.factories import ContactFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal():
    proposal = ProposalFactory(
        title="Spring campaign", client__name="Acme Foods", client__allowed_proposal_rounds=1
    )
    ContactFactory(client=proposal.client, name="Gao Yan", email="gao@acme.example")
    first = proposal.rounds.get()
    for status in ("internal_review", "presented"):
        services.proposal_round_set_status(
            round_=first, status=status, changed_by=proposal.client.lead_ae
        )
    return proposal


def send_round(client, proposal):
    round_ = proposal.rounds.get(number=1)
    client.force_login(proposal.client.lead_ae)
    response = client.post(
        reverse("accounts:round_send", args=[proposal.pk, round_.pk]),
        {"contacts": [proposal.client.contacts.get().pk], "message": "The deck is attached."},
        follow=True,
    )
    assert "Sent to 1 contact." in response.text
    client.logout()
    [email] = mail.outbox
    return re.search(r"https?://[^/\s]+(/documents/[^/\s]+/)", email.body).group(1)


def test_the_client_accepts_a_presented_round_through_their_link(client, proposal):
    link = send_round(client, proposal)
    [email] = mail.outbox
    assert email.subject == "“Spring campaign”, round 1"
    assert "We would like your decision on “Spring campaign”, round 1." in email.body
    assert not email.attachments

    response = client.post(link, {"decision": "approved", "signed_name": "Gao Yan"})

    assert "is approved, signed by Gao Yan" in response.text
    round_ = proposal.rounds.get()
    assert round_.status == ProposalRound.Status.ACCEPTED
    assert round_.is_locked
    assert client.get(link + "pdf/").status_code == 410  # answered: the link is spent


def test_a_revision_asked_through_the_link_opens_the_next_round_as_a_repitch(client, proposal):
    link = send_round(client, proposal)

    client.post(link, {"decision": "changes", "comment": "Warmer colours, fewer words."})

    first, second = proposal.rounds.order_by("number")
    assert first.status == ProposalRound.Status.REVISION_REQUESTED
    assert first.revision_reasons == "Warmer colours, fewer words."
    assert (second.number, second.status) == (2, ProposalRound.Status.DRAFT)
    assert list(ProposalRound.objects.filter(proposal=proposal).repitch()) == [second]
    reminders_dispatch()
    told = {n.rule for n in Notification.objects.filter(recipient=proposal.client.lead_ae)}
    assert {"accounts.client_decided", "accounts.revision_requested"} <= told
    client.force_login(proposal.client.lead_ae)
    page = client.get(proposal.get_absolute_url()).text
    assert "Warmer colours, fewer words." in page
    assert "Changes asked for" in page


def test_a_round_the_team_has_moved_on_takes_no_answer(client, proposal):
    link = send_round(client, proposal)
    services.proposal_round_set_status(
        round_=proposal.rounds.get(),
        status="rejected",
        changed_by=proposal.client.lead_ae,
    )

    response = client.post(link, {"decision": "approved", "signed_name": "Gao Yan"})

    assert response.status_code == 410
    assert "There is a newer version" in response.text
    assert not ClientDecision.objects.exists()


def test_only_a_presented_round_is_sent_and_only_by_its_team(client, proposal):
    draft = ProposalFactory(client=proposal.client).rounds.get()
    client.force_login(proposal.client.lead_ae)
    assert (
        client.get(reverse("accounts:round_send", args=[draft.proposal_id, draft.pk])).status_code
        == 404
    )
    client.force_login(UserFactory(role="ae"))
    presented = proposal.rounds.get()
    url = reverse("accounts:round_send", args=[proposal.pk, presented.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"contacts": [proposal.client.contacts.get().pk]}).status_code == 404
    assert not mail.outbox
