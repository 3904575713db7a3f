"""Reminders about action items: due soon to their owner, overdue to the owner and the
client's lead AE."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Kind

from .models import ActionItem


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


registry.register(ActionItemDueSoon())
registry.register(ActionItemOverdue())
