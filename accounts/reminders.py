"""Reminders about action items (due soon to their owner, overdue to the owner and the
client's lead AE) and about meetings whose report is not logged the day after (to the
organiser)."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Kind

from .models import ActionItem, Meeting


def _open_items(only):
    items = ActionItem.objects.open()
    if only is not None:
        items = items.filter(pk__in=only)
    return items.values(
        "pk", "description", "due_on", "owner_id", "report_id", "report__client__lead_ae_id"
    )


class ActionItemDueSoon(registry.Rule):
    name = "accounts.action_item_due"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        soon = today + timedelta(days=registry.DUE_SOON_DAYS)
        for item in _open_items(only).filter(due_on__gte=today, due_on__lte=soon):
            yield registry.Due(
                registry.object_key("accounts.actionitem", item["pk"]),
                f"due:{item['due_on']}",
                [item["owner_id"]],
                reverse("accounts:report_detail", args=[item["report_id"]]),
                {"description": item["description"], "due_on": item["due_on"].isoformat()},
            )

    def message(self, due):
        return (
            _("Action item due %(day)s: %(what)s")
            % {"day": due.data["due_on"], "what": due.data["description"]},
            "",
        )


class ActionItemOverdue(registry.Rule):
    name = "accounts.action_item_overdue"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        oldest = today - timedelta(days=registry.OVERDUE_WINDOW_DAYS)
        for item in _open_items(only).filter(due_on__lt=today, due_on__gte=oldest):
            yield registry.Due(
                registry.object_key("accounts.actionitem", item["pk"]),
                f"overdue:{item['due_on']}",
                [item["owner_id"], item["report__client__lead_ae_id"]],
                reverse("accounts:report_detail", args=[item["report_id"]]),
                {"description": item["description"], "due_on": item["due_on"].isoformat()},
            )

    def message(self, due):
        return (
            _("Action item overdue since %(day)s: %(what)s")
            % {"day": due.data["due_on"], "what": due.data["description"]},
            "",
        )


class MeetingNotReported(registry.Rule):
    """The day after a meeting, its organiser is reminded while no report is logged from it.
    Keyed by the meeting's day: a meeting moved to another day is a new reminder."""

    name = "accounts.meeting_unreported"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        start_of_today = timezone.make_aware(datetime.combine(today, time.min))
        oldest = start_of_today - timedelta(days=registry.OVERDUE_WINDOW_DAYS)
        meetings = Meeting.objects.scheduled().filter(
            report__isnull=True, starts_at__lt=start_of_today, starts_at__gte=oldest
        )
        if only is not None:
            meetings = meetings.filter(pk__in=only)
        for meeting in meetings.values("pk", "starts_at", "kind", "client__name", "organiser_id"):
            day = timezone.localdate(meeting["starts_at"])
            yield registry.Due(
                registry.object_key("accounts.meeting", meeting["pk"]),
                f"unreported:{day}",
                [meeting["organiser_id"]],
                reverse("accounts:meeting_detail", args=[meeting["pk"]]),
                {"day": day.isoformat(), "client": meeting["client__name"]},
            )

    def message(self, due):
        return (
            _("No report yet of the meeting with %(client)s on %(day)s")
            % {"client": due.data["client"], "day": due.data["day"]},
            _("Log what was discussed and agreed while it is fresh."),
        )


registry.register(ActionItemDueSoon())
registry.register(ActionItemOverdue())
registry.register(MeetingNotReported())
