"""The reminder rules each app declares in its reminders.py, found the way the admin finds
admin.py. A rule is one set-based query: it yields what is due now, each with the key that
makes it a distinct reminder and the people it goes to."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import CharField, Exists, Func, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils.module_loading import autodiscover_modules

from .models import SentReminder, one_line


@dataclass(frozen=True)
class Due:
    """One reminder to send: about `object_key` ("app.model:pk"), distinct by `key` (a due
    date, a threshold, a dunning level), to `recipients` (user ids), pointing at `link`.
    `data` holds what the rule's message needs, so writing it asks nothing more of the
    database."""

    object_key: str
    key: str
    recipients: Sequence[int]
    link: str
    data: dict = field(default_factory=dict)


class Rule:
    """Subclasses set `name` (unique, stable: it is part of every claim) and `kind` (a
    notifications.models.Kind value), and implement `due` and `message`."""

    name: str
    kind: str

    def due(self, now: datetime, *, only: Sequence[int] | None = None) -> Iterable[Due]:
        """What is due at `now`; with `only`, just for those object ids."""
        raise NotImplementedError

    def message(self, due: Due) -> tuple[str, str]:
        """The title and body, in the active language."""
        raise NotImplementedError


# Shared by the rules about due dates: how early "due soon" comes, and how far back an
# overdue date still gets its reminder (older ones went out long ago, or never will matter).
DUE_SOON_DAYS = 2
OVERDUE_WINDOW_DAYS = 30
# How long a sign-off may wait before the director is reminded.
SIGN_OFF_WAIT = timedelta(days=2)
# The rules about events (something submitted, assigned, answered) tell people at once: the
# service asks for the rule when it commits. Should that fail, the sweep still sends what
# happened in this window; older events are past news.
EVENT_WINDOW = timedelta(days=2)


def stamp(moment: datetime) -> str:
    """A moment as part of a key, to the microsecond: a new moment is a new reminder, even
    within the same second."""
    return f"{moment:%Y%m%dT%H%M%S%f}"


def stamp_sql(moment):
    """The SQL giving stamp()'s text for a timestamp column or expression (in UTC, the
    connection's time zone, as the moments Django reads), for unsent()."""
    return Func(
        moment, Value('YYYYMMDD"T"HH24MISSUS'), function="to_char", output_field=CharField()
    )


def others(recipients, *, besides) -> list[int]:
    """The recipients but the person who did it: nobody is told of their own doing."""
    return [person for person in recipients if person is not None and person != besides]


def object_key(model_label: str, pk: int) -> str:
    return f"{model_label}:{pk}"


def unsent(queryset, rule_name: str, model_label: str, key):
    """The rows of `queryset` whose reminder under `key` (an SQL expression giving the same
    text as the Due's key) has not gone out, decided in the database: a sweep with nothing
    new to send then reads no row it would only drop."""
    return queryset.annotate(
        reminder_object=Concat(
            Value(f"{model_label}:"), Cast("pk", CharField()), output_field=CharField()
        ),
        reminder_key=key,
    ).exclude(
        Exists(
            SentReminder.objects.filter(
                rule=rule_name,
                object_key=OuterRef("reminder_object"),
                key=OuterRef("reminder_key"),
            )
        )
    )


def key_on(prefix, date_field: str):
    """The SQL for a key like "due:2026-12-03" from a date column; `prefix` is text, or an
    SQL expression when the prefix depends on the row (a dunning level, say)."""
    if isinstance(prefix, str):
        prefix = Value(prefix)
    return Concat(prefix, Value(":"), Cast(date_field, CharField()), output_field=CharField())


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.name in _rules and type(_rules[rule.name]) is not type(rule):
        raise ValueError(f"Two reminder rules are named {rule.name}")
    _rules[rule.name] = rule
    return rule


def rules() -> list[Rule]:
    return list(_rules.values())


def rule(name: str) -> Rule:
    return _rules[name]


def autodiscover():
    autodiscover_modules("reminders")


def worded(notification) -> tuple[str, str]:
    """A notification's title and body in the active language, from the rule that sent it
    and the parameters it keeps; the words stored when it was sent, if the rule is gone or
    its message no longer fits the parameters kept."""
    rule = _rules.get(notification.rule)
    if rule is None:
        return notification.title, notification.body
    due = Due("", "", (), notification.link, notification.data)
    try:
        title, body = rule.message(due)
    except (KeyError, TypeError, ValueError):
        return notification.title, notification.body
    return one_line(title), str(body)
