import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AttendeeResponse, RecapSending
from tests.factories import (
    ActionItemFactory,
    ClientFactory,
    ContactFactory,
    ContactReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    acme = ClientFactory(name="Acme Foods")
    gao = ContactFactory(client=acme, name="Gao Yan", email="gao@acme.example")
    wu = ContactFactory(client=acme, name="Wu Ting", email="wu@acme.example")
    no_email = ContactFactory(client=acme, name="Old Zhang", email="")
    designer = UserFactory(role="staff", full_name="Zhao Min", email="zhao.min@agency.example")
    report = ContactReportFactory(
        client=acme, decisions="Launch on 1 March.", discussion="Timing of the launch."
    )
    report.client_attendees.set([gao, wu, no_email])
    report.staff_attendees.set([acme.lead_ae, designer])
    ActionItemFactory(report=report, description="Send the media plan", owner=designer)
    return report


def send(client, report, **extra):
    return client.post(reverse("accounts:report_send_recap", args=[report.pk]), extra, follow=True)


def link_in(message):
    return re.search(r"http://testserver(/recap/[^/\s]+/)", message.body).group(1)


def test_the_recap_goes_to_each_client_attendee_with_a_personal_link_and_to_the_team(
    client, report
):
    client.force_login(report.client.lead_ae)

    response = send(client, report)

    assert "Recap sent to 4 people." in response.text
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {
        ("gao@acme.example",),
        ("wu@acme.example",),
        (report.client.lead_ae.email, "zhao.min@agency.example"),
    }
    gao = by_recipient[("gao@acme.example",)]
    day = timezone.localtime(report.occurred_at)
    assert gao.subject == f"Recap: Meeting with Acme Foods on {day:%Y-%m-%d}"
    assert "Dear Gao Yan," in gao.body
    assert "Launch on 1 March." in gao.body
    assert "Send the media plan (Zhao Min, due" in gao.body
    html, mimetype = gao.alternatives[0]
    assert mimetype == "text/html"
    assert link_in(gao) in html
    assert link_in(gao) != link_in(by_recipient[("wu@acme.example",)])
    assert (
        "/recap/" not in by_recipient[(report.client.lead_ae.email, "zhao.min@agency.example")].body
    )
    sending = RecapSending.objects.get()
    assert sending.sent_by == report.client.lead_ae
    assert sending.recipient_count == 4
    assert "Sent " in response.text


def test_sending_again_asks_first(client, report):
    client.force_login(report.client.lead_ae)
    send(client, report)
    mail.outbox.clear()

    asked = send(client, report)

    assert "Send the recap again?" in asked.text
    assert mail.outbox == []
    assert RecapSending.objects.count() == 1
    send(client, report, again="1")
    assert len(mail.outbox) == 3
    assert RecapSending.objects.count() == 2


def test_a_recap_without_recipients_is_refused_and_not_recorded(client):
    report = ContactReportFactory()
    client.force_login(report.client.lead_ae)

    response = send(client, report)

    assert "Nobody to send to" in response.text
    assert mail.outbox == []
    assert not RecapSending.objects.exists()


def test_a_client_attendee_confirms_through_the_link_and_the_team_sees_it(client, report):
    client.force_login(report.client.lead_ae)
    send(client, report)
    link = link_in(next(m for m in mail.outbox if m.to == ["gao@acme.example"]))
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "Launch on 1 March." in page.text
    assert "For Gao Yan" in page.text
    thanks = client.post(link, {"answer": "confirmed"})
    assert "We have your confirmation." in thanks.text

    answer = AttendeeResponse.objects.get()
    assert answer.contact.name == "Gao Yan"
    assert answer.answer == "confirmed"
    client.force_login(report.client.lead_ae)
    assert "Gao Yan" in client.get(report.get_absolute_url()).text
    timeline = client.get(report.client.get_absolute_url()).text
    assert "Confirmed" in timeline


def test_a_correction_needs_words_and_is_shown_to_the_team(client, report):
    client.force_login(report.client.lead_ae)
    send(client, report)
    link = link_in(next(m for m in mail.outbox if m.to == ["wu@acme.example"]))
    client.logout()

    empty = client.post(link, {"answer": "corrected", "correction": "  "})
    assert empty.context["form"].errors == {"correction": ["Tell us what to correct."]}
    assert not AttendeeResponse.objects.exists()

    client.post(link, {"answer": "corrected", "correction": "Launch is 8 March, not 1 March."})
    client.force_login(report.client.lead_ae)
    timeline = client.get(report.client.get_absolute_url()).text
    assert "Launch is 8 March, not 1 March." in timeline


def test_a_tampered_link_shows_a_clear_page_and_changes_nothing(client, report):
    client.force_login(report.client.lead_ae)
    send(client, report)
    link = link_in(mail.outbox[0])
    tampered = link.replace("/recap/", "/recap/x")
    client.logout()

    for response in (client.get(tampered), client.post(tampered, {"answer": "confirmed"})):
        assert response.status_code == 400
        assert "This link is not valid" in response.text
    assert not AttendeeResponse.objects.exists()


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(client, report):
    start = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(report.client.lead_ae)
        send(client, report)
    link = link_in(mail.outbox[0])
    client.logout()

    with time_machine.travel(start + dt.timedelta(days=13, hours=23), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=14, hours=1), tick=False):
        response = client.post(link, {"answer": "confirmed"})
        assert response.status_code == 410
        assert "This link has expired" in response.text
    assert not AttendeeResponse.objects.exists()


def test_a_used_link_shows_a_clear_page_and_keeps_the_first_answer(client, report):
    client.force_login(report.client.lead_ae)
    send(client, report)
    link = link_in(next(m for m in mail.outbox if m.to == ["gao@acme.example"]))
    client.logout()
    client.post(link, {"answer": "confirmed"})

    again = client.post(link, {"answer": "corrected", "correction": "Changed my mind."})

    assert again.status_code == 410
    assert "Already answered" in again.text
    assert AttendeeResponse.objects.get().answer == "confirmed"


def test_an_ae_of_another_account_cannot_send_the_recap(client, report):
    client.force_login(UserFactory(role="ae"))

    assert client.post(reverse("accounts:report_send_recap", args=[report.pk])).status_code == 404
    assert mail.outbox == []
