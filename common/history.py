"""The audit history (pghistory events) as the history pages show it."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

HISTORY_LENGTH = 100
HIDDEN_FIELDS = {"id", "created_at", "updated_at", "revision", "pgh_obj"}


def _shown(field):
    # Keys to other rows say little to a reader; the who and what columns name them.
    return field not in HIDDEN_FIELDS and not field.endswith("_id")


def _readable(value):
    # The history keeps amounts as JSON numbers; show them as the pages show money.
    if isinstance(value, float):
        return floatformat(value, "-2g")
    return value


def history_rows(events):
    """Rows for the history table, newest first: when, who (from the request that made the
    change), which row, and each field's before and after, named as the forms name them."""
    events = sorted(events, key=lambda event: (event.pgh_created_at, event.pgh_id), reverse=True)[
        :HISTORY_LENGTH
    ]
    user_ids = {(event.pgh_context or {}).get("user") for event in events} - {None}
    names = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "full_name"))
    rows = []
    for event in events:
        diff = event.pgh_diff or {}
        changes = [
            (field, before, after) for field, (before, after) in diff.items() if _shown(field)
        ]
        whole_row = event.pgh_label in ("insert", "delete")
        if whole_row:
            changes = [
                (field, None, value)
                for field, value in (event.pgh_data or {}).items()
                if _shown(field) and value not in (None, "")
            ]
        fields = apps.get_model(event.pgh_model).pgh_tracked_model._meta
        rows.append(
            {
                "when": event.pgh_created_at,
                "who": names.get((event.pgh_context or {}).get("user"), _("the system")),
                "what": fields.verbose_name,
                "object_id": event.pgh_obj_id,
                "created": event.pgh_label == "insert",
                "removed": event.pgh_label == "delete",
                "whole_row": whole_row,
                "changes": [
                    (fields.get_field(field).verbose_name, _readable(before), _readable(after))
                    for field, before, after in changes
                ],
            }
        )
    return rows
