import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import search
from common.limits import PlausibleDate
from common.money import base_currency
from common.urls import pk_reverse
from teams import permissions


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        visible = visible_client_ids(user)
        return self if visible is None else self.filter(pk__in=visible)

    def editable_by(self, user):
        if permissions.edits_every_client(user):
            return self
        if permissions.works_on_account_teams(user):
            return self.visible_to(user)
        return self.none()

    def for_list(self):
        return self.select_related("lead_ae", "account_director").with_repitch()

    def with_repitch(self):
        """The rounds presented past each client's allowance, and their cost in staff time."""
        repitch_hours = RoundHours.objects.filter(
            round__proposal__client=models.OuterRef("pk"),
            round__number__gt=models.OuterRef("allowed_proposal_rounds"),
        )
        cost = (
            repitch_hours.values("round__proposal__client")
            .annotate(total=models.Sum(models.F("hours") * models.F("cost_rate")))
            .values("total")
        )
        rounds = (
            ProposalRound.objects.filter(
                proposal__client=models.OuterRef("pk"),
                number__gt=models.OuterRef("allowed_proposal_rounds"),
            )
            .values("proposal__client")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        money = models.DecimalField(max_digits=14, decimal_places=2)
        return self.annotate(
            repitch_cost=Coalesce(models.Subquery(cost, output_field=money), Decimal("0")),
            repitch_rounds=Coalesce(models.Subquery(rounds), 0),
        )


# The columns each kind of row is searched by (common.search), in its index and its query.
CLIENT_SEARCHED = ("name", "code")
CONTACT_SEARCHED = ("name", "title", "email")
REPORT_SEARCHED = ("agenda", "discussion", "decisions", "client_feedback")
PROPOSAL_SEARCHED = ("title",)


class Client(models.Model):
    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        LOST = "lost", _("Lost")

    class Currency(models.TextChoices):
        CNY = "CNY", _("Chinese yuan (CNY)")
        HKD = "HKD", _("Hong Kong dollar (HKD)")
        USD = "USD", _("US dollar (USD)")
        EUR = "EUR", _("Euro (EUR)")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,11}$",
                _("2 to 12 capital letters or digits, starting with a letter."),
            )
        ],
        help_text=_("Starts the client's job numbers, e.g. ACME in ACME-2026-014."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT
    )
    lead_ae = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead AE"),
        on_delete=models.PROTECT,
        related_name="led_clients",
        help_text=_("The client's single window into the agency."),
    )
    account_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account director"),
        on_delete=models.PROTECT,
        related_name="directed_clients",
        null=True,
        blank=True,
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account team"),
        through="AccountTeamMember",
        related_name="account_clients",
        blank=True,
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("Days from an invoice's issue date to its due date."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    language = models.CharField(
        _("language of documents"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Estimates, change orders and invoices to the client are written in it."),
    )
    needs = models.TextField(_("what the client needs"), blank=True)
    difficulties = models.TextField(_("difficulties and problems"), blank=True)
    allowed_proposal_rounds = models.PositiveSmallIntegerField(
        _("allowed proposal rounds"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("Rounds of a proposal included in the fee; later rounds count as re-pitch."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [search.index("client_search", *CLIENT_SEARCHED)]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="client_name_unique_ci",
                violation_error_message=_("A client with this name exists already."),
            ),
            models.CheckConstraint(
                condition=models.Q(payment_terms_days__lte=365),
                name="client_payment_terms_max",
                violation_error_message=_("Payment terms are at most 365 days."),
            ),
            models.CheckConstraint(
                condition=models.Q(allowed_proposal_rounds__gte=1),
                name="client_allows_a_round",
                violation_error_message=_("Allow at least one proposal round."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return pk_reverse("accounts:client_detail", self.pk)


class AccountTeamMember(models.Model):
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="account_memberships",
    )
    role_on_account = models.CharField(
        _("role on the account"), max_length=100, help_text=_("e.g. Lead AE, planner, copywriter.")
    )

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "user"],
                name="team_member_once_per_client",
                violation_error_message=_("This person is on the account team already."),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.role_on_account})"


class Contact(models.Model):
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_decision_maker = models.BooleanField(_("decision maker"), default=False)
    receives_invoices = models.BooleanField(
        _("billing contact"),
        default=False,
        help_text=_("Invoices sent from the portal go to the billing contacts unless you choose."),
    )

    class Meta:
        ordering = ["-is_decision_maker", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [search.index("contact_search", *CONTACT_SEARCHED)]

    def __str__(self):
        return self.name


def visible_client_ids(user):
    """The ids of the clients the user sees, as a subquery; None for those who see every
    client. An account team's clients are read from its rows alone: a subquery the database
    plans as cheaply as a join, and Django builds in a third of the time of one that reads
    the clients too."""
    if permissions.sees_every_client(user):
        return None
    if permissions.works_on_account_teams(user):
        return AccountTeamMember.objects.filter(user=user).values("client")
    if permissions.works_on_handed_tasks(user):
        handed = permissions.handed_work(user, prefix="projects__tasks__")
        return Client.objects.filter(handed).values("pk")
    return Client.objects.none().values("pk")


def of_visible_clients(queryset, user, client="client"):
    """The rows of `queryset` whose client (the field `client` names) the user sees; all of
    them, with no join, for those who see every client."""
    visible = visible_client_ids(user)
    return queryset if visible is None else queryset.filter(**{f"{client}__in": visible})


class ContactReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return of_visible_clients(self, user)

    def for_timeline(self):
        open_items = models.Count(
            "action_items", filter=models.Q(action_items__done_at__isnull=True)
        )
        return (
            self.select_related("author")
            .annotate(
                item_count=models.Count("action_items", distinct=True),
                open_item_count=open_items,
            )
            .prefetch_related(
                models.Prefetch(
                    "attendee_responses",
                    queryset=AttendeeResponse.objects.select_related("contact"),
                )
            )
        )

    def editable_by(self, user):
        """The author and the client's account team edit a report while its window is open;
        of the team, only account service (its AEs and directors)."""
        if not permissions.works_in_account_service(user):
            return self.none()
        on_the_team = models.Exists(
            AccountTeamMember.objects.filter(client=models.OuterRef("client"), user=user)
        )
        return (
            self.visible_to(user)
            .filter(models.Q(author=user) | on_the_team)
            .filter(created_at__gte=timezone.now() - ContactReport.EDIT_WINDOW)
        )


class ContactReport(models.Model):
    """The log of a meeting or call with the client, and what was agreed in it."""

    EDIT_WINDOW = timedelta(days=7)

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        EMAIL = "email", pgettext_lazy("kind of contact", "Email")
        PITCH = "pitch", _("Pitch")

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contact_reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="authored_contact_reports",
    )
    occurred_at = models.DateTimeField(_("when"), validators=[PlausibleDate()])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    client_attendees = models.ManyToManyField(
        Contact, verbose_name=_("client attendees"), related_name="contact_reports", blank=True
    )
    staff_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agency attendees"),
        related_name="attended_contact_reports",
        blank=True,
    )
    agenda = models.TextField(_("agenda"), blank=True)
    discussion = models.TextField(_("discussion"))
    decisions = models.TextField(_("decisions"), blank=True)
    client_feedback = models.TextField(_("client feedback"), blank=True)
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContactReportQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("contact report")
        verbose_name_plural = _("contact reports")
        indexes = [
            models.Index(fields=["client", "-occurred_at"]),
            # The search reads the newest notes first (common.search.first_found).
            models.Index(fields=["-occurred_at", "-id"], name="contact_report_newest"),
            search.index("contact_report_search", *REPORT_SEARCHED),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.client} · {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return pk_reverse("accounts:report_detail", self.pk)

    def clean(self):
        # A little slack for clocks that disagree; a log is of what has happened.
        if self.occurred_at and self.occurred_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError(
                {"occurred_at": _("This is in the future: log a meeting once it has happened.")}
            )

    @property
    def edit_window_closes_at(self):
        return self.created_at + self.EDIT_WINDOW


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The client's people see its meetings; anyone invited sees the ones they attend."""
        visible = visible_client_ids(user)
        if visible is None:
            return self
        return self.filter(
            models.Q(client__in=visible)
            | models.Q(
                models.Exists(
                    Meeting.staff_attendees.through.objects.filter(
                        meeting=models.OuterRef("pk"), user=user
                    )
                )
            )
        )

    def editable_by(self, user):
        """The organiser and the client's account service change a meeting until it is
        cancelled or its report is logged."""
        if not permissions.works_in_account_service(user):
            return self.none()
        return self.filter(
            models.Q(organiser=user) | models.Q(client__in=Client.objects.editable_by(user)),
            cancelled_at__isnull=True,
            report__isnull=True,
        )

    def scheduled(self):
        return self.filter(cancelled_at__isnull=True)

    def attended_by(self, user):
        """The meetings someone organises or is invited to."""
        return self.filter(
            models.Q(organiser=user)
            | models.Exists(
                Meeting.staff_attendees.through.objects.filter(
                    meeting=models.OuterRef("pk"), user=user
                )
            )
        )


class Meeting(models.Model):
    """A meeting or call with the client, scheduled ahead; its contact report is logged
    from it once it has taken place."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="meetings"
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    starts_at = models.DateTimeField(_("when"), validators=[PlausibleDate()])
    minutes = models.PositiveSmallIntegerField(
        _("how long (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(12 * 60)],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    place = models.CharField(
        _("where or how"),
        max_length=300,
        blank=True,
        help_text=_("A room, an address, a video link or a phone number."),
    )
    client_attendees = models.ManyToManyField(
        Contact, verbose_name=_("client attendees"), related_name="meetings", blank=True
    )
    staff_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agency attendees"),
        related_name="meetings",
        blank=True,
    )
    agenda = models.TextField(_("agenda"), blank=True)
    report = models.OneToOneField(
        ContactReport,
        verbose_name=_("contact report"),
        on_delete=models.SET_NULL,
        related_name="meeting",
        null=True,
        blank=True,
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["client", "starts_at"]),
            models.Index(
                fields=["starts_at"],
                condition=models.Q(report__isnull=True, cancelled_at__isnull=True),
                name="meeting_waiting_for_report",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=5, minutes__lte=12 * 60),
                name="meeting_length_plausible",
                violation_error_message=_("A meeting lasts from 5 minutes to 12 hours."),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.client} · {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return pk_reverse("accounts:meeting_detail", self.pk)

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def has_taken_place(self):
        return self.starts_at <= timezone.now()

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        UNREPORTED = "unreported", _("Held, report not logged")
        REPORTED = "reported", _("Report logged")
        CANCELLED = "cancelled", _("Cancelled")

    def state(self, now):
        if self.cancelled_at is not None:
            return self.State.CANCELLED
        if self.report_id is not None:
            return self.State.REPORTED
        return self.State.UPCOMING if self.starts_at > now else self.State.UNREPORTED


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def owned_by(self, user):
        return self.filter(owner=user)

    def overdue_first(self):
        return self.order_by("due_on", "pk")


class ActionItem(models.Model):
    report = models.ForeignKey(
        ContactReport,
        verbose_name=_("contact report"),
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    description = models.CharField(_("what"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_on = models.DateField(_("due"), validators=[PlausibleDate()])
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(
                fields=["owner", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="open_action_items_by_owner",
            )
        ]

    def __str__(self):
        return self.description

    @property
    def is_done(self):
        return self.done_at is not None


class RecapSending(models.Model):
    """One sending of a report's recap to its attendees."""

    report = models.ForeignKey(
        ContactReport,
        verbose_name=_("contact report"),
        on_delete=models.CASCADE,
        related_name="recap_sendings",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_count = models.PositiveSmallIntegerField(_("recipients"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("recap sending")
        verbose_name_plural = _("recap sendings")

    def __str__(self):
        return f"{self.report} · {self.sent_at:%Y-%m-%d %H:%M}"


class AttendeeResponse(models.Model):
    """A client attendee's answer to a recap: the decisions and action items confirmed, or a
    correction. One answer per attendee and report."""

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CORRECTED = "corrected", _("Correction")

    report = models.ForeignKey(
        ContactReport,
        verbose_name=_("contact report"),
        on_delete=models.CASCADE,
        related_name="attendee_responses",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)
    correction = models.TextField(_("correction"), blank=True)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["answered_at"]
        verbose_name = _("attendee response")
        verbose_name_plural = _("attendee responses")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "contact"],
                name="one_response_per_attendee",
                violation_error_message=_("This attendee has answered already."),
            ),
            models.CheckConstraint(
                condition=~models.Q(answer="corrected") | ~models.Q(correction=""),
                name="a_correction_says_what",
                violation_error_message=_("Say what should be corrected."),
            ),
        ]

    def __str__(self):
        return f"{self.contact} · {self.get_answer_display()}"


def _sent_document_path(document, filename):
    # The name a document is kept under is the portal's own: a file name never becomes a path.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class SentDocument(models.Model):
    """What went to the client: the PDF of one revision of an estimate, a change order or an
    invoice, kept as it was sent and never rendered again, or a proposal round or a
    deliverable put to the client, with who sent it, when, to whom and with what message.
    Sent from the portal, it went by email to the contacts in `recipients`, each with a
    personal link to approve it when `asks_approval`; marked as sent, it went some other way
    and has no recipients."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="sent_documents"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    revision = models.PositiveIntegerField(_("revision"))
    # What the document is, as the client read it ("Invoice INV-2026-0012"), in their language.
    title = models.CharField(_("document"), max_length=300)
    # Where the document lives in the portal, for the team: the timeline and the
    # notification of the client's answer link to it.
    link = models.CharField(_("link"), max_length=300)
    # The PDF the client received; none for work shown for approval rather than a document
    # of the agency's (a proposal round, a deliverable).
    file = models.FileField(_("file"), upload_to=_sent_document_path, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # Whom it went to, as [{"contact": id, "name": ..., "email": ...}].
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    asks_approval = models.BooleanField(_("asks for approval"), default=False)
    # Sent before, this is a later sending of the document: the email says so.
    again = models.BooleanField(_("sent again"), default=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("sent document")
        verbose_name_plural = _("sent documents")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-sent_at"]),
            models.Index(fields=["client", "-sent_at"], name="sent_document_timeline"),
        ]

    def __str__(self):
        return self.title

    @property
    def recipient_names(self) -> str:
        return ", ".join(recipient["name"] for recipient in self.recipients)


class ClientDecision(models.Model):
    """A client contact's answer through their personal link to one sending of a document:
    approved, signed with the name they typed, or sent back with what to change. One per
    link: the database refuses a second."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES = "changes", _("Changes asked for")

    sending = models.ForeignKey(
        SentDocument,
        verbose_name=_("sent document"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    signed_name = models.CharField(_("signed as"), max_length=150, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("client decision")
        verbose_name_plural = _("client decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["sending", "contact"],
                name="one_decision_per_link",
                violation_error_message=_("This link has been answered already."),
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="approved") | ~models.Q(signed_name=""),
                name="an_approval_is_signed",
                violation_error_message=_("Type your name to sign the approval."),
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="changes") | ~models.Q(comment=""),
                name="changes_say_what",
                violation_error_message=_("Say what should change."),
            ),
        ]

    def __str__(self):
        return f"{self.contact} · {self.get_decision_display()}"

    @property
    def approved(self) -> bool:
        return self.decision == self.Decision.APPROVED


def _attachment_path(attachment, filename):
    # Stored under a name of the portal's own: the uploaded name is kept, never used as a path.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to what it belongs to (a contact report, a proposal round's deck, a
    strategy brief, a creative review's deliverable, an invoice's signed PO), of one client.
    Its type is the one read from its content, not the one its name or the browser claims."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="attachments"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id", "uploaded_at"])]

    def __str__(self):
        return self.name

    @property
    def shown_inline(self) -> bool:
        """Images and PDFs open in the browser; anything else is only ever downloaded."""
        return self.mime_type in INLINE_TYPES


INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


class ProposalQuerySet(models.QuerySet):
    def for_client_page(self):
        latest = ProposalRound.objects.filter(proposal=models.OuterRef("pk")).order_by("-number")
        return self.annotate(
            round_count=models.Count("rounds"),
            latest_status=models.Subquery(latest.values("status")[:1]),
        )


class Proposal(models.Model):
    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("Strategy")
        CREATIVE = "creative", _("Creative")
        MEDIA_PLAN = "media_plan", _("Media plan")
        BUDGET = "budget", _("Budget")

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # A string reference: projects sit above accounts and are read through this relation.
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.SET_NULL,
        related_name="proposals",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [search.index("proposal_search", *PROPOSAL_SEARCHED)]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return pk_reverse("accounts:proposal_detail", self.pk)


class ProposalRoundQuerySet(models.QuerySet):
    def repitch(self):
        """Rounds past the number the client's fee includes."""
        return self.filter(number__gt=models.F("proposal__client__allowed_proposal_rounds"))

    def with_cost(self):
        cost = models.Sum(
            models.F("hours__hours") * models.F("hours__cost_rate"),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        )
        return self.annotate(
            total_hours=Coalesce(models.Sum("hours__hours"), Decimal("0")),
            cost=Coalesce(cost, Decimal("0")),
        )


class ProposalRound(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        INTERNAL_REVIEW = "internal_review", _("Internal review")
        PRESENTED = "presented", _("Presented")
        ACCEPTED = "accepted", _("Accepted")
        REVISION_REQUESTED = "revision_requested", _("Revision requested")
        REJECTED = "rejected", _("Rejected")

    # Where a round may go from each status; accepted, rejected and returned rounds are final.
    NEXT_STATUSES = {
        Status.DRAFT: [Status.INTERNAL_REVIEW],
        Status.INTERNAL_REVIEW: [Status.DRAFT, Status.PRESENTED],
        Status.PRESENTED: [Status.ACCEPTED, Status.REVISION_REQUESTED, Status.REJECTED],
    }

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    presented_on = models.DateField(
        _("presented on"), null=True, blank=True, validators=[PlausibleDate()]
    )
    revision_reasons = models.TextField(
        _("the client's reasons for revision"),
        blank=True,
        help_text=_("Shared with the whole team, so that the next round answers them."),
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    objects = ProposalRoundQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("proposal round")
        verbose_name_plural = _("proposal rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"],
                name="round_number_once",
                violation_error_message=_("This proposal has a round with this number already."),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="round_number_positive",
                violation_error_message=_("Rounds are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="revision_requested") | ~models.Q(revision_reasons=""),
                name="revision_has_reasons",
                violation_error_message=_("Say why the client asked for a revision."),
            ),
        ]

    def __str__(self):
        return f"{self.proposal} · {self.number}"

    @property
    def is_locked(self):
        return self.status == self.Status.ACCEPTED

    @property
    def next_statuses(self):
        return self.NEXT_STATUSES.get(self.status, [])


class RoundHours(models.Model):
    """Hours someone spent on a proposal round, priced at their cost rate when logged."""

    round = models.ForeignKey(
        ProposalRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="hours"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    cost_rate = models.DecimalField(_("cost rate per hour"), max_digits=10, decimal_places=2)
    logged_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        ordering = ["logged_at"]
        verbose_name = _("hours on a round")
        verbose_name_plural = _("hours on rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=1000),
                name="round_hours_positive",
                violation_error_message=_("Hours must be more than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(cost_rate__gte=0),
                name="round_rate_not_negative",
                violation_error_message=_("A cost rate cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.hours} h"

    @property
    def cost(self):
        return self.hours * self.cost_rate


class ExchangeRateQuerySet(models.QuerySet):
    def rate_on(self, currency: str, day) -> Decimal | None:
        """What one unit of `currency` was worth in the base currency on `day`: 1 for the
        base currency, else the rate recorded last on or before that day, or None when no
        rate was recorded yet."""
        if currency == base_currency():
            return Decimal("1")
        return (
            self.filter(currency=currency, valid_from__lte=day)
            .order_by("-valid_from")
            .values_list("rate", flat=True)
            .first()
        )


class ExchangeRate(models.Model):
    """What one unit of a client's currency is worth in the agency's base currency, from a
    day on, until the next rate of that currency. Finance records them."""

    currency = models.CharField(_("currency"), max_length=3, choices=Client.Currency.choices)
    valid_from = models.DateField(_("valid from"), validators=[PlausibleDate()])
    rate = models.DecimalField(
        _("rate"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("What one unit is worth in the base currency."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"],
                name="one_rate_per_currency_and_day",
                violation_error_message=_("This currency has a rate from that day already."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0),
                name="rate_positive",
                violation_error_message=_("A rate is more than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.currency} {self.rate} from {self.valid_from}"
