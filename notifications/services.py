import logging
import smtplib
from datetime import date, datetime, timedelta
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import registry
from .models import Notification, Preferences, SentReminder, mail_domain, one_line

logger = logging.getLogger(__name__)

BATCH = 500
DIGEST_RULE = "notifications.digest"


def _batches(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def reminders_dispatch(
    *, now: datetime | None = None, rules: list[str] | None = None, only=None
) -> int:
    """Runs the reminder rules (all, or those named) and delivers in the portal what is
    due and not yet sent; returns how many reminders went out. Each batch claims its
    reminders and writes their notifications in one transaction, so a reminder is either
    claimed and delivered or neither, whatever happens to the process."""
    now = now or timezone.now()
    selected = [registry.rule(name) for name in rules] if rules else registry.rules()
    sent = 0
    for rule in selected:
        # The same order in every dispatcher, so that two of them claiming the same
        # reminders wait on each other instead of deadlocking.
        due = sorted(rule.due(now, only=only), key=lambda item: (item.object_key, item.key))
        for batch in _batches(due, BATCH):
            batch = _not_yet_claimed(rule.name, batch)
            if batch:
                sent += _deliver(rule, batch)
    return sent


def _not_yet_claimed(rule_name: str, batch: list[registry.Due]) -> list[registry.Due]:
    """Drops what was sent before, with one read, so that a sweep with nothing new to send
    writes nothing. The claim itself still decides between two dispatchers."""
    claimed = set(
        SentReminder.objects.filter(
            rule=rule_name, object_key__in={due.object_key for due in batch}
        ).values_list("object_key", "key")
    )
    return [due for due in batch if (due.object_key, due.key) not in claimed]


@transaction.atomic
def _deliver(rule: registry.Rule, batch: list[registry.Due]) -> int:
    claimed = _claim(rule.name, batch)
    if not claimed:
        return 0
    recipient_ids = {person for due in claimed for person in due.recipients}
    people = dict(
        get_user_model()
        .objects.filter(pk__in=recipient_ids, is_active=True)
        .values_list("pk", "language")
    )
    email_off = dict(
        Preferences.objects.filter(user__in=people).values_list("user_id", "email_off")
    )
    notifications = []
    for due in claimed:
        for person in dict.fromkeys(due.recipients):
            if person not in people:
                continue
            with translation.override(people[person] or settings.LANGUAGE_CODE):
                title, body = rule.message(due)
            notifications.append(
                Notification(
                    recipient_id=person,
                    kind=rule.kind,
                    rule=rule.name,
                    data=due.data,
                    title=one_line(title),
                    body=str(body),
                    link=due.link,
                    email_pending=rule.kind not in email_off.get(person, ()),
                )
            )
    Notification.objects.bulk_create(notifications)
    return len(claimed)


def _claim(rule_name: str, batch: list[registry.Due]) -> list[registry.Due]:
    """Inserts the claims; the database hands back only those nobody held yet."""
    table = SentReminder._meta.db_table
    rows = ", ".join(["(%s, %s, %s, now())"] * len(batch))
    params = [value for due in batch for value in (rule_name, due.object_key, due.key)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (rule, object_key, key, created_at) VALUES {rows}
            ON CONFLICT (rule, object_key, key) DO NOTHING
            RETURNING object_key, key
            """,
            params,
        )
        won = set(cursor.fetchall())
    return [due for due in batch if (due.object_key, due.key) in won]


def absolute(link: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + link if link.startswith("/") else link


def _email(
    recipient, subject: str | None, template: str, context: dict, *, message_id: str
) -> EmailMultiAlternatives:
    """The email of a notification (its headline is the subject, unless one is given),
    worded in the recipient's language."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        if subject is None:
            subject = context["notification"].headline
        context = {**context, "recipient": recipient, "portal_url": settings.PORTAL_URL}
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        one_line(subject), text, to=[recipient.email], headers={"Message-ID": message_id}
    )
    message.attach_alternative(html, "text/html")
    return message


# The mail server itself is away or refuses the portal: no message is to blame, so the
# run stops and every message waits for the next sweep, with no try counted against it.
MAIL_SERVER_TROUBLE = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
)
EMAIL_TRIES = 3
EMAIL_RETRY_AFTER = timedelta(minutes=15)


def emails_send(*, limit: int | None = None) -> int:
    """Sends the notifications waiting to go by email, oldest first, one at a time: each is
    locked, sent and marked in its own transaction, and two senders skip each other's rows.
    A sender that dies between the mail server taking a message and marking it leaves the
    row waiting, and the next one sends it again with the same Message-ID. A message that
    cannot be sent (a broken address, say) is tried again later and after EMAIL_TRIES set
    aside with its error; the others go on."""
    sent = 0
    with get_connection() as mail:
        while limit is None or sent < limit:
            with transaction.atomic():
                now = timezone.now()
                notification = (
                    Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(email_pending=True)
                    .filter(Q(email_retry_at__isnull=True) | Q(email_retry_at__lte=now))
                    .select_related("recipient")
                    .order_by("created_at", "pk")
                    .first()
                )
                if notification is None:
                    break
                try:
                    message = _email(
                        notification.recipient,
                        None,
                        "reminder",
                        {"notification": notification, "url": absolute(notification.link)},
                        message_id=notification.message_id,
                    )
                    message.connection = mail
                    message.send()
                except MAIL_SERVER_TROUBLE:
                    logger.warning("The mail server is unreachable; emails wait", exc_info=True)
                    return sent
                except Exception as error:  # noqa: BLE001 - this message's fault, kept on it
                    _email_failed(notification, error, now)
                    continue
                Notification.objects.filter(pk=notification.pk).update(
                    email_pending=False, emailed_at=now, email_error=""
                )
            sent += 1
    return sent


def _email_failed(notification: Notification, error: Exception, now: datetime) -> None:
    tries = notification.email_tries + 1
    logger.warning("Email for notification %s failed (try %s): %r", notification.pk, tries, error)
    given_up = tries >= EMAIL_TRIES
    Notification.objects.filter(pk=notification.pk).update(
        email_tries=tries,
        email_error=f"{type(error).__name__}: {error}",
        email_retry_at=None if given_up else now + EMAIL_RETRY_AFTER * tries,
        email_pending=not given_up,
        email_set_aside_at=now if given_up else None,
    )


def email_try_again(*, notification: Notification) -> None:
    """An admin sends a set-aside email once more, after fixing what stopped it."""
    Notification.objects.filter(pk=notification.pk).update(
        email_pending=True, email_tries=0, email_retry_at=None, email_set_aside_at=None
    )


DIGEST_LENGTH = 20


def digests_send(*, today: date | None = None) -> int:
    """The morning email to everyone who asked for it: what reached them since yesterday's
    digest and is still unread. Each person's digest for a day is claimed like a reminder,
    so it goes out once however many times the task runs."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=1)
    readers = list(
        get_user_model().objects.filter(is_active=True, notification_preferences__daily_digest=True)
    )
    unread = {}
    for notification in Notification.objects.unread().filter(
        recipient__in=readers, created_at__gte=since
    ):
        unread.setdefault(notification.recipient_id, []).append(notification)
    sent = 0
    with get_connection() as mail:
        for reader in readers:
            items = unread.get(reader.pk, [])
            if not items:
                continue
            try:
                with transaction.atomic():
                    due = registry.Due(
                        f"teams.user:{reader.pk}", today.isoformat(), [reader.pk], ""
                    )
                    if not _claim(DIGEST_RULE, [due]):
                        continue
                    with translation.override(reader.language or settings.LANGUAGE_CODE):
                        subject = _("Your reminders for %(day)s") % {"day": today.isoformat()}
                    message = _email(
                        reader,
                        subject,
                        "digest",
                        {
                            "day": today,
                            "items": [
                                (item, absolute(item.link)) for item in items[:DIGEST_LENGTH]
                            ],
                            "more": max(len(items) - DIGEST_LENGTH, 0),
                            "inbox_url": absolute("/notifications/"),
                        },
                        message_id=f"<digest.{reader.pk}.{today.isoformat()}@{mail_domain()}>",
                    )
                    message.connection = mail
                    message.send()
            except MAIL_SERVER_TROUBLE:
                logger.warning("The mail server is unreachable; digests wait", exc_info=True)
                return sent
            except Exception:  # noqa: BLE001 - one reader's digest never stops the others'
                # The claim went with the transaction: the next run tries this one again.
                logger.exception("The digest for %s could not be sent", reader.pk)
                continue
            sent += 1
    return sent


def notification_read(*, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_read_all(*, recipient) -> int:
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_save(*, user, email_off: list[str], daily_digest: bool) -> Preferences:
    preferences, _created = Preferences.objects.update_or_create(
        user=user, defaults={"email_off": sorted(email_off), "daily_digest": daily_digest}
    )
    return preferences


def check_soon(rule: str, ids) -> None:
    """Asks a worker to run one rule for these objects once the current transaction has
    committed. If the broker cannot take the task, the save still stands and the next
    sweep sends the reminder."""
    from .tasks import check

    ids = sorted(set(ids))

    def queue():
        try:
            check.apply_async((rule, ids), retry=False)
        except Exception:
            logger.warning("Could not queue %s for %s; the sweep will send it", rule, ids)

    transaction.on_commit(queue)
