import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ClientDecision, SentDocument
from budgets import services
from budgets.models import ChangeOrder, Estimate
from notifications.models import Notification
from notifications.services import reminders_dispatch
from tests.factories import ApprovedEstimateFactory, ContactFactory, ProjectFactory, UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
BROWSER = "Mozilla/5.0 (Macintosh) Safari/605.1"


@pytest.fixture
def estimate():
    project = ProjectFactory(name="Spring launch", client__name="Acme Foods")
    ContactFactory(client=project.client, name="Gao Yan", email="gao@acme.example")
    ContactFactory(client=project.client, name="Wu Ting", email="wu@acme.example")
    return ApprovedEstimateFactory(project=project, lines={"production": "10000"})


@pytest.fixture
def project(estimate):
    return estimate.project


@pytest.fixture
def order(project):
    return services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="Two extra cut-downs",
        deltas={"production": D("2500")},
    )


def gao(project):
    return project.client.contacts.get(name="Gao Yan")


def wu(project):
    return project.client.contacts.get(name="Wu Ting")


def link_in(email):
    return re.search(r"https?://[^/\s]+(/documents/[^/\s]+/)", email.body).group(1)


def send_order(order, *contacts):
    services.change_order_send(order=order, sent_by=order.project.owner, contacts=contacts)
    return {tuple(email.to): link_in(email) for email in mail.outbox}


def answer(client, link, **data):
    return client.post(link, data, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")


def approve(client, link, name="Gao Yan"):
    return answer(client, link, decision="approved", signed_name=name)


def production_budget(project):
    approved = Estimate.objects.approved_for(project)
    return services.working_budget(project, approved=approved)["production"]


def test_the_ae_sends_a_change_order_with_its_pdf_and_a_personal_link_each(client, order):
    project = order.project
    client.force_login(project.owner)

    response = client.post(
        reverse("budgets:change_order_send", args=[project.pk, order.pk]),
        {"contacts": [gao(project).pk, wu(project).pk], "message": "As agreed on Friday."},
        follow=True,
    )

    assert "Sent to 2 contacts." in response.text
    by_recipient = {tuple(email.to): email for email in mail.outbox}
    assert set(by_recipient) == {("gao@acme.example",), ("wu@acme.example",)}
    email = by_recipient[("gao@acme.example",)]
    assert email.subject == f"Change order 1 · {project.job_number} Spring launch"
    assert "As agreed on Friday." in email.body
    assert "Approve it, or tell us what to change, within 30 days:" in email.body
    assert "Two extra cut-downs" in pdf_text(email.attachments[0][1])
    assert link_in(email) != link_in(by_recipient[("wu@acme.example",)])

    client.logout()  # the contact needs no account
    page = client.get(link_in(email))
    assert page.status_code == 200
    assert "For Gao Yan of Acme Foods" in page.text
    assert "As agreed on Friday." in page.text
    pdf = client.get(link_in(email) + "pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == SentDocument.objects.get().file.read()


def test_the_clients_approval_raises_the_working_budget_at_once_and_tells_the_team(client, order):
    project = order.project
    links = send_order(order, gao(project))
    assert production_budget(project) == D("10000")

    response = approve(client, links[("gao@acme.example",)], name="  Gao   Yan ")

    assert "is approved, signed by Gao Yan" in response.text
    assert production_budget(project) == D("12500")
    order.refresh_from_db()
    decision = ClientDecision.objects.get()
    assert order.client_approval == decision
    assert order.client_approved_on == timezone.localdate(decision.decided_at)
    assert (decision.contact, decision.signed_name) == (gao(project), "Gao Yan")
    assert (decision.ip_address, decision.user_agent) == ("203.0.113.7", BROWSER)

    reminders_dispatch(rules=["accounts.client_decided"])
    told = Notification.objects.filter(rule="accounts.client_decided")
    assert {n.recipient for n in told} == {project.client.lead_ae, project.client.account_director}
    assert told[0].headline == (
        f"Gao Yan of Acme Foods approved Change order 1 · {project.job_number} Spring launch"
    )
    client.force_login(project.owner)
    budget_page = client.get(reverse("budgets:project_budget", args=[project.pk])).text
    assert "signed “Gao Yan” (Gao Yan)" in budget_page
    timeline = client.get(project.client.get_absolute_url()).text
    assert "Approved" in timeline
    assert "Change order 1" in timeline


def test_asking_for_changes_leaves_the_budget_and_says_what_to_change(client, order):
    project = order.project
    links = send_order(order, gao(project))

    empty = answer(client, links[("gao@acme.example",)], decision="changes", comment="  ")
    assert "Say what should change." in empty.text
    response = answer(
        client, links[("gao@acme.example",)], decision="changes", comment="One cut-down only."
    )

    assert "We have your comments" in response.text
    assert production_budget(project) == D("10000")
    assert not ChangeOrder.objects.get(pk=order.pk).is_approved
    assert ClientDecision.objects.get().comment == "One cut-down only."
    reminders_dispatch(rules=["accounts.client_decided"])
    told = Notification.objects.filter(rule="accounts.client_decided").first()
    assert told.headline.startswith("Gao Yan of Acme Foods asks for changes to Change order 1")
    assert told.detail == "One cut-down only."


def test_an_approval_needs_the_typed_name(client, order):
    links = send_order(order, gao(order.project))

    response = answer(client, links[("gao@acme.example",)], decision="approved", signed_name="")

    assert "Type your name to sign the approval." in response.text
    assert not ClientDecision.objects.exists()


def test_a_link_answers_once_and_a_second_contact_finds_it_settled(client, order):
    project = order.project
    links = send_order(order, gao(project), wu(project))
    approve(client, links[("gao@acme.example",)])

    again = approve(client, links[("gao@acme.example",)])
    other = approve(client, links[("wu@acme.example",)], name="Wu Ting")

    assert again.status_code == 410
    assert "Already answered" in again.text
    assert other.status_code == 410
    assert "There is a newer version" in other.text
    assert ClientDecision.objects.count() == 1
    assert production_budget(project) == D("12500")


def test_a_tampered_link_is_refused_and_changes_nothing(client, order):
    link = send_order(order, gao(order.project))[("gao@acme.example",)]
    token = link.split("/")[2]
    forged = link.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))

    for response in (client.get(forged), approve(client, forged), client.get(forged + "pdf/")):
        assert response.status_code == 400
        assert "This link is not valid" in response.text
    assert client.get("/documents/not-a-token/").status_code == 400
    assert not ClientDecision.objects.exists()


def test_a_link_expires_after_the_days_set(client, order, settings, clock):
    settings.CLIENT_LINK_DAYS = 30
    link = send_order(order, gao(order.project))[("gao@acme.example",)]

    clock.go(days=29)
    assert client.get(link).status_code == 200
    clock.go(days=2)
    response = approve(client, link)

    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert not ChangeOrder.objects.get(pk=order.pk).is_approved


def test_a_link_to_an_estimate_replaced_by_a_later_version_says_so(client, estimate):
    project = estimate.project
    services.estimate_send(estimate=estimate, sent_by=project.owner, contacts=[gao(project)])
    link = link_in(mail.outbox[0])
    ApprovedEstimateFactory(project=project, lines={"production": "12000"})

    response = approve(client, link)

    assert response.status_code == 410
    assert "There is a newer version" in response.text
    assert not ClientDecision.objects.exists()


def test_an_estimate_goes_to_the_client_once_signed_off_and_is_approved_through_its_link(
    client, estimate
):
    project = estimate.project
    client.force_login(project.owner)
    draft = services.estimate_start(project=project, author=project.owner)
    assert (
        client.get(reverse("budgets:estimate_send", args=[project.pk, draft.pk])).status_code == 404
    )

    client.post(
        reverse("budgets:estimate_send", args=[project.pk, estimate.pk]),
        {"contacts": [gao(project).pk]},
    )
    [email] = mail.outbox
    assert email.subject == f"Estimate v1 · {project.job_number} Spring launch"
    client.logout()
    response = approve(client, link_in(email))

    assert "is approved" in response.text
    assert ClientDecision.objects.get().sending.document == estimate


def test_an_approval_given_another_way_is_recorded_with_how(client, order):
    project = order.project
    client.force_login(project.owner)
    url = reverse("budgets:change_order_approval", args=[project.pk, order.pk])

    refused = client.post(url, {"approved_on": "2026-11-20", "note": ""})
    assert "This field is required." in refused.text
    client.post(url, {"approved_on": "2026-11-20", "note": "Signed letter from Gao Yan"})

    order.refresh_from_db()
    assert order.client_approval_note == "Signed letter from Gao Yan"
    assert str(order.client_approved_on) == "2026-11-20"
    assert production_budget(project) == D("12500")
    assert client.get(url).status_code == 404  # approved: nothing left to record


def test_a_change_order_typed_as_approved_says_how(client, project):
    client.force_login(project.owner)

    response = client.post(
        reverse("budgets:change_order_create", args=[project.pk]),
        {"reason": "Extra cut-down", "client_approved_on": "2026-11-20", "line_production": "100"},
    )

    assert "Say how the client approved it." in response.text
    assert not ChangeOrder.objects.exists()


def test_only_the_account_team_sends_and_another_account_gets_404(client, order):
    project = order.project
    gao_pk = gao(project).pk
    urls = [
        reverse(f"budgets:change_order_{page}", args=[project.pk, order.pk])
        for page in ("send", "approval")
    ]
    for outsider in (UserFactory(role="ae"), UserFactory(role="finance")):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404
            data = {"contacts": [gao_pk], "approved_on": "2026-11-20", "note": "By phone"}
            assert client.post(url, data).status_code == 404
    assert not mail.outbox
    assert not ChangeOrder.objects.get(pk=order.pk).is_approved


def test_the_desks_show_what_waits_for_the_client_and_the_answer(client, order):
    project = order.project
    links = send_order(order, gao(project))
    client.force_login(project.client.lead_ae)

    waiting = client.get("/").text
    assert "With the client for approval" in waiting
    assert "Waiting since" in waiting
    assert "Change order 1" in waiting

    client.logout()
    approve(client, links[("gao@acme.example",)])
    client.force_login(project.client.account_director)
    answered = client.get("/").text
    assert "Change order 1" in answered
    assert "Approved</span> Gao Yan" in answered
    client.force_login(UserFactory(role="ae"))
    assert "Change order 1" not in client.get("/").text  # another account's AE
