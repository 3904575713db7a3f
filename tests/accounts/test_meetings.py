"""Meetings: scheduled ahead, shown on their attendees' desks, reported from, and a reminder
to the organiser when the report is still missing the day after."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ContactReport, Meeting
from notifications.services import reminders_dispatch
from tests.factories import ClientFactory, ContactFactory, MeetingFactory, UserFactory
from tests.notifications.conftest import received
from tests.routes import outsider_get_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return ClientFactory(name="Acme Foods", lead_ae=UserFactory(role="ae", full_name="Chen Jing"))


def meeting_data(acme, when, **overrides):
    return {
        "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
        "minutes": "90",
        "kind": "meeting",
        "place": "Acme HQ, 3F",
        "client_attendees": [contact.pk for contact in acme.contacts.all()],
        "staff_attendees": [acme.lead_ae.pk],
        "agenda": "Key visual options",
        **overrides,
    }


def test_an_ae_schedules_a_meeting_and_it_shows_on_every_attendees_desk(client, acme):
    gao = ContactFactory(client=acme, name="Gao Yan")
    designer = UserFactory(role="staff", full_name="Zhao Min")
    tomorrow = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    tomorrow += dt.timedelta(days=1)
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("accounts:meeting_create", args=[acme.pk]),
        meeting_data(acme, tomorrow, staff_attendees=[acme.lead_ae.pk, designer.pk]),
    )

    meeting = Meeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    assert meeting.organiser == acme.lead_ae
    assert meeting.starts_at == tomorrow
    assert meeting.minutes == 90
    assert list(meeting.client_attendees.all()) == [gao]
    assert set(meeting.staff_attendees.all()) == {acme.lead_ae, designer}
    page = client.get(meeting.get_absolute_url()).text
    for shown in ["Acme HQ, 3F", "Gao Yan", "Zhao Min"]:
        assert shown in page
    assert "Log the report" not in page  # not before it has taken place
    assert client.get(reverse("home")).context["meetings"].week == [meeting]
    assert "Key visual options" in client.get(acme.get_absolute_url()).text

    client.force_login(designer)
    assert client.get(reverse("home")).context["meetings"].week == [meeting]
    assert client.get(meeting.get_absolute_url()).status_code == 200
    # An attendee from a department sees the meeting but does not change it.
    assert "Cancel the meeting" not in client.get(meeting.get_absolute_url()).text
    assert client.get(reverse("accounts:meeting_update", args=[meeting.pk])).status_code == 302


def test_a_meeting_of_nonsense_length_or_date_is_refused_next_to_the_field(client, acme):
    client.force_login(acme.lead_ae)
    when = timezone.localtime() + dt.timedelta(days=1)

    for field, value, message in [
        ("minutes", "0", "greater than or equal to 5"),
        ("minutes", "100000", "less than or equal to 720"),
        ("starts_at", "0001-01-01T10:00", "Enter a date"),
        ("place", "x" * 10_000, "at most 300 characters"),
    ]:
        response = client.post(
            reverse("accounts:meeting_create", args=[acme.pk]),
            meeting_data(acme, when, **{field: value}),
        )
        assert response.status_code == 200
        assert message in response.text, field
        assert response.context["form"].errors[field]
    assert not Meeting.objects.exists()


def test_log_the_report_fills_the_form_from_the_meeting_and_links_them(client, acme):
    gao = ContactFactory(client=acme, name="Gao Yan")
    ContactFactory(client=acme, name="Not invited")
    designer = UserFactory(role="staff")
    started = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    meeting = MeetingFactory(
        client=acme,
        starts_at=started,
        kind="call",
        agenda="Media split",
        client_attendees=[gao],
        staff_attendees=[acme.lead_ae, designer],
    )
    client.force_login(acme.lead_ae)
    assert "Log the report" in client.get(meeting.get_absolute_url()).text

    form = client.get(reverse("accounts:meeting_report_create", args=[meeting.pk])).context["form"]

    assert form["occurred_at"].value() == started.replace(tzinfo=None)  # shown in local time
    assert form["kind"].value() == "call"
    assert form["agenda"].value() == "Media split"
    assert form["client_attendees"].value() == [gao.pk]
    assert set(form["staff_attendees"].value()) == {acme.lead_ae.pk, designer.pk}

    data = {
        "occurred_at": started.strftime("%Y-%m-%dT%H:%M"),
        "kind": "call",
        "client_attendees": [gao.pk],
        "staff_attendees": [acme.lead_ae.pk, designer.pk],
        "agenda": "Media split",
        "discussion": "Douyin gets 60 %.",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("accounts:meeting_report_create", args=[meeting.pk]), data)

    report = ContactReport.objects.get()
    assert response.url == report.get_absolute_url()
    meeting.refresh_from_db()
    assert meeting.report == report
    assert report.get_absolute_url() in client.get(meeting.get_absolute_url()).text
    # Opened again (a second tab), the form leads to the report logged already.
    again = client.get(reverse("accounts:meeting_report_create", args=[meeting.pk]))
    assert again.url == report.get_absolute_url()
    # A second save of the same meeting's report is refused and writes nothing.
    refused = client.post(
        reverse("accounts:meeting_report_create", args=[meeting.pk]), data, follow=True
    )
    assert "has been logged already" in refused.text
    assert ContactReport.objects.count() == 1


def test_a_meeting_still_to_come_or_cancelled_is_not_reported(client, acme):
    client.force_login(acme.lead_ae)
    ahead = MeetingFactory(client=acme)
    response = client.get(reverse("accounts:meeting_report_create", args=[ahead.pk]), follow=True)
    assert "has not taken place yet" in response.text

    past = MeetingFactory(client=acme, starts_at=timezone.now() - dt.timedelta(hours=1))
    asked = client.get(reverse("accounts:meeting_cancel", args=[past.pk]))
    assert "It leaves its attendees' desks" in asked.text
    past.refresh_from_db()
    assert not past.is_cancelled  # asking writes nothing
    client.post(reverse("accounts:meeting_cancel", args=[past.pk]))
    past.refresh_from_db()
    assert past.is_cancelled
    response = client.get(reverse("accounts:meeting_report_create", args=[past.pk]), follow=True)
    assert "was cancelled" in response.text
    with pytest.raises(services.Refused):
        services.meeting_update(
            meeting=past,
            editor=acme.lead_ae,
            client_attendees=[],
            staff_attendees=[],
            agenda="Changed",
        )
    assert not ContactReport.objects.exists()


def test_other_accounts_meetings_are_404(client, acme):
    meeting = MeetingFactory(client=acme)
    client.force_login(UserFactory(role="ae"))

    for name in ["meeting_detail", "meeting_update", "meeting_cancel", "meeting_report_create"]:
        url = reverse(f"accounts:{name}", args=[meeting.pk])
        assert client.get(url).status_code == outsider_get_status(url), name
    assert client.post(reverse("accounts:meeting_cancel", args=[meeting.pk])).status_code == 404
    meeting.refresh_from_db()
    assert not meeting.is_cancelled


def test_the_organiser_is_reminded_the_day_after_once_unless_the_report_is_logged(clock, acme):
    meeting = MeetingFactory(
        client=acme, starts_at=timezone.now() + dt.timedelta(hours=2)
    )  # Monday 11:00
    reported = MeetingFactory(client=acme, starts_at=timezone.now() + dt.timedelta(hours=1))
    MeetingFactory(client=acme, starts_at=timezone.now() + dt.timedelta(hours=3))
    cancelled = Meeting.objects.order_by("-pk").first()
    services.meeting_cancel(meeting=cancelled, by=acme.lead_ae)

    clock.go(hours=4)
    services.contact_report_create(
        client=acme,
        author=acme.lead_ae,
        meeting=reported,
        occurred_at=reported.starts_at,
        discussion="Done.",
        client_attendees=[],
        staff_attendees=[],
        action_items=[],
    )
    reminders_dispatch()
    assert received() == []  # the same day: nothing yet

    clock.go(days=1)
    reminders_dispatch()
    reminders_dispatch()
    assert received() == [
        ("Chen Jing", "No report yet of the meeting with Acme Foods on 2026-11-30")
    ]
    assert Meeting.objects.get(pk=meeting.pk).report is None
