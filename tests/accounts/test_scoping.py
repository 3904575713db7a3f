import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import get_resolver, reverse

from accounts.models import Attachment, Client
from tests.factories import (
    ActionItemFactory,
    ClientFactory,
    ContactFactory,
    ContactReportFactory,
    MeetingFactory,
    ProposalFactory,
    UserFactory,
)
from tests.routes import outsider_get_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    client = ClientFactory(name="Acme Foods")
    contact = ContactFactory(client=client, name="Ms Gao")
    member = client.memberships.get(user=client.lead_ae)
    return client, contact, member


def client_urls(client, contact, member):
    """Every accounts URL that names one client's data."""
    return [
        reverse("accounts:client_detail", args=[client.pk]),
        reverse("accounts:client_update", args=[client.pk]),
        reverse("accounts:team_member_add", args=[client.pk]),
        reverse("accounts:team_member_remove", args=[client.pk, member.pk]),
        reverse("accounts:contact_create", args=[client.pk]),
        reverse("accounts:contact_update", args=[contact.pk]),
    ]


def test_an_ae_of_another_account_gets_404_everywhere_and_changes_nothing(client, account):
    acme, contact, member = account
    outsider = UserFactory(role="ae")
    ClientFactory(lead_ae=outsider)
    client.force_login(outsider)

    for url in client_urls(acme, contact, member):
        assert client.get(url).status_code == outsider_get_status(url), url
        response = client.post(
            url, {"name": "Hijacked", "user": outsider.pk, "role_on_account": "x"}
        )
        assert response.status_code == 404, url

    acme.refresh_from_db()
    contact.refresh_from_db()
    assert acme.name == "Acme Foods"
    assert contact.name == "Ms Gao"
    assert acme.memberships.filter(pk=member.pk).exists()
    assert not acme.memberships.filter(user=outsider).exists()
    listing = client.get(reverse("accounts:client_list"))
    assert "Acme Foods" not in listing.text


def test_an_ae_on_the_team_sees_the_client(client, account):
    acme, _, _ = account
    teammate = UserFactory(role="ae")
    acme.memberships.create(user=teammate, role_on_account="Account manager")
    client.force_login(teammate)

    assert "Acme Foods" in client.get(reverse("accounts:client_list")).text
    assert client.get(acme.get_absolute_url()).status_code == 200
    assert client.get(reverse("accounts:client_update", args=[acme.pk])).status_code == 200


def test_finance_reads_every_client_but_edits_none(client, account):
    acme, contact, member = account
    client.force_login(UserFactory(role="finance"))

    assert "Acme Foods" in client.get(reverse("accounts:client_list")).text
    page = client.get(acme.get_absolute_url())
    assert page.status_code == 200
    assert reverse("accounts:client_update", args=[acme.pk]) not in page.text
    for url in client_urls(acme, contact, member)[1:]:
        assert client.get(url).status_code == outsider_get_status(url), url
        assert client.post(url, {"name": "Renamed"}).status_code == 404, url
    assert client.get(reverse("accounts:client_create")).status_code == 404
    assert Client.objects.get(pk=acme.pk).name == "Acme Foods"


def test_a_director_sees_and_edits_every_client(client, account):
    acme, contact, member = account
    client.force_login(UserFactory(role="account_director"))

    for url in client_urls(acme, contact, member)[:2] + client_urls(acme, contact, member)[-2:]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_outsiders_see_no_client_they_have_no_work_for(client, account, role):
    acme, contact, member = account
    client.force_login(UserFactory(role=role))

    listing = client.get(reverse("accounts:client_list"))
    if role == "staff":
        # Department staff list the clients of the projects they work on: none here.
        assert list(listing.context["page"]) == []
    else:
        assert listing.status_code == 404
    for url in client_urls(acme, contact, member):
        assert client.get(url).status_code == outsider_get_status(url), url


def test_visible_to_is_the_one_scope(account):
    acme, _, _ = account
    other = ClientFactory()

    assert set(Client.objects.visible_to(acme.lead_ae)) == {acme}
    assert set(Client.objects.visible_to(other.account_director)) == {acme, other}
    assert not Client.objects.visible_to(UserFactory(role="staff")).exists()


def every_accounts_url(acme):
    """Each accounts URL that names data of one account, with that account's objects."""
    contact = acme.contacts.first() or ContactFactory(client=acme)
    member = acme.memberships.first()
    report = ContactReportFactory(client=acme)
    item = ActionItemFactory(report=report)
    proposal = ProposalFactory(client=acme)
    round_ = proposal.rounds.get()
    meeting = MeetingFactory(client=acme)
    attachment = Attachment.objects.create(
        client=acme,
        content_type=ContentType.objects.get_for_model(report),
        object_id=report.pk,
        file="attachments/2026/12/minutes",
        name="Minutes.pdf",
        mime_type="application/pdf",
        size=100,
        uploaded_by=acme.lead_ae,
    )
    by_name = {
        "client_detail": {"pk": acme.pk},
        "client_update": {"pk": acme.pk},
        "team_member_add": {"pk": acme.pk},
        "team_member_remove": {"pk": acme.pk, "member_pk": member.pk},
        "contact_create": {"pk": acme.pk},
        "contact_update": {"pk": contact.pk},
        "report_create": {"pk": acme.pk},
        "report_detail": {"pk": report.pk},
        "report_update": {"pk": report.pk},
        "report_send_recap": {"pk": report.pk},
        "action_item_toggle": {"pk": item.pk},
        "proposal_create": {"pk": acme.pk},
        "proposal_detail": {"pk": proposal.pk},
        "round_open_next": {"pk": proposal.pk},
        "round_set_status": {"pk": proposal.pk, "round_pk": round_.pk},
        "round_log_hours": {"pk": proposal.pk, "round_pk": round_.pk},
        "round_send": {"pk": proposal.pk, "round_pk": round_.pk},
        "attachment_download": {"pk": attachment.pk},
        "attachment_add": {"kind": "report", "pk": report.pk},
        "meeting_create": {"pk": acme.pk},
        "meeting_detail": {"pk": meeting.pk},
        "meeting_update": {"pk": meeting.pk},
        "meeting_cancel": {"pk": meeting.pk},
        "meeting_report_create": {"pk": meeting.pk},
    }
    return {name: reverse(f"accounts:{name}", kwargs=kwargs) for name, kwargs in by_name.items()}


# Pages that name no account's data: lists scoped to the user, and the public links a
# client's contacts get by email (a recap, a document to approve).
UNSCOPED = {
    "client_list",
    "client_list_export",
    "client_create",
    "meeting_list",
    "meeting_list_export",
    "my_action_items",
    "my_action_items_export",
    "action_item_row",
    "recap_respond",
    "document_link",
    "document_link_pdf",
    "document_link_attachment",
}


def test_every_accounts_url_is_404_for_an_ae_of_another_account(client, account):
    acme, _, _ = account
    urls = every_accounts_url(acme)
    names = {pattern.name for pattern in get_resolver().namespace_dict["accounts"][1].url_patterns}
    assert names == set(urls) | UNSCOPED, "a new accounts URL needs its scoping checked here"
    outsider = UserFactory(role="ae")
    ClientFactory(lead_ae=outsider)
    client.force_login(outsider)
    before = Client.objects.values_list("updated_at", flat=True).get(pk=acme.pk)

    for name, url in urls.items():
        assert client.get(url).status_code == outsider_get_status(url), name
        response = client.post(
            url,
            {
                "name": "Hijacked",
                "status": "internal_review",
                "done": "1",
                "hours": "1",
                "title": "x",
                "kind": "creative",
                "discussion": "x",
            },
        )
        assert response.status_code == 404, name

    assert Client.objects.values_list("updated_at", flat=True).get(pk=acme.pk) == before
    assert acme.proposals.get().rounds.get().status == "draft"
