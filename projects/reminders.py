"""Reminders about the work: tasks due soon and overdue, project deadlines, and strategy
briefs waiting for a director."""

from datetime import timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Kind

from .models import Project, Stage, StrategyBrief, Task

TASK_FIELDS = [
    "pk",
    "title",
    "due_on",
    "assignee_id",
    "project_id",
    "project__job_number",
    "project__owner_id",
]


def _open_tasks(only):
    tasks = Task.objects.exclude(status=Task.Status.DONE)
    if only is not None:
        tasks = tasks.filter(pk__in=only)
    return tasks


def _task_link(task):
    return reverse("projects:project_detail", args=[task["project_id"]]) + f"#task-{task['pk']}"


def _task_data(task):
    return {
        "title": task["title"],
        "job": task["project__job_number"],
        "due_on": task["due_on"].isoformat(),
    }


class TaskDueSoon(registry.Rule):
    name = "projects.task_due"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        soon = today + timedelta(days=registry.DUE_SOON_DAYS)
        tasks = _open_tasks(only).filter(
            due_on__gte=today, due_on__lte=soon, assignee__isnull=False
        )
        tasks = registry.unsent(tasks, self.name, "projects.task", registry.key_on("due", "due_on"))
        for task in tasks.values(*TASK_FIELDS):
            yield registry.Due(
                registry.object_key("projects.task", task["pk"]),
                f"due:{task['due_on']}",
                [task["assignee_id"]],
                _task_link(task),
                _task_data(task),
            )

    def message(self, due):
        return (
            _("Task due %(day)s: %(title)s")
            % {"day": due.data["due_on"], "title": due.data["title"]},
            _("Project %(job)s") % {"job": due.data["job"]},
        )


class TaskOverdue(registry.Rule):
    name = "projects.task_overdue"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        oldest = today - timedelta(days=registry.OVERDUE_WINDOW_DAYS)
        tasks = _open_tasks(only).filter(due_on__lt=today, due_on__gte=oldest)
        tasks = registry.unsent(
            tasks, self.name, "projects.task", registry.key_on("overdue", "due_on")
        )
        for task in tasks.values(*TASK_FIELDS):
            yield registry.Due(
                registry.object_key("projects.task", task["pk"]),
                f"overdue:{task['due_on']}",
                [person for person in (task["assignee_id"], task["project__owner_id"]) if person],
                _task_link(task),
                _task_data(task),
            )

    def message(self, due):
        return (
            _("Task overdue since %(day)s: %(title)s")
            % {"day": due.data["due_on"], "title": due.data["title"]},
            _("Project %(job)s") % {"job": due.data["job"]},
        )


DEADLINE_WARNINGS = [(1, "1d"), (7, "7d")]


class ProjectDeadline(registry.Rule):
    """7 days and 1 day before the deadline, and once it has passed: to the AE and the
    project's team."""

    name = "projects.deadline"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        projects = Project.objects.exclude(stage=Stage.CLOSED).filter(
            deadline__gte=today - timedelta(days=registry.OVERDUE_WINDOW_DAYS),
            deadline__lte=today + timedelta(days=DEADLINE_WARNINGS[-1][0]),
        )
        if only is not None:
            projects = projects.filter(pk__in=only)
        level = Case(
            When(deadline__lt=today, then=Value("overdue")),
            *(
                When(deadline__lte=today + timedelta(days=days), then=Value(label))
                for days, label in DEADLINE_WARNINGS
            ),
            output_field=CharField(),
        )
        key = registry.key_on(level, "deadline")
        projects = registry.unsent(projects, self.name, "projects.project", key)
        rows = projects.values("pk", "job_number", "name", "deadline", "owner_id").annotate(
            team_ids=ArrayAgg("team", filter=Q(team__isnull=False), default=[])
        )
        for project in rows:
            days_left = (project["deadline"] - today).days
            if days_left < 0:
                level = "overdue"
            else:
                level = next(label for days, label in DEADLINE_WARNINGS if days_left <= days)
            yield registry.Due(
                registry.object_key("projects.project", project["pk"]),
                f"{level}:{project['deadline']}",
                [project["owner_id"], *project["team_ids"]],
                reverse("projects:project_detail", args=[project["pk"]]),
                {
                    "job": project["job_number"],
                    "name": project["name"],
                    "deadline": project["deadline"].isoformat(),
                    "overdue": days_left < 0,
                },
            )

    def message(self, due):
        values = {"job": due.data["job"], "name": due.data["name"], "day": due.data["deadline"]}
        if due.data["overdue"]:
            return _("Project %(job)s %(name)s is past its deadline of %(day)s") % values, ""
        return _("Project %(job)s %(name)s is due %(day)s") % values, ""


class StrategyBriefWaiting(registry.Rule):
    name = "projects.brief_waiting"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        briefs = StrategyBrief.objects.filter(
            status=StrategyBrief.Status.SUBMITTED, submitted_at__lte=now - registry.SIGN_OFF_WAIT
        )
        if only is not None:
            briefs = briefs.filter(pk__in=only)
        rows = briefs.values(
            "pk",
            "version",
            "submitted_at",
            "project_id",
            "project__job_number",
            "project__client__account_director_id",
        )
        for brief in rows:
            director = brief["project__client__account_director_id"]
            if director is None:
                continue
            yield registry.Due(
                registry.object_key("projects.strategybrief", brief["pk"]),
                f"submitted:{brief['submitted_at']:%Y%m%dT%H%M%S}",
                [director],
                reverse("projects:project_detail", args=[brief["project_id"]]),
                {"job": brief["project__job_number"], "version": brief["version"]},
            )

    def message(self, due):
        return (
            _(
                "Strategy brief v%(version)s of %(job)s has waited more than two days for "
                "your sign-off"
            )
            % due.data,
            "",
        )


class StrategyBriefSubmitted(registry.Rule):
    """A brief submitted for sign-off, to the client's account director at once."""

    name = "projects.brief_submitted"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        briefs = StrategyBrief.objects.filter(
            status=StrategyBrief.Status.SUBMITTED,
            submitted_at__gte=now - registry.EVENT_WINDOW,
            project__client__account_director__isnull=False,
        )
        if only is not None:
            briefs = briefs.filter(pk__in=only)
        rows = briefs.values(
            "pk",
            "version",
            "submitted_at",
            "submitted_by_id",
            "project_id",
            "project__job_number",
            "project__client__account_director_id",
        )
        for brief in rows:
            yield registry.Due(
                registry.object_key("projects.strategybrief", brief["pk"]),
                f"submitted:{registry.stamp(brief['submitted_at'])}",
                registry.others(
                    [brief["project__client__account_director_id"]],
                    besides=brief["submitted_by_id"],
                ),
                reverse("projects:brief_review", args=[brief["project_id"], brief["pk"]]),
                {"job": brief["project__job_number"], "version": brief["version"]},
            )

    def message(self, due):
        return (
            _("Strategy brief v%(version)s of %(job)s is waiting for your sign-off") % due.data,
            "",
        )


def _task_row(task):
    return {
        "title": task["title"],
        "job": task["project__job_number"],
        "due_on": task["due_on"].isoformat(),
    }


class TaskAssigned(registry.Rule):
    """A task given to someone, or given to someone else, to its new assignee at once."""

    name = "projects.task_assigned"
    kind = Kind.HANDED_TO_ME

    def due(self, now, *, only=None):
        tasks = Task.objects.open().filter(
            assignee__isnull=False, assigned_at__gte=now - registry.EVENT_WINDOW
        )
        if only is not None:
            tasks = tasks.filter(pk__in=only)
        # A busy day hands out thousands: the sweeps after it read only what is not yet told.
        key = Concat(
            Value("assigned:"),
            Cast("assignee_id", CharField()),
            Value(":"),
            registry.stamp_sql(F("assigned_at")),
        )
        tasks = registry.unsent(tasks, self.name, "projects.task", key)
        rows = tasks.values(
            "pk",
            "title",
            "due_on",
            "assignee_id",
            "assigned_at",
            "project_id",
            "project__job_number",
        )
        for task in rows:
            yield registry.Due(
                registry.object_key("projects.task", task["pk"]),
                f"assigned:{task['assignee_id']}:{registry.stamp(task['assigned_at'])}",
                [task["assignee_id"]],
                reverse("projects:my_tasks"),
                _task_row(task),
            )

    def message(self, due):
        return (
            _("New task for you: %(title)s, due %(due_on)s") % due.data,
            _("Project %(job)s") % due.data,
        )


class TaskHandedOn(registry.Rule):
    """The task a task waits on is done: over to the waiting task's assignee, at once, with
    the hand-off note."""

    name = "projects.task_handed_on"
    kind = Kind.HANDED_TO_ME

    def due(self, now, *, only=None):
        tasks = Task.objects.open().filter(
            assignee__isnull=False,
            waits_on__status=Task.Status.DONE,
            waits_on__completed_at__gte=now - registry.EVENT_WINDOW,
        )
        if only is not None:
            tasks = tasks.filter(pk__in=only)
        rows = tasks.values(
            "pk",
            "title",
            "due_on",
            "assignee_id",
            "project__job_number",
            "waits_on__title",
            "waits_on__completed_at",
            "waits_on__handoff_note",
        )
        for task in rows:
            yield registry.Due(
                registry.object_key("projects.task", task["pk"]),
                f"handed_on:{registry.stamp(task['waits_on__completed_at'])}",
                [task["assignee_id"]],
                reverse("projects:my_tasks"),
                {
                    **_task_row(task),
                    "done": task["waits_on__title"],
                    "note": task["waits_on__handoff_note"][:1000],
                },
            )

    def message(self, due):
        title = _("Over to you: “%(done)s” is done, so “%(title)s” can start") % due.data
        return title, due.data["note"]


class StrategyBriefDecided(registry.Rule):
    """A director approves or returns a strategy brief: its author and whoever submitted it
    are told at once, with the comments."""

    name = "projects.brief_decided"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        briefs = StrategyBrief.objects.filter(
            status__in=[StrategyBrief.Status.APPROVED, StrategyBrief.Status.RETURNED],
            reviewed_at__gte=now - registry.EVENT_WINDOW,
        )
        if only is not None:
            briefs = briefs.filter(pk__in=only)
        rows = briefs.values(
            "pk",
            "status",
            "version",
            "reviewed_at",
            "review_comments",
            "author_id",
            "submitted_by_id",
            "reviewed_by__full_name",
            "project_id",
            "project__job_number",
        )
        for brief in rows:
            yield registry.Due(
                registry.object_key("projects.strategybrief", brief["pk"]),
                f"{brief['status']}:{registry.stamp(brief['reviewed_at'])}",
                # Nobody reviews their own brief: the director is never among these.
                [brief["author_id"], brief["submitted_by_id"]],
                reverse("projects:project_detail", args=[brief["project_id"]]),
                {
                    "approved": brief["status"] == StrategyBrief.Status.APPROVED,
                    "director": brief["reviewed_by__full_name"],
                    "job": brief["project__job_number"],
                    "version": brief["version"],
                    "comments": brief["review_comments"][:1000],
                },
            )

    def message(self, due):
        if due.data["approved"]:
            title = _("%(director)s approved strategy brief v%(version)s of %(job)s")
        else:
            title = _("%(director)s returned strategy brief v%(version)s of %(job)s")
        return title % due.data, due.data["comments"]


registry.register(TaskDueSoon())
registry.register(TaskOverdue())
registry.register(ProjectDeadline())
registry.register(StrategyBriefWaiting())
registry.register(StrategyBriefSubmitted())
registry.register(TaskAssigned())
registry.register(TaskHandedOn())
registry.register(StrategyBriefDecided())
