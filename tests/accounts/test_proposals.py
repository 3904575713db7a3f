import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Proposal, ProposalRound, RoundHours
from tests.factories import ClientFactory, ProposalFactory, UserFactory
from tests.routes import outsider_get_status

pytestmark = pytest.mark.django_db


def status_url(round_):
    return reverse("accounts:round_set_status", args=[round_.proposal_id, round_.pk])


def hours_url(round_):
    return reverse("accounts:round_log_hours", args=[round_.proposal_id, round_.pk])


def move(client, round_, status, **extra):
    return client.post(status_url(round_), {"status": status, **extra}, follow=True)


def return_for_revision(proposal, reasons="Too corporate; show real families."):
    round_ = proposal.rounds.order_by("-number").first()
    for status in ["internal_review", "presented"]:
        round_ = services.proposal_round_set_status(
            round_=round_, status=status, changed_by=proposal.created_by
        )
    return services.proposal_round_set_status(
        round_=round_,
        status="revision_requested",
        changed_by=proposal.created_by,
        revision_reasons=reasons,
    )


def test_an_ae_opens_a_proposal_with_its_first_round(client):
    acme = ClientFactory()
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("accounts:proposal_create", args=[acme.pk]),
        {"title": "Spring launch", "kind": "creative"},
    )

    proposal = Proposal.objects.get()
    assert response["Location"] == proposal.get_absolute_url()
    assert [(r.number, r.status) for r in proposal.rounds.all()] == [(1, "draft")]


def test_a_round_moves_through_review_and_presentation(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    client.force_login(proposal.client.lead_ae)

    move(client, round_, "internal_review")
    page = move(client, round_, "presented", presented_on="2026-11-20")

    round_.refresh_from_db()
    assert round_.status == "presented"
    assert round_.presented_on == dt.date(2026, 11, 20)
    assert "Round 1 is now presented." in page.text


def test_a_round_cannot_skip_ahead(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    client.force_login(proposal.client.lead_ae)

    response = client.post(status_url(round_), {"status": "accepted"})

    assert "status" in response.context["status_form"].errors
    round_.refresh_from_db()
    assert round_.status == "draft"
    with pytest.raises(services.Refused):
        services.proposal_round_set_status(
            round_=round_, status="accepted", changed_by=proposal.created_by
        )


def test_a_revision_needs_the_clients_reasons(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    for status in ["internal_review", "presented"]:
        services.proposal_round_set_status(
            round_=round_, status=status, changed_by=proposal.created_by
        )
    client.force_login(proposal.client.lead_ae)

    refused = client.post(
        status_url(round_), {"status": "revision_requested", "revision_reasons": " "}
    )

    assert refused.context["status_form"].errors == {
        "revision_reasons": ["Write down why the client wants a revision."]
    }
    round_.refresh_from_db()
    assert round_.status == "presented"
    move(client, round_, "revision_requested", revision_reasons="Show real families.")
    round_.refresh_from_db()
    assert round_.revision_reasons == "Show real families."


def test_a_presentation_date_in_the_future_is_refused(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    services.proposal_round_set_status(
        round_=round_, status="internal_review", changed_by=proposal.created_by
    )
    client.force_login(proposal.client.lead_ae)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(status_url(round_), {"status": "presented", "presented_on": tomorrow})

    assert "presented_on" in response.context["status_form"].errors
    round_.refresh_from_db()
    assert round_.status == "internal_review"


def test_a_new_round_opens_only_from_a_round_returned_for_revision(client):
    proposal = ProposalFactory()
    client.force_login(proposal.client.lead_ae)
    open_url = reverse("accounts:round_open_next", args=[proposal.pk])

    refused = client.post(open_url, follow=True)
    assert "opens only from a round the client returned" in refused.text
    assert proposal.rounds.count() == 1

    return_for_revision(proposal)
    client.post(open_url)
    assert [(r.number, r.status) for r in proposal.rounds.all()] == [
        (1, "revision_requested"),
        (2, "draft"),
    ]
    # The fresh round is a draft, so no third round yet.
    client.post(open_url)
    assert proposal.rounds.count() == 2


def test_an_accepted_round_is_locked(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    for status in ["internal_review", "presented", "accepted"]:
        round_ = services.proposal_round_set_status(
            round_=round_, status=status, changed_by=proposal.created_by
        )
    client.force_login(proposal.client.lead_ae)

    page = client.get(proposal.get_absolute_url())
    assert "Locked" in page.text
    assert page.context["status_form"] is None
    hours = client.post(
        hours_url(round_), {"person": proposal.created_by.pk, "hours": "3"}, follow=True
    )
    assert "An accepted round is locked." in hours.text
    assert not RoundHours.objects.exists()
    with pytest.raises(services.Refused):
        services.proposal_round_set_status(
            round_=round_,
            status="revision_requested",
            changed_by=proposal.created_by,
            revision_reasons="Changed their mind",
        )


def test_hours_are_priced_at_the_persons_cost_rate_when_logged(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    planner = UserFactory(role="staff", cost_rate=Decimal("250.00"))
    client.force_login(proposal.client.lead_ae)

    client.post(hours_url(round_), {"person": planner.pk, "hours": "6.5"})
    planner.cost_rate = Decimal("400.00")
    planner.save()

    entry = RoundHours.objects.get()
    assert entry.cost_rate == Decimal("250.00")
    assert entry.cost == Decimal("1625.00")


def test_the_hours_form_comes_when_someone_logs_hours(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    planner = UserFactory(role="staff", full_name="Xu Ting")
    client.force_login(proposal.client.lead_ae)

    page = client.get(proposal.get_absolute_url())
    fetched = client.get(hours_url(round_), headers={"hx-request": "true"})

    assert "Log hours" in page.text
    assert "Xu Ting" not in page.text  # no choice of every person on the page itself
    assert f'<option value="{planner.pk}">Xu Ting</option>' in fetched.text
    assert client.get(hours_url(round_)).status_code == 405


@pytest.mark.parametrize("hours", ["-2", "0", "abc", "5000"])
def test_bad_hours_are_refused_next_to_the_field(client, hours):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    client.force_login(proposal.client.lead_ae)

    response = client.post(hours_url(round_), {"person": proposal.created_by.pk, "hours": hours})

    assert response.status_code == 200
    form = response.context["rounds"][0].hours_form
    assert "hours" in form.errors
    assert 'id="error_1_id_hours"' in response.text
    assert not RoundHours.objects.exists()


def test_rounds_past_the_allowance_show_as_repitch_with_their_cost(client):
    acme = ClientFactory(name="Acme Foods", allowed_proposal_rounds=1)
    proposal = ProposalFactory(client=acme, title="Spring launch")
    designer = UserFactory(role="staff", cost_rate=Decimal("300.00"))
    services.proposal_round_log_hours(
        round_=proposal.rounds.get(), person=designer, hours=Decimal("4"), logged_by=acme.lead_ae
    )
    return_for_revision(proposal)
    second = services.proposal_round_open_next(proposal=proposal, opened_by=acme.lead_ae)
    services.proposal_round_log_hours(
        round_=second, person=designer, hours=Decimal("10"), logged_by=acme.lead_ae
    )
    services.proposal_round_log_hours(
        round_=second, person=acme.lead_ae, hours=Decimal("2"), logged_by=acme.lead_ae
    )
    client.force_login(acme.lead_ae)
    expected = Decimal("10") * Decimal("300") + Decimal("2") * acme.lead_ae.cost_rate

    page = client.get(proposal.get_absolute_url()).text
    assert f"Re-pitch: 1 round past the allowance, costing CN¥{expected:,.2f}" in page

    listed = client.get(reverse("accounts:client_list")).context["page"][0]
    assert listed.repitch_rounds == 1
    assert listed.repitch_cost == expected
    client_page = client.get(acme.get_absolute_url())
    assert f"1 round · CN¥{expected:,.2f}" in client_page.text
    assert "Spring launch, round 2" in client_page.text
    assert "Too corporate; show real families." in client_page.text


def test_rounds_are_listed_in_order_and_the_latest_is_the_last_opened(client):
    proposal = ProposalFactory()
    # Rows stored out of order, as updates leave them in a busy table.
    for number in (3, 2):
        ProposalRound.objects.create(
            proposal=proposal,
            number=number,
            status="revision_requested" if number == 2 else "presented",
            revision_reasons="Too corporate." if number == 2 else "",
        )
    client.force_login(proposal.client.lead_ae)

    page = client.get(proposal.get_absolute_url())

    assert [round_.number for round_ in page.context["rounds"]] == [1, 2, 3]
    assert page.context["latest"].number == 3


def test_proposals_of_other_accounts_are_404(client):
    proposal = ProposalFactory()
    round_ = proposal.rounds.get()
    client.force_login(UserFactory(role="ae"))

    for url in [
        proposal.get_absolute_url(),
        reverse("accounts:proposal_create", args=[proposal.client_id]),
        reverse("accounts:round_open_next", args=[proposal.pk]),
        status_url(round_),
        hours_url(round_),
    ]:
        assert client.get(url).status_code == outsider_get_status(url), url
        assert client.post(url, {"status": "internal_review", "hours": "1"}).status_code == 404
    round_.refresh_from_db()
    assert round_.status == "draft"
    assert ProposalRound.objects.count() == 1
