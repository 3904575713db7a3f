from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import services as accounts
from accounts.models import Client
from common.counters import count_down, count_up
from common.errors import Refused
from common.locks import lock_row
from common.models import assign, validate
from notifications import services as notifications
from teams import permissions, sign_off
from teams.models import User

from .models import (
    STAGE_ORDER,
    CreativeReview,
    JobCounter,
    Project,
    RevisionRequest,
    Stage,
    StageChange,
    StrategyBrief,
    Task,
    TaskCount,
)

TASK_FIELDS = {"title", "department", "assignee", "due_on", "status", "waits_on", "handoff_note"}
PROJECT_FIELDS = {
    "name",
    "objective",
    "audience",
    "key_message",
    "deliverables",
    "kpis",
    "start_date",
    "deadline",
    "owner",
}


def _keeps_projects(user: User) -> None:
    if not permissions.works_in_account_service(user):
        raise Refused(_("Projects are kept by the account team."))


def _works_on_tasks(user: User) -> None:
    if not permissions.can_work_on_tasks(user):
        raise Refused(
            _("Tasks are moved on by the account team and the people they are handed to.")
        )


def _next_job_number(client: Client, year: int) -> str:
    number = count_up(JobCounter, "last_number", client_id=client.pk, year=year)
    return f"{client.code}-{year}-{number:03d}"


@transaction.atomic
def project_create(*, client: Client, created_by: User, team=(), **fields) -> Project:
    _keeps_projects(created_by)
    project = Project(client=client, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS})
    project.currency = client.currency
    project.job_number = _next_job_number(client, timezone.localdate().year)
    validate(project)
    project.save()
    project.team.set(team)
    return project


@transaction.atomic
def project_update(*, project: Project, updated_by: User, team=None, **fields) -> Project:
    _keeps_projects(updated_by)
    assign(project, fields, PROJECT_FIELDS)
    validate(project)
    project.save()
    if team is not None:
        project.team.set(team)
    return project


@transaction.atomic
def project_move_stage(
    *, project: Project, to_stage: str, changed_by: User, reason: str = ""
) -> StageChange:
    _keeps_projects(changed_by)
    project = lock_row(project)
    from_index, to_index = STAGE_ORDER.index(project.stage), STAGE_ORDER.index(to_stage)
    if to_index == from_index:
        raise Refused(_("The project is at that stage already."))
    if to_index < from_index and not reason.strip():
        raise Refused(_("Say why the project goes back a stage."))
    past_strategy = to_index > STAGE_ORDER.index(Stage.STRATEGY)
    if (
        past_strategy
        and not project.strategy_briefs.filter(status=StrategyBrief.Status.APPROVED).exists()
    ):
        raise Refused(_("The project moves past strategy once a strategy brief is approved."))
    change = StageChange.objects.create(
        project=project,
        from_stage=project.stage,
        to_stage=to_stage,
        reason=reason.strip(),
        changed_by=changed_by,
    )
    project.stage = to_stage
    project.save(update_fields=["stage", "updated_at"])
    return change


def _check_waits_on(task: Task) -> None:
    predecessor = task.waits_on
    if predecessor is None:
        return
    if predecessor.project_id != task.project_id:
        raise Refused(_("A task can only wait on a task of the same project."), field="waits_on")
    seen = set()
    while predecessor is not None:
        if predecessor.pk == task.pk or predecessor.pk in seen:
            raise Refused(
                _("That would make the tasks wait on each other in a circle."), field="waits_on"
            )
        seen.add(predecessor.pk)
        predecessor = predecessor.waits_on


def _count_task_move(before: tuple | None, after: tuple | None) -> None:
    """Moves a task's count on the traffic board from the (department, status) cell it
    left to the one it entered; None for a task that is new or gone. The cells are
    counted in key order, so that two tasks crossing between the same cells cannot
    deadlock."""
    if before == after:
        return
    moves = [(cell, count) for cell, count in ((before, count_down), (after, count_up)) if cell]
    for (department_id, status), count in sorted(moves, key=lambda move: move[0]):
        count(TaskCount, "tasks", department_id=department_id, status=status)


def _cell(task: Task) -> tuple:
    return task.department_id, task.status


def task_counts_rebuild() -> None:
    """Counts every task again, for data loaded in bulk past the services."""
    TaskCount.objects.all().delete()
    TaskCount.objects.bulk_create(
        TaskCount(department_id=row["department"], status=row["status"], tasks=row["n"])
        for row in Task.objects.order_by().values("department", "status").annotate(n=Count("pk"))
    )


@transaction.atomic
def task_create(*, project: Project, created_by: User, **fields) -> Task:
    _keeps_projects(created_by)
    task = Task(project=project, **fields)
    _check_waits_on(task)
    _check_due_within_project(task)
    _stamp_completion(task)
    if task.assignee_id:
        task.assigned_at = timezone.now()
    validate(task)
    task.save()
    _count_task_move(None, _cell(task))
    if task.assignee_id:
        notifications.check_soon("projects.task_assigned", [task.pk])
    return task


@transaction.atomic
def task_update(*, task: Task, updated_by: User, **fields) -> Task:
    _keeps_projects(updated_by)
    task = lock_row(task)
    before, due_before, assignee_before = _cell(task), task.due_on, task.assignee_id
    assign(task, fields, TASK_FIELDS)
    _check_waits_on(task)
    if task.due_on != due_before:
        _check_due_within_project(task)
    _stamp_completion(task)
    reassigned = task.assignee_id is not None and task.assignee_id != assignee_before
    if reassigned:
        task.assigned_at = timezone.now()
    validate(task)
    task.save()
    _count_task_move(before, _cell(task))
    if reassigned:
        notifications.check_soon("projects.task_assigned", [task.pk])
    _tell_the_next(task, was_done=before[1] == Task.Status.DONE)
    return task


def _check_due_within_project(task: Task) -> None:
    """A task falls due between its project's start and its deadline."""
    project = task.project
    if task.due_on and not project.start_date <= task.due_on <= project.deadline:
        raise Refused(
            _("Set a day from the project's start (%(start)s) to its deadline (%(deadline)s).")
            % {"start": project.start_date.isoformat(), "deadline": project.deadline.isoformat()},
            field="due_on",
        )


def _stamp_completion(task: Task) -> None:
    if task.status == Task.Status.DONE and task.completed_at is None:
        task.completed_at = timezone.now()
    elif task.status != Task.Status.DONE:
        task.completed_at = None


@transaction.atomic
def task_set_status(*, task: Task, status: str, changed_by: User, handoff_note=None) -> Task:
    _works_on_tasks(changed_by)
    task = lock_row(task)
    before = _cell(task)
    task.status = status
    if handoff_note is not None:
        task.handoff_note = handoff_note
    _stamp_completion(task)
    validate(task)
    task.save()
    _count_task_move(before, _cell(task))
    _tell_the_next(task, was_done=before[1] == Task.Status.DONE)
    return task


def _tell_the_next(task: Task, *, was_done: bool) -> None:
    """A task just done hands on to the tasks that wait on it: their assignees are told."""
    if task.status == Task.Status.DONE and not was_done:
        waiting = list(task.followers.exclude(status=Task.Status.DONE).values_list("pk", flat=True))
        if waiting:
            notifications.check_soon("projects.task_handed_on", waiting)


# Strategy briefs


@transaction.atomic
def strategy_brief_start(*, project: Project, author: User) -> StrategyBrief:
    """A new version, as a copy of the last one. Only one version is open at a time."""
    _keeps_projects(author)
    lock_row(project)
    last = project.strategy_briefs.order_by("-version").first()
    if last is not None and last.status in (
        StrategyBrief.Status.DRAFT,
        StrategyBrief.Status.SUBMITTED,
    ):
        raise Refused(_("Version %(version)s is still open.") % {"version": last.version})
    brief = StrategyBrief(project=project, author=author, version=(last.version + 1) if last else 1)
    for name in StrategyBrief.CONTENT_FIELDS:
        setattr(brief, name, getattr(last, name) if last else "")
    brief.save()
    return brief


@transaction.atomic
def strategy_brief_update(*, brief: StrategyBrief, editor: User, **fields) -> StrategyBrief:
    _keeps_projects(editor)
    brief = lock_row(brief)
    if brief.is_locked:
        raise Refused(_("This version is locked; start a new version to change it."))
    for name in StrategyBrief.CONTENT_FIELDS:
        if name in fields:
            setattr(brief, name, fields[name])
    validate(brief)
    brief.save()
    return brief


@transaction.atomic
def strategy_brief_submit(*, brief: StrategyBrief, submitted_by: User) -> StrategyBrief:
    _keeps_projects(submitted_by)
    brief = lock_row(brief)
    if brief.status == StrategyBrief.Status.DRAFT and not (
        brief.objectives.strip() and brief.key_message.strip()
    ):
        raise Refused(_("Write at least the objectives and the key message before submitting."))
    sign_off.submit(brief, by=submitted_by)
    brief.submitted_at = timezone.now()
    brief.save()
    notifications.check_soon("projects.brief_submitted", [brief.pk])
    return brief


def _review(brief, reviewer, status, comments) -> StrategyBrief:
    brief = lock_row(brief)
    sign_off.check_decision(
        brief,
        by=reviewer,
        waiting=StrategyBrief.Status.SUBMITTED,
        makers=(brief.submitted_by_id, brief.author_id),
        wording=sign_off.Wording(
            director_only=_("Only an account director signs off a strategy."),
            not_own=_("Nobody signs off their own strategy."),
        ),
    )
    brief.status = status
    brief.reviewed_by = reviewer
    brief.reviewed_at = timezone.now()
    brief.review_comments = comments.strip()
    validate(brief)
    brief.save()
    notifications.check_soon("projects.brief_decided", [brief.pk])
    return brief


@transaction.atomic
def strategy_brief_approve(
    *, brief: StrategyBrief, approved_by: User, comments: str = ""
) -> StrategyBrief:
    return _review(brief, approved_by, StrategyBrief.Status.APPROVED, comments)


@transaction.atomic
def strategy_brief_return(
    *, brief: StrategyBrief, returned_by: User, comments: str
) -> StrategyBrief:
    if not comments.strip():
        raise Refused(_("Say what to change when returning a strategy."))
    return _review(brief, returned_by, StrategyBrief.Status.RETURNED, comments)


# Creative reviews and client revision requests


@transaction.atomic
def creative_review_create(
    *,
    task: Task,
    reviewer: User,
    points_met: list[bool],
    on_strategy: bool,
    verdict: str,
    comment: str = "",
) -> CreativeReview:
    _keeps_projects(reviewer)
    task = lock_row(task)
    if task.department.code not in CreativeReview.REVIEWED_DEPARTMENTS:
        raise Refused(_("Only creative and production deliverables are reviewed."))
    brief = (
        task.project.strategy_briefs.filter(status=StrategyBrief.Status.APPROVED)
        .order_by("-version")
        .first()
    )
    if brief is None:
        raise Refused(_("A deliverable is reviewed against an approved strategy; there is none."))
    points = brief.checklist_points()
    if len(points_met) != len(points):
        raise Refused(_("The strategy changed while you were reviewing; review again."))
    if on_strategy and not all(points_met):
        raise Refused(_("Work that misses a point of the strategy is not on strategy."))
    last = task.reviews.order_by("-round_number").first()
    return CreativeReview.objects.create(
        task=task,
        brief=brief,
        round_number=(last.round_number + 1) if last else 1,
        on_strategy=on_strategy,
        checklist=[{"point": p, "met": met} for p, met in zip(points, points_met, strict=True)],
        verdict=verdict,
        comment=comment.strip(),
        reviewer=reviewer,
    )


@transaction.atomic
def revision_request_log(
    *, project: Project, logged_by: User, requested_on, reason: str
) -> RevisionRequest:
    _keeps_projects(logged_by)
    request = RevisionRequest(
        project=project, logged_by=logged_by, requested_on=requested_on, reason=reason.strip()
    )
    validate(request)
    request.save()
    return request


@transaction.atomic
def creative_review_send(
    *, review: CreativeReview, sent_by: User, contacts, message: str = ""
) -> CreativeReview:
    """Puts a deliverable the team's review approved to the client's contacts, by email with
    a personal link: approve it, or send it back for rework, saying what."""
    _keeps_projects(sent_by)
    review = lock_row(review)
    task = Task.objects.select_related("project__client").get(pk=review.task_id)
    if review.verdict != CreativeReview.Verdict.APPROVE:
        raise Refused(_("A deliverable goes to the client once its review approves it."))
    if task.reviews.filter(round_number__gt=review.round_number).exists():
        raise Refused(_("A later round of this deliverable was reviewed: send that one."))
    project = task.project
    with translation.override(project.client.language):
        title = _("%(deliverable)s, round %(number)s · %(job)s") % {
            "deliverable": task.title,
            "number": review.round_number,
            "job": project.job_number,
        }
    accounts.document_send(
        document=review,
        client=project.client,
        revision=review.round_number,
        title=title,
        link=project.get_absolute_url(),
        sent_by=sent_by,
        contacts=contacts,
        message=message,
        asks_approval=True,
    )
    return review


def creative_review_superseded(review: CreativeReview, sending) -> bool:
    """The client answers once for a round of a deliverable, and only for its latest."""
    return (
        review.client_decision_id is not None
        or CreativeReview.objects.filter(
            task_id=review.task_id, round_number__gt=review.round_number
        ).exists()
    )


def creative_review_decided(review: CreativeReview, decision) -> None:
    """The client's verdict is kept on the review; work sent back is logged as the client's
    revision request, with their words, so the team knows why it comes back."""
    review.client_decision = decision
    review.save(update_fields=["client_decision"])
    if not decision.approved:
        task = Task.objects.get(pk=review.task_id)
        request = RevisionRequest(
            project_id=task.project_id,
            logged_by=decision.sending.sent_by,
            requested_on=timezone.localdate(decision.decided_at),
            reason=f"{task.title}: {decision.comment}",
        )
        validate(request)
        request.save()
