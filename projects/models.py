from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, of_visible_clients
from common import search
from common.limits import PlausibleDate
from common.urls import pk_reverse
from teams import permissions


class Stage(models.TextChoices):
    BRIEF = "brief", _("Brief")
    STRATEGY = "strategy", _("Strategy")
    CREATIVE = "creative", _("Creative")
    PRODUCTION = "production", _("Production")
    LAUNCH = "launch", _("Launch")
    WRAP_UP = "wrap_up", _("Wrap-up")
    CLOSED = "closed", _("Closed")


STAGE_ORDER = list(Stage.values)


class JobCounter(models.Model):
    """The last job number given to a client in a year, counted up in one SQL statement."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "year"],
                name="one_job_counter_per_year",
                violation_error_message=_(
                    "This client's job numbers for the year are counted already."
                ),
            )
        ]

    def __str__(self):
        return f"{self.client_id}/{self.year}: {self.last_number}"


def _handed_to(user, prefix=""):
    """Tasks given to the person, or to their department with nobody named yet."""
    handed = Q(**{f"{prefix}assignee": user})
    if user.department_id:
        handed |= Q(
            **{f"{prefix}assignee__isnull": True, f"{prefix}department": user.department_id}
        )
    return handed


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        if permissions.sees_every_project(user):
            return self
        if permissions.works_on_account_teams(user):
            return of_visible_clients(self, user)
        if permissions.works_on_handed_tasks(user):
            return self.filter(
                pk__in=Task.objects.filter(permissions.handed_work(user)).values("project")
            )
        return self.none()

    def editable_by(self, user):
        if permissions.edits_every_project(user):
            return self
        if permissions.works_on_account_teams(user):
            return self.filter(client__in=Client.objects.editable_by(user))
        return self.none()

    def late(self, today=None):
        return self.filter(deadline__lt=today or timezone.localdate()).exclude(stage=Stage.CLOSED)

    def for_list(self, today=None):
        """With each project's open and late task counts, as subqueries: PostgreSQL counts
        them only for the page of projects shown, not for every project."""
        today = today or timezone.localdate()
        open_tasks = Task.objects.filter(project=OuterRef("pk")).exclude(status=Task.Status.DONE)
        return (
            self.select_related("client", "owner")
            .annotate(
                open_task_count=_count(open_tasks),
                late_task_count=_count(open_tasks.filter(due_on__lt=today)),
            )
            .order_by("deadline", "job_number")
        )


def _count(tasks):
    return Coalesce(
        Subquery(tasks.order_by().values("project").annotate(n=models.Count("pk")).values("n")),
        0,
    )


# The columns a project is searched by (common.search).
PROJECT_SEARCHED = ("job_number", "name")


class Project(models.Model):
    """A job: the work the agency does for a client under one job number."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="projects"
    )
    job_number = models.CharField(_("job number"), max_length=30, unique=True, editable=False)
    # The client's currency when the project opened: its estimates, change orders and costs
    # are all in it.
    currency = models.CharField(
        _("currency"), max_length=3, choices=Client.Currency.choices, editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    objective = models.TextField(_("objective"), blank=True)
    audience = models.TextField(_("audience"), blank=True)
    key_message = models.TextField(_("key message"), blank=True)
    deliverables = models.TextField(_("deliverables"), blank=True)
    kpis = models.TextField(_("KPIs"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.BRIEF)
    start_date = models.DateField(_("start date"), validators=[PlausibleDate()])
    deadline = models.DateField(_("deadline"), validators=[PlausibleDate()])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("AE owner"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team"),
        related_name="project_teams",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "job_number"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=~Q(currency=""),
                name="project_has_a_currency",
                violation_error_message=_("A project is in a currency."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("start_date")),
                name="project_deadline_after_start",
                violation_error_message=_("The deadline cannot come before the start."),
            ),
        ]
        indexes = [
            models.Index(fields=["client", "stage"]),
            # The project list pages through all projects in this order.
            models.Index(fields=["deadline", "job_number"], name="project_list_order"),
            # Finance's desk reads the projects ready to invoice, the earliest started first,
            # in this order and stops at its rows.
            models.Index(fields=["start_date", "id"], name="projects_by_start"),
            search.index("project_search", *PROJECT_SEARCHED),
        ]

    def __str__(self):
        return f"{self.job_number} {self.name}"

    def get_absolute_url(self):
        return pk_reverse("projects:project_detail", self.pk)

    def is_late(self, today=None):
        return self.stage != Stage.CLOSED and self.deadline < (today or timezone.localdate())

    def schedule_elapsed(self, today) -> Decimal:
        """The share of the schedule behind us on `today`, from 0 to 1."""
        length = (self.deadline - self.start_date).days
        if length <= 0:
            return Decimal("1") if today >= self.deadline else Decimal("0")
        done = min(max((today - self.start_date).days, 0), length)
        return Decimal(done) / Decimal(length)


class StageChange(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self):
        return f"{self.project}: {self.from_stage} → {self.to_stage}"


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        if permissions.sees_every_project(user):
            return self
        return self.filter(project__in=Project.objects.visible_to(user))

    def handed_to(self, user):
        return self.filter(permissions.handed_work(user))

    def open(self):
        return self.exclude(status=Task.Status.DONE)

    def with_flags(self, today=None):
        """Late: past its due date and not done. At risk: what it waits on is not done and
        is late already, or due after this task."""
        today = today or timezone.localdate()
        not_done = ~Q(status=Task.Status.DONE)
        predecessor_slips = Q(waits_on__due_on__lt=today) | Q(waits_on__due_on__gt=F("due_on"))
        return self.annotate(
            is_late=Case(
                When(not_done & Q(due_on__lt=today), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            is_at_risk=Case(
                When(
                    not_done
                    & Q(waits_on__isnull=False)
                    & ~Q(waits_on__status=Task.Status.DONE)
                    & predecessor_slips,
                    then=True,
                ),
                default=False,
                output_field=models.BooleanField(),
            ),
        )

    def as_cards(self, today=None):
        """Plain rows for the traffic board, which shows hundreds of cards at a time."""
        return (
            self.with_flags(today)
            .annotate(
                is_handed_on=Case(
                    When(
                        ~Q(status=Task.Status.DONE) & Q(waits_on__status=Task.Status.DONE),
                        then=True,
                    ),
                    default=False,
                    output_field=models.BooleanField(),
                )
            )
            .values(
                "pk",
                "title",
                "due_on",
                "status",
                "department",
                "project_id",
                "is_late",
                "is_at_risk",
                "is_handed_on",
                job_number=F("project__job_number"),
                client_name=F("project__client__name"),
                assignee_name=F("assignee__full_name"),
                waits_on_title=F("waits_on__title"),
            )
        )

    def for_cards(self, today=None):
        # Only what a card or a task row shows: boards load hundreds of them.
        return (
            self.select_related("project__client", "department", "assignee", "waits_on")
            .only(
                "title",
                "due_on",
                "status",
                "handoff_note",
                "completed_at",
                "project__job_number",
                "project__name",
                "project__client__name",
                "department__name",
                "department__name_zh_hans",
                "department__code",
                "assignee__full_name",
                "waits_on__title",
                "waits_on__status",
                "waits_on__due_on",
                "waits_on__handoff_note",
            )
            .with_flags(today)
        )


class Task(models.Model):
    """A work order to a department or a person. Its hand-off is the moment the task it
    waits on is done."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        IN_REVIEW = "in_review", _("In review")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        "teams.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    due_on = models.DateField(_("due"), validators=[PlausibleDate()])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TODO
    )
    waits_on = models.ForeignKey(
        "self",
        verbose_name=_("waits on"),
        on_delete=models.SET_NULL,
        related_name="followers",
        null=True,
        blank=True,
    )
    handoff_note = models.TextField(
        _("hand-off note"),
        blank=True,
        help_text=_("What the next department needs to know when this is done."),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # When the task last went to its assignee: the moment they are told.
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(waits_on=F("pk")),
                name="task_does_not_wait_on_itself",
                violation_error_message=_("A task cannot wait on itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["project", "due_on"]),
            models.Index(fields=["assignee", "status"]),
            # The traffic board's cells, each read in order: due date, then id.
            models.Index(fields=["department", "status", "due_on", "id"], name="board_cell_order"),
            # My tasks: a person's open tasks, the most urgent first.
            models.Index(
                fields=["assignee", "due_on"],
                condition=~Q(status="done"),
                name="open_tasks_by_assignee",
            ),
            # ...and those of their department that nobody is named to yet.
            models.Index(
                fields=["department", "due_on"],
                condition=~Q(status="done") & Q(assignee__isnull=True),
                name="open_unassigned_by_department",
            ),
            # The traffic board's Done column: what was finished lately.
            models.Index(
                fields=["department", "completed_at"],
                condition=Q(status="done"),
                name="done_tasks_by_completion",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return pk_reverse("projects:project_detail", self.project_id) + f"#task-{self.pk}"

    @property
    def is_done(self):
        return self.status == self.Status.DONE

    @property
    def is_handed_on(self):
        """Its predecessor is done, so the work has reached this task."""
        return self.waits_on_id is not None and self.waits_on.is_done and not self.is_done


class TaskCount(models.Model):
    """How many tasks each department has in each status, for the traffic board over the
    whole agency. The task services move a task's count in the same transaction as the task,
    one atomic statement each, so the board need not count tens of thousands of tasks."""

    department = models.ForeignKey(
        "teams.Department", verbose_name=_("department"), on_delete=models.CASCADE
    )
    status = models.CharField(_("status"), max_length=20, choices=Task.Status.choices)
    tasks = models.PositiveIntegerField(_("tasks"), default=0)

    class Meta:
        verbose_name = _("task count")
        verbose_name_plural = _("task counts")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "status"],
                name="one_count_per_cell",
                violation_error_message=_("This department and status are counted already."),
            )
        ]

    def __str__(self):
        return f"{self.department_id} {self.status}: {self.tasks}"


class StrategyBrief(models.Model):
    """A version of the project's strategy. The AE writes and submits it; an account director
    approves it or returns it with comments. An approved version is locked."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for sign-off")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    CONTENT_FIELDS = [
        "positioning",
        "objectives",
        "audience",
        "key_message",
        "channels",
        "budget_split",
        "expected_return",
    ]

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="strategy_briefs",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    positioning = models.TextField(_("positioning"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    audience = models.TextField(_("audience"), blank=True)
    key_message = models.TextField(_("key message"), blank=True)
    channels = models.TextField(_("channels"), blank=True)
    budget_split = models.TextField(_("budget split"), blank=True)
    expected_return = models.TextField(_("expected return"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comments = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("strategy brief")
        verbose_name_plural = _("strategy briefs")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="brief_version_once",
                violation_error_message=_("This project has a brief of this version already."),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comments=""),
                name="returned_brief_has_comments",
                violation_error_message=_("Say what should change before returning the brief."),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(reviewed_by=F("submitted_by")),
                name="brief_not_approved_by_its_submitter",
                violation_error_message=_("Another director signs off a brief you submitted."),
            ),
        ]

    def __str__(self):
        return f"{self.project.job_number} strategy v{self.version}"

    def compared_with(self, previous) -> list[tuple[str, str, str | None]]:
        """Each point of the strategy, as (label, this version's text, the earlier text
        where it differs, else None)."""
        return [
            (
                self._meta.get_field(name).verbose_name,
                getattr(self, name),
                getattr(previous, name)
                if previous is not None and getattr(previous, name) != getattr(self, name)
                else None,
            )
            for name in self.CONTENT_FIELDS
        ]

    @property
    def is_locked(self):
        return self.status != self.Status.DRAFT

    def checklist_points(self):
        """What a deliverable is checked against: each objective, and the key message."""
        points = [line.strip(" -•\t") for line in self.objectives.splitlines()]
        points = [point for point in points if point]
        if self.key_message.strip():
            points.append(_("Key message: %(message)s") % {"message": self.key_message.strip()})
        return points


class CreativeReview(models.Model):
    """A review of a deliverable against the approved strategy: on strategy, point by point,
    and good enough to go to the client, or back for rework."""

    REVIEWED_DEPARTMENTS = ("creative", "production")

    class Verdict(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REWORK = "rework", _("Rework")

    task = models.ForeignKey(
        Task, verbose_name=_("deliverable"), on_delete=models.CASCADE, related_name="reviews"
    )
    brief = models.ForeignKey(
        StrategyBrief, verbose_name=_("strategy"), on_delete=models.PROTECT, related_name="+"
    )
    round_number = models.PositiveSmallIntegerField(_("round"))
    on_strategy = models.BooleanField(_("on strategy"))
    checklist = models.JSONField(
        _("checklist"), default=list, help_text=_("The brief's points and whether each is met.")
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reviewed"), auto_now_add=True)
    # The client's answer, once the work approved here went to them through their link.
    client_decision = models.OneToOneField(
        "accounts.ClientDecision",
        verbose_name=_("the client's decision"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["round_number"]
        verbose_name = _("creative review")
        verbose_name_plural = _("creative reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "round_number"],
                name="review_round_once",
                violation_error_message=_("This task has a review of this round already."),
            ),
        ]

    def __str__(self):
        return f"{self.task} · {self.round_number}"


class RevisionRequest(models.Model):
    """The client asked for work to be redone; the reason is there for the whole team."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="revision_requests",
    )
    requested_on = models.DateField(_("requested on"), validators=[PlausibleDate()])
    reason = models.TextField(_("reason"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = _("client revision request")
        verbose_name_plural = _("client revision requests")

    def __str__(self):
        return f"{self.project.job_number}: {self.reason[:40]}"
