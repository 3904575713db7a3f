"""The calendar feed a person's calendar app subscribes to: their meetings and dates, in
their time zone, scoped like the pages, at a secret address that can be replaced."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts import services as accounts
from billing import services as billing
from tests.factories import (
    ActionItemFactory,
    ClientFactory,
    ContactFactory,
    ContactReportFactory,
    InvoiceFactory,
    MeetingFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def feed_of(client, person):
    client.logout()  # a calendar app has no session
    response = client.get(reverse("calendar_feed", args=[person.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return {str(event["uid"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


def open_feed(client, person):
    client.force_login(person)
    client.post(reverse("teams:calendar_link_replace"))
    person.refresh_from_db()
    return feed_of(client, person)


def test_the_feed_holds_my_meetings_due_dates_and_deadlines_in_my_time_zone(client, clock):
    ae = UserFactory(role="ae", full_name="Chen Jing", email="chen.jing@agency.example")
    acme = ClientFactory(name="Qinghe Dairy", lead_ae=ae)
    gao = ContactFactory(client=acme, name="Gao Yan", email="gao.yan@qinghe.example")
    meeting = MeetingFactory(
        client=acme,
        starts_at=dt.datetime(2026, 12, 2, 14, 0, tzinfo=SHANGHAI),
        minutes=90,
        place="Qinghe HQ, 3F",
        agenda="Key visual options",
        client_attendees=[gao],
    )
    project = ProjectFactory(client=acme, owner=ae, deadline=clock.today + dt.timedelta(days=20))
    task = TaskFactory(project=project, title="Brief the studio", assignee=ae, due_on=clock.today)
    item = ActionItemFactory(
        report=ContactReportFactory(client=acme),
        owner=ae,
        description="Send the deck",
        due_on=clock.today + dt.timedelta(days=3),
    )
    # Outside the window, cancelled, or someone else's: not in the feed.
    MeetingFactory(client=acme, starts_at=timezone.now() + dt.timedelta(days=200))
    accounts.meeting_cancel(meeting=MeetingFactory(client=acme), by=ae)
    MeetingFactory(client=ClientFactory(name="Other account"))

    calendar = open_feed(client, ae)

    found = events(calendar)
    assert set(found) == {
        f"meeting-{meeting.pk}",
        f"task-{task.pk}",
        f"action-item-{item.pk}",
        f"project-deadline-{project.pk}",
    }
    held = found[f"meeting-{meeting.pk}"]
    assert held["dtstart"].dt == dt.datetime(2026, 12, 2, 14, 0, tzinfo=SHANGHAI)
    assert held["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert held["dtend"].dt == dt.datetime(2026, 12, 2, 15, 30, tzinfo=SHANGHAI)
    assert str(held["location"]) == "Qinghe HQ, 3F"
    assert str(held["description"]) == "Key visual options"
    assert {str(attendee) for attendee in held["attendee"]} == {
        "mailto:chen.jing@agency.example",
        "mailto:gao.yan@qinghe.example",
    }
    assert found[f"task-{task.pk}"]["dtstart"].dt == clock.today
    assert (
        str(found[f"action-item-{item.pk}"]["summary"])
        == "Action item due: Send the deck (Qinghe Dairy)"
    )
    zone = calendar.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zone] == ["Asia/Shanghai"]
    # Worked out once per process: the next feed carries the same zone, first.
    again = feed_of(client, ae)
    assert again.subcomponents[0].name == "VTIMEZONE"
    assert again.walk("VTIMEZONE")[0].to_ical() == zone[0].to_ical()


def test_the_feed_speaks_my_language_and_keeps_its_uids(client, clock):
    ae = UserFactory(role="ae", language="zh-hans")
    task = TaskFactory(
        project=ProjectFactory(client=ClientFactory(lead_ae=ae), owner=ae),
        assignee=ae,
        title="主视觉",
        due_on=clock.today,
    )

    first = events(open_feed(client, ae))
    again = events(feed_of(client, ae))

    assert str(first[f"task-{task.pk}"]["summary"]).startswith("任务到期：主视觉")
    assert first.keys() == again.keys()


def test_finance_sees_when_invoices_fall_due_and_are_promised(client, clock):
    finance = UserFactory(role="finance")
    acme = ClientFactory(name="Qinghe Dairy", payment_terms_days=30)
    due = InvoiceFactory(client=acme, created_by=finance, issue_date=clock.today, sent=True)
    late = InvoiceFactory(
        client=acme,
        created_by=finance,
        issue_date=clock.today - dt.timedelta(days=40),
        lines=[("Fee", Decimal("500"))],
        sent=True,
    )
    billing.collection_note_add(
        invoice=late,
        written_by=finance,
        contacted="Gao Yan",
        outcome="Pays on Friday.",
        promised_on=clock.today + dt.timedelta(days=4),
    )

    also_due = InvoiceFactory(
        client=ClientFactory(name="Xingtu Motors", payment_terms_days=30),
        created_by=finance,
        issue_date=clock.today,
        lines=[("Fee", Decimal("2000"))],
        sent=True,
    )

    found = events(open_feed(client, finance))

    # One event a day, however many invoices fall due that day.
    day = found["invoices-due-20261230"]
    assert day["dtstart"].dt == dt.date(2026, 12, 30)
    assert str(day["summary"]) == "2 invoices due: 3,000.00 CNY"
    assert str(day["description"]).splitlines() == [
        f"{due.number} Qinghe Dairy",
        f"{also_due.number} Xingtu Motors",
    ]
    promised = found["payments-promised-20261204"]
    assert str(promised["summary"]) == "Payment promised for 1 invoice"
    assert str(promised["description"]) == f"{late.number} Qinghe Dairy"
    # An AE's feed has no invoice in it.
    ae_feed = events(open_feed(client, acme.lead_ae))
    assert not any(uid.startswith(("invoices", "payments")) for uid in ae_feed)


def test_a_replaced_address_stops_working_and_an_unknown_one_tells_nothing(client):
    ae = UserFactory(role="ae")
    open_feed(client, ae)
    old = ae.calendar_token

    client.force_login(ae)
    page = client.post(reverse("teams:calendar_link_replace"), follow=True)
    ae.refresh_from_db()

    assert ae.calendar_token != old
    assert reverse("calendar_feed", args=[ae.calendar_token]) in page.text
    client.logout()
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["not-a-key"])).status_code == 404
    ae.is_active = False
    ae.save()
    assert client.get(reverse("calendar_feed", args=[ae.calendar_token])).status_code == 404


@pytest.mark.parametrize("size", [1, 8])
def test_the_feed_costs_the_same_queries_at_any_size(
    client, clock, size, django_assert_num_queries
):
    finance = UserFactory(role="finance")
    for _ in range(size):
        acme = ClientFactory()
        MeetingFactory(client=acme, organiser=acme.lead_ae, staff_attendees=[acme.lead_ae, finance])
        InvoiceFactory(client=acme, created_by=finance, issue_date=clock.today, sent=True)
    open_feed(client, finance)
    client.logout()

    # the person; meetings, their client and their agency attendees; tasks; action items;
    # projects; invoices due; promises
    with django_assert_num_queries(9):
        client.get(reverse("calendar_feed", args=[finance.calendar_token]))
