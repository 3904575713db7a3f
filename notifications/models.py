from email.utils import parseaddr

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a reminder is about; people choose per kind whether it also comes by email."""

    DEADLINES = "deadlines", _("Deadlines: tasks, action items and projects")
    SIGN_OFFS = "sign_offs", _("Sign-offs waiting")
    BUDGETS = "budgets", _("Budget thresholds")
    COLLECTIONS = "collections", _("Invoices due and overdue")
    HANDED_TO_ME = "handed_to_me", _("Tasks assigned or handed on to me")
    CLIENT_ANSWERS = "client_answers", _("Clients' answers to recaps and proposals")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


def one_line(text: str, length: int = 300) -> str:
    """Text fit for a header or a title: one line, no control characters, not too long."""
    return " ".join(str(text).split())[:length]


class Notification(models.Model):
    """A reminder as one person sees it in the portal. It keeps the rule that sent it and
    the rule's parameters, and is worded from them whenever it is shown, in the language of
    the moment: a reader who switches to 中文 reads the old ones in Chinese too. The title
    and body written when it was sent, in the reader's language then, stand in when the
    rule is gone. When they want it by email too, `email_pending` stays set until it has
    gone out."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    data = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_pending = models.BooleanField(_("email to send"), default=False)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    # An email the mail server refused is tried again later, and after a few tries set
    # aside with its error for an admin to look at, so that it never holds up the others.
    email_tries = models.PositiveSmallIntegerField(_("email tries"), default=0)
    email_retry_at = models.DateTimeField(_("email tried again from"), null=True, blank=True)
    email_error = models.TextField(_("email error"), blank=True)
    email_set_aside_at = models.DateTimeField(_("email set aside"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_pending=True),
                name="notification_email_pending",
            ),
        ]

    def __str__(self):
        return self.title

    def _worded(self) -> tuple[str, str]:
        from .registry import worded  # the rules import this module

        language = translation.get_language()
        cached = getattr(self, "_worded_in", None)
        if cached is None or cached[0] != language:
            cached = (language, worded(self))
            self._worded_in = cached
        return cached[1]

    @property
    def headline(self) -> str:
        """The title, in the active language."""
        return self._worded()[0]

    @property
    def detail(self) -> str:
        """The body, in the active language."""
        return self._worded()[1]

    @property
    def message_id(self) -> str:
        """The email's Message-ID, the same every time this notification is sent: should a
        send be repeated, mail clients see the one message twice and fold it."""
        return f"<reminder.{self.pk}@{mail_domain()}>"


def mail_domain() -> str:
    """The domain of the portal's sender address, which names its messages."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "aeportal.local"


class SentReminder(models.Model):
    """The claim on one reminder. It is written in the same transaction as the reminder's
    notifications, and the database lets only one claim per (rule, object, key) exist: a
    second dispatcher, a retried task or a restarted worker finds it taken. The key carries
    the due date or threshold, so a moved due date is a new reminder."""

    rule = models.CharField(_("rule"), max_length=60)
    object_key = models.CharField(_("object"), max_length=60)
    key = models.CharField(_("key"), max_length=60)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_key", "key"],
                name="sent_reminder_once",
                violation_error_message=_("This reminder was sent already."),
            )
        ]

    def __str__(self):
        return f"{self.rule} {self.object_key} {self.key}"


class Preferences(models.Model):
    """Which kinds of reminder also come by email (all, unless turned off), and whether the
    morning digest does."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    email_off = ArrayField(
        models.CharField(max_length=20, choices=Kind.choices),
        verbose_name=_("kinds not emailed"),
        default=list,
        blank=True,
    )
    daily_digest = models.BooleanField(_("daily digest by email"), default=False)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)
