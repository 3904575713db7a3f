"""Each person's calendar feed (iCalendar), which their calendar app subscribes to: their
meetings, the due dates of their tasks and action items, the deadlines of the projects they
run or work on and, for finance, the days open invoices fall due or are promised. Scoped like
the pages, within a window around today, worded in the person's language."""

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event, Timezone

from accounts.models import ActionItem, Contact, Meeting
from billing import selectors as billing
from billing.models import CollectionNote
from common.money import base_currency
from common.urls import pk_reverse
from notifications.models import mail_domain
from notifications.services import absolute
from projects.models import Project, Stage, Task
from teams import permissions
from teams.models import User

DAYS_BACK = 60
DAYS_AHEAD = 180


@functools.cache
def _vtimezone(tzid: str) -> bytes:
    """A time zone's VTIMEZONE, worked out once per process: it takes tens of milliseconds
    (the zone's every transition is read) and is the same in every feed."""
    return Timezone.from_tzid(tzid).to_ical()


def _add_timezones(calendar) -> None:
    """What Calendar.add_missing_timezones() adds, from the zones worked out already."""
    for position, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        calendar.subcomponents.insert(position, Timezone.from_ical(_vtimezone(tzid)))


@dataclass(frozen=True)
class _Made:
    """What every event of one feed shares: when the feed was made, and the domain that
    makes its uids unique."""

    at: datetime
    domain: str


def _event(made: _Made, uid: str, summary: str, start, *, end=None, link="", description=""):
    event = Event()
    event.add("uid", f"{uid}@{made.domain}")
    event.add("summary", summary)
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    elif isinstance(start, date) and not isinstance(start, datetime):
        event.add("dtend", start + timedelta(days=1))
    event.add("dtstamp", made.at)
    if link:
        event.add("url", absolute(link))
    if description:
        event.add("description", description)
    return event


def _meetings(user, first, last, made):
    meetings = (
        Meeting.objects.scheduled()
        .attended_by(user)
        .filter(starts_at__date__gte=first, starts_at__date__lte=last)
        .select_related("client", "organiser")
        .prefetch_related(
            Prefetch("client_attendees", queryset=Contact.objects.only("name", "email")),
            Prefetch("staff_attendees", queryset=User.objects.only("full_name", "email")),
        )
    )
    zone = timezone.get_current_timezone()
    for meeting in meetings:
        event = _event(
            made,
            f"meeting-{meeting.pk}",
            f"{meeting.get_kind_display()} · {meeting.client.name}",
            timezone.localtime(meeting.starts_at, zone),
            end=timezone.localtime(meeting.ends_at, zone),
            link=meeting.get_absolute_url(),
            description=meeting.agenda,
        )
        if meeting.place:
            event.add("location", meeting.place)
        event.add(
            "organizer",
            f"mailto:{meeting.organiser.email}",
            parameters={"CN": meeting.organiser.full_name},
        )
        people = [*meeting.staff_attendees.all(), *meeting.client_attendees.all()]
        for person in people:
            name = getattr(person, "full_name", None) or person.name
            if person.email:
                event.add("attendee", f"mailto:{person.email}", parameters={"CN": name})
        yield event


def _due_dates(user, first, last, made):
    tasks = (
        Task.objects.open()
        .filter(assignee=user, due_on__gte=first, due_on__lte=last)
        .select_related("project")
        .only("title", "due_on", "project__job_number")
    )
    my_tasks = reverse("projects:my_tasks")
    for task in tasks:
        yield _event(
            made,
            f"task-{task.pk}",
            _("Task due: %(title)s (%(job)s)")
            % {"title": task.title, "job": task.project.job_number},
            task.due_on,
            link=my_tasks,
        )
    items = (
        ActionItem.objects.open()
        .owned_by(user)
        .filter(due_on__gte=first, due_on__lte=last)
        .select_related("report__client")
        .only("description", "due_on", "report__client__name")
    )
    for item in items:
        yield _event(
            made,
            f"action-item-{item.pk}",
            _("Action item due: %(what)s (%(client)s)")
            % {"what": item.description, "client": item.report.client.name},
            item.due_on,
            link=pk_reverse("accounts:report_detail", item.report_id),
        )
    on_the_team = Exists(Project.team.through.objects.filter(project=OuterRef("pk"), user=user))
    projects = (
        Project.objects.visible_to(user)
        .filter(Q(owner=user) | on_the_team)
        .exclude(stage=Stage.CLOSED)
        .filter(deadline__gte=first, deadline__lte=last)
        .only("job_number", "name", "deadline")
    )
    for project in projects:
        yield _event(
            made,
            f"project-deadline-{project.pk}",
            _("Deadline: %(job)s %(name)s") % {"job": project.job_number, "name": project.name},
            project.deadline,
            link=project.get_absolute_url(),
        )


LISTED_PER_DAY = 10


def _day_of_invoices(made, uid, title, day, rows):
    """One all-day event for the invoices of a day: how many, what they come to in the base
    currency, and the first few of them."""
    numbers = [f"{number} {client}" for number, client in rows[:LISTED_PER_DAY]]
    if len(rows) > LISTED_PER_DAY:
        numbers.append(_("and %(count)s more") % {"count": len(rows) - LISTED_PER_DAY})
    return _event(
        made, uid, title, day, link=reverse("billing:collections"), description="\n".join(numbers)
    )


def _collections(user, first, last, made):
    """For finance: the days open invoices fall due, and the days their latest collection
    note promises payment; one event a day, however many invoices that day holds."""
    if not permissions.handles_collections(user):
        return
    invoices = billing.open_invoices(billing.visible_invoices(user))
    in_base = ExpressionWrapper(
        (F("total") - F("amount_paid")) * F("rate"), output_field=billing.MONEY
    )
    currency = base_currency()
    due = (
        invoices.filter(due_date__gte=first, due_date__lte=last)
        .values("due_date")
        .annotate(
            count=Count("pk"),
            amount=Coalesce(Sum(in_base), Decimal("0"), output_field=billing.MONEY),
            listed=ArrayAgg(Concat("number", Value("\t"), "client__name"), order_by="number"),
        )
        .order_by("due_date")
    )
    for day in due:
        yield _day_of_invoices(
            made,
            f"invoices-due-{day['due_date']:%Y%m%d}",
            ngettext(
                "%(count)s invoice due: %(amount)s %(currency)s",
                "%(count)s invoices due: %(amount)s %(currency)s",
                day["count"],
            )
            % {"count": day["count"], "amount": f"{day['amount']:,.2f}", "currency": currency},
            day["due_date"],
            [row.split("\t", 1) for row in day["listed"]],
        )
    later = CollectionNote.objects.filter(
        invoice=OuterRef("invoice"), created_at__gt=OuterRef("created_at")
    )
    promised = (
        CollectionNote.objects.filter(
            invoice__in=invoices, promised_on__gte=first, promised_on__lte=last
        )
        .exclude(Exists(later))
        .values("promised_on")
        .annotate(
            count=Count("pk"),
            listed=ArrayAgg(
                Concat("invoice__number", Value("\t"), "invoice__client__name"),
                order_by="invoice__number",
            ),
        )
        .order_by("promised_on")
    )
    for day in promised:
        yield _day_of_invoices(
            made,
            f"payments-promised-{day['promised_on']:%Y%m%d}",
            ngettext(
                "Payment promised for %(count)s invoice",
                "Payments promised for %(count)s invoices",
                day["count"],
            )
            % {"count": day["count"]},
            day["promised_on"],
            [row.split("\t", 1) for row in day["listed"]],
        )


def feed(user, today: date) -> bytes:
    """The person's calendar, from DAYS_BACK days ago to DAYS_AHEAD days ahead."""
    first, last = today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)
    calendar = Calendar()
    calendar.add("prodid", "-//AE Portal//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar.add("x-wr-calname", _("AE Portal: %(name)s") % {"name": user.full_name})
        made = _Made(at=timezone.now(), domain=mail_domain())
        for part in (_meetings, _due_dates, _collections):
            for event in part(user, first, last, made):
                calendar.add_component(event)
    _add_timezones(calendar)
    return calendar.to_ical()
