import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import Client, Contact
from common.errors import Refused
from tests.factories import ClientFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(db):
    return UserFactory(role="account_director", full_name="Zhang Wei")


def client_data(ae, director, **overrides):
    data = {
        "name": "Acme Foods",
        "code": "ACME",
        "industry": "Food and beverage",
        "status": "active",
        "lead_ae": ae.pk,
        "account_director": director.pk,
        "payment_terms_days": 45,
        "currency": "CNY",
        "language": "en",
        "allowed_proposal_rounds": 2,
        "needs": "Grow share among young families in tier-2 cities.",
        "difficulties": "Slow approvals at headquarters.",
    }
    data.update(overrides)
    return data


def test_an_ae_opens_a_client_and_leads_its_team(client, ae, director):
    client.force_login(ae)

    response = client.post(reverse("accounts:client_create"), client_data(ae, director))

    acme = Client.objects.get(name="Acme Foods")
    assert response.status_code == 302
    assert response["Location"] == acme.get_absolute_url()
    assert acme.payment_terms_days == 45
    assert set(acme.team.all()) == {ae, director}
    page = client.get(acme.get_absolute_url()).text
    assert "Grow share among young families" in page
    assert "Slow approvals at headquarters." in page


def test_a_client_reads_its_documents_in_the_language_chosen_for_it(client, ae, director):
    client.force_login(ae)

    refused = client.post(
        reverse("accounts:client_create"), client_data(ae, director, language="fr")
    )
    client.post(reverse("accounts:client_create"), client_data(ae, director, language="zh-hans"))

    assert "language" in refused.context["form"].errors
    assert Client.objects.get(name="Acme Foods").language == "zh-hans"


def test_a_client_name_is_unique_whatever_the_case(client, ae, director):
    ClientFactory(name="Acme Foods")
    client.force_login(ae)

    response = client.post(
        reverse("accounts:client_create"), client_data(ae, director, name="ACME foods")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["A client with this name exists already."]}
    assert 'value="ACME foods"' in response.text
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("payment_terms_days", "400", "less than or equal to 365"),
        ("payment_terms_days", "-5", "greater than or equal to 0"),
        ("allowed_proposal_rounds", "0", "greater than or equal to 1"),
        ("name", "", "This field is required."),
        ("code", "acme", "2 to 12 capital letters or digits"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    client, ae, director, field, value, message
):
    client.force_login(ae)

    response = client.post(
        reverse("accounts:client_create"), client_data(ae, director, **{field: value})
    )

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert f'id="error_1_id_{field}"' in response.text
    assert 'value="Food and beverage"' in response.text
    assert not Client.objects.exists()


def test_only_aes_can_lead_a_client(client, ae, director):
    designer = UserFactory(role="staff")
    client.force_login(ae)

    response = client.post(
        reverse("accounts:client_create"), client_data(ae, director, lead_ae=designer.pk)
    )

    assert "lead_ae" in response.context["form"].errors
    assert not Client.objects.exists()


def test_changing_the_lead_ae_puts_the_new_lead_on_the_team(client, director):
    acme = ClientFactory(account_director=director)
    new_lead = UserFactory(role="ae")
    client.force_login(director)

    client.post(
        reverse("accounts:client_update", args=[acme.pk]),
        client_data(new_lead, director, name=acme.name, code=acme.code),
    )

    acme.refresh_from_db()
    assert acme.lead_ae == new_lead
    assert acme.memberships.filter(user=new_lead).exists()


def test_the_team_grows_and_shrinks_but_keeps_its_leads(client):
    acme = ClientFactory()
    planner = UserFactory(role="staff", full_name="Zhou Xin")
    client.force_login(acme.lead_ae)
    form = client.get(reverse("accounts:team_member_add", args=[acme.pk]))
    assert "Zhou Xin" in form.text

    client.post(
        reverse("accounts:team_member_add", args=[acme.pk]),
        {"user": planner.pk, "role_on_account": "Planner"},
    )
    member = acme.memberships.get(user=planner)
    assert member.role_on_account == "Planner"

    lead = acme.memberships.get(user=acme.lead_ae)
    refused = client.post(
        reverse("accounts:team_member_remove", args=[acme.pk, lead.pk]), follow=True
    )
    assert "stay on the team" in refused.text
    assert acme.memberships.filter(pk=lead.pk).exists()

    client.post(reverse("accounts:team_member_remove", args=[acme.pk, member.pk]))
    assert not acme.memberships.filter(user=planner).exists()


def test_the_team_form_offers_only_people_who_work_on_accounts(client):
    acme = ClientFactory()
    UserFactory(role="finance", full_name="Liu Yang")
    admin = UserFactory(role="admin", full_name="Portal Admin")
    UserFactory(role="staff", full_name="Gone Person", is_active=False)
    UserFactory(role="staff", full_name="Zhou Xin")
    client.force_login(acme.lead_ae)

    form = client.get(reverse("accounts:team_member_add", args=[acme.pk]))
    assert "Zhou Xin" in form.text
    assert "Liu Yang" not in form.text
    assert "Portal Admin" not in form.text
    assert "Gone Person" not in form.text

    refused = client.post(
        reverse("accounts:team_member_add", args=[acme.pk]),
        {"user": admin.pk, "role_on_account": "Planner"},
        follow=True,
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.text
    assert not acme.memberships.filter(user=admin).exists()

    with pytest.raises(Refused):
        services.account_team_add(
            client=acme, user=admin, role_on_account="Planner", by=acme.lead_ae
        )
    assert not acme.memberships.filter(user=admin).exists()


def test_contacts_are_added_and_edited_from_the_client_page(client):
    acme = ClientFactory()
    client.force_login(acme.lead_ae)

    client.post(
        reverse("accounts:contact_create", args=[acme.pk]),
        {
            "name": "Gao Yan",
            "title": "Marketing director",
            "email": "gao@acme.example",
            "phone": "+86 21 5555 0101",
            "is_decision_maker": "on",
        },
    )
    contact = acme.contacts.get()
    assert contact.is_decision_maker
    client.post(
        reverse("accounts:contact_update", args=[contact.pk]),
        {"name": "Gao Yan", "title": "CMO", "email": "gao@acme.example", "phone": ""},
    )

    contact.refresh_from_db()
    assert contact.title == "CMO"
    assert not contact.is_decision_maker
    page = client.get(acme.get_absolute_url()).text
    assert "Gao Yan" in page
    assert "CMO" in page


def test_a_contact_with_a_malformed_email_is_refused(client):
    acme = ClientFactory()
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("accounts:contact_create", args=[acme.pk]), {"name": "Gao Yan", "email": "gao@"}
    )

    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert not Contact.objects.exists()


def test_the_client_list_searches_filters_and_pages(client, director):
    lead = UserFactory(role="ae", full_name="Li Na")
    for n in range(30):
        ClientFactory(
            name=f"Brand {n:02d}",
            account_director=director,
            status="prospect" if n % 3 == 0 else "active",
            lead_ae=lead if n < 5 else UserFactory(role="ae"),
        )
    client.force_login(director)
    url = reverse("accounts:client_list")

    first = client.get(url)
    assert len(first.context["page"]) == 25
    assert "Page 1 of 2" in first.text
    assert len(client.get(url, {"page": 2}).context["page"]) == 5
    assert [c.name for c in client.get(url, {"q": "brand 1"}).context["page"]] == [
        f"Brand {n}" for n in range(10, 20)
    ]
    assert len(client.get(url, {"status": "prospect"}).context["page"]) == 10
    assert len(client.get(url, {"ae": lead.pk}).context["page"]) == 5
    # The next page keeps the search.
    assert "q=brand&amp;page=2" in client.get(url, {"q": "brand"}).text


@pytest.mark.parametrize("url_name", ["accounts:client_list", "accounts:client_detail"])
def test_client_pages_cost_the_same_queries_with_5_or_50_clients(client, director, url_name):
    def build(count):
        created = [ClientFactory(account_director=director) for _ in range(count)]
        for acme in created[:1]:
            for _ in range(count):
                ContactFactory(client=acme)
        return created[0]

    def queries_for(target):
        client.force_login(director)
        url = reverse(url_name, args=[target.pk] if url_name.endswith("detail") else [])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries_for(build(5))
    Client.objects.all().delete()
    large = queries_for(build(50))

    assert small == large


def test_two_people_opening_the_same_client_at_once_get_a_page_not_an_error(
    client, ae, director, monkeypatch
):
    """Both forms pass the name check before either saves; the database lets the first in
    and refuses the second, which reads why, with nothing of it saved."""
    client.force_login(ae)
    client.post(reverse("accounts:client_create"), client_data(ae, director))
    # The second person's checks, the form's and the service's, ran before the first
    # person's client was saved.
    monkeypatch.setattr(
        "accounts.forms.ClientForm.clean_name", lambda form: form.cleaned_data["name"]
    )
    monkeypatch.setattr("accounts.forms.ClientForm._post_clean", lambda form: None)
    monkeypatch.setattr("accounts.services.validate", lambda instance, **kwargs: None)
    clients_before = Client.objects.count()

    response = client.post(
        reverse("accounts:client_create"), client_data(ae, director, name="ACME foods")
    )

    assert response.status_code == 409
    assert "Saved by someone else at the same moment" in response.text
    assert "A client with this name exists already." in response.text
    assert Client.objects.count() == clients_before
