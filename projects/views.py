from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Client
from accounts.selectors import attach_sendings, attachments_of
from accounts.views import document_send_page
from common import exports
from common.errors import Refused
from common.views import back_to, filtered_page, id_param, show_refusal
from teams import permissions
from teams.models import Department

from . import services
from .forms import (
    BriefReviewForm,
    CreativeReviewForm,
    MyTaskFilterForm,
    ProjectFilterForm,
    ProjectForm,
    RevisionRequestForm,
    StageForm,
    StrategyBriefForm,
    TaskForm,
    TaskStatusForm,
)
from .models import CreativeReview, Project, StageChange, StrategyBrief, Task, TaskCount
from .selectors import traffic_board

PROJECTS_PER_PAGE = 25
RECENTLY_DONE = timedelta(days=7)


def _visible_project(request, pk):
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related("client", "owner"), pk=pk
    )


def _editable_project(request, pk):
    return get_object_or_404(
        Project.objects.editable_by(request.user).select_related("client"), pk=pk
    )


def _project_filters(request):
    if not permissions.can_use_projects(request.user):
        raise Http404
    filters = ProjectFilterForm(request.GET or None, user=request.user)
    return filters, Project.objects.visible_to(request.user).for_list()


def project_list(request):
    filters, projects = _project_filters(request)
    page, query = filtered_page(request, filters, projects, PROJECTS_PER_PAGE)
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "today": timezone.localdate(),
            "can_open": permissions.can_open_clients(request.user),
        },
    )


PROJECT_LIST_COLUMNS = [
    exports.Column(gettext_lazy("Job")),
    exports.Column(gettext_lazy("Project")),
    exports.Column(gettext_lazy("Client")),
    exports.Column(gettext_lazy("Stage")),
    exports.Column(gettext_lazy("AE")),
    exports.day(gettext_lazy("Start date")),
    exports.day(gettext_lazy("Deadline")),
    exports.Column(gettext_lazy("Open tasks"), total=True),
    exports.Column(gettext_lazy("Late tasks"), total=True),
]


def project_list_export(request, file_format):
    filters, projects = _project_filters(request)
    rows = (
        [
            project.job_number,
            project.name,
            project.client.name,
            project.get_stage_display(),
            project.owner.full_name,
            project.start_date,
            project.deadline,
            project.open_task_count,
            project.late_task_count,
        ]
        for project in filters.filter(projects).iterator(chunk_size=1000)
    )
    return exports.download(
        filename=f"projects-{timezone.localdate():%Y-%m-%d}",
        file_format=file_format,
        sheet=_("Projects"),
        columns=PROJECT_LIST_COLUMNS,
        rows=rows,
    )


def project_create(request):
    if not permissions.can_open_clients(request.user):
        raise Http404
    initial = {"owner": request.user, "client": id_param(request, "client")}
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Project %(job)s opened.") % {"job": project.job_number})
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form})


def project_update(request, pk):
    project = _editable_project(request, pk)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=project, updated_by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


def project_detail(request, pk, *, stage_form=None, revision_form=None):
    project = _visible_project(request, pk)
    # Of the people who see a project, its client's team AEs and the directors edit it.
    can_edit = permissions.edits_every_project(request.user) or permissions.works_on_account_teams(
        request.user
    )
    briefs = list(project.strategy_briefs.select_related("author", "submitted_by", "reviewed_by"))
    current_brief = briefs[0] if briefs else None
    reviews = list(
        CreativeReview.objects.filter(task__project=project).select_related("task", "reviewer")
    )
    # What the client may be sent: an approved review that is its deliverable's latest.
    latest = {}
    for review in reviews:
        latest[review.task_id] = review
    for review in reviews:
        review.sendable = (
            review.verdict == CreativeReview.Verdict.APPROVE and latest[review.task_id] is review
        )
    attach_sendings(reviews)
    attachments_of(briefs[:1], reviews)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "client": project.client,
            "tasks": list(project.tasks.for_cards()),
            "briefs": briefs,
            "current_brief": current_brief,
            "stage_changes": StageChange.objects.filter(project=project).select_related(
                "changed_by"
            ),
            "team": project.team.all(),
            "can_edit": can_edit,
            "can_sign_off": permissions.can_sign_off(request.user),
            "can_see_budget": permissions.can_see_budgets(request.user),
            "stage_form": stage_form,
            "creative_reviews": reviews,
            "revision_requests": project.revision_requests.select_related("logged_by"),
            # Given only when a posted request comes back with errors; otherwise the form is
            # fetched when someone logs a request.
            "revision_form": revision_form,
            "proposals": project.proposals.all(),
            "reviewed_departments": CreativeReview.REVIEWED_DEPARTMENTS,
            "today": timezone.localdate(),
        },
    )


def creative_review_send(request, pk, review_pk):
    """The AE puts a deliverable the team approved to the client for their verdict."""
    project = _editable_project(request, pk)
    review = get_object_or_404(
        CreativeReview.objects.filter(
            task__project=project, verdict=CreativeReview.Verdict.APPROVE
        ).select_related("task"),
        pk=review_pk,
    )
    return document_send_page(
        request,
        document=review,
        client=project.client,
        title=_("%(deliverable)s, round %(number)s")
        % {"deliverable": review.task.title, "number": review.round_number},
        back=project.get_absolute_url(),
        preview=None,
        send=lambda **sent: services.creative_review_send(
            review=review, sent_by=request.user, **sent
        ),
    )


def project_move_stage(request, pk):
    project = _editable_project(request, pk)
    if request.method == "GET" and request.htmx:
        # Fetched when someone wants to move the project, to keep the project page light.
        return render(
            request,
            "projects/partials/stage_form.html",
            {"project": project, "stage_form": StageForm(project=project)},
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StageForm(request.POST, project=project)
    if not form.is_valid():
        return project_detail(request, pk, stage_form=form)
    try:
        change = services.project_move_stage(
            project=project,
            changed_by=request.user,
            to_stage=form.cleaned_data["stage"],
            reason=form.cleaned_data["reason"],
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("The project is now at %(stage)s.") % {"stage": change.get_to_stage_display()},
        )
    return redirect(project)


def task_create(request, pk):
    project = _editable_project(request, pk)
    return _task_form_page(request, project=project)


def task_update(request, pk):
    task = get_object_or_404(
        Task.objects.filter(project__in=Project.objects.editable_by(request.user)), pk=pk
    )
    return _task_form_page(request, project=task.project, task=task)


def _task_form_page(request, *, project, task=None):
    form = TaskForm(request.POST or None, instance=task, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            if task is None:
                services.task_create(project=project, created_by=request.user, **form.cleaned_data)
            else:
                services.task_update(task=task, updated_by=request.user, **form.cleaned_data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Task saved."))
            return redirect(project)
    return render(
        request, "projects/task_form.html", {"form": form, "project": project, "task": task}
    )


def _tasks_changeable_by(user):
    """The project's editors change any of its tasks; staff change the tasks handed to them."""
    return Task.objects.visible_to(user).filter(
        Q(project__in=Project.objects.editable_by(user)) | permissions.handed_work(user)
    )


def task_set_status(request, pk):
    task = get_object_or_404(_tasks_changeable_by(request.user), pk=pk)
    if request.method == "GET" and request.htmx:
        # The status select of a traffic-board card, asked for when someone wants it.
        return render(request, "projects/partials/task_status_select.html", {"task": task})
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TaskStatusForm(request.POST)
    if form.is_valid():
        services.task_set_status(
            task=task,
            changed_by=request.user,
            status=form.cleaned_data["status"],
            # Absent from the form: the note stays as it is.
            handoff_note=form.cleaned_data["handoff_note"]
            if "handoff_note" in request.POST
            else None,
        )
    if not request.htmx:
        if "status" in form.errors:
            messages.error(request, _("Choose a status from the list."))
        for error in form.errors.get("handoff_note", []):
            messages.error(request, error)
        return back_to(request, task.project)
    view = request.POST.get("view")
    if view == "board":
        card = Task.objects.filter(pk=task.pk).as_cards().get()
        card["can_change"] = True
        return render(request, "projects/partials/task_cards.html", {"cards": [card]})
    template = (
        "projects/partials/my_task.html" if view == "mine" else "projects/partials/task_row.html"
    )
    return render(
        request,
        template,
        {
            "tasks": [Task.objects.for_cards().get(pk=task.pk)],
            "can_change": True,
            "can_edit": Project.objects.editable_by(request.user)
            .filter(pk=task.project_id)
            .exists(),
            "reviewed_departments": CreativeReview.REVIEWED_DEPARTMENTS,
        },
    )


def task_handoff_note(request, pk):
    """The hand-off note form of a row of My tasks, fetched when someone opens it."""
    task = get_object_or_404(_tasks_changeable_by(request.user), pk=pk)
    return render(request, "projects/partials/task_handoff_form.html", {"task": task})


MY_TASKS_PER_PAGE = 25
RECENTLY_DONE_SHOWN = 20


def _my_task_filters(request):
    mine = Task.objects.filter(assignee=request.user)
    filters = MyTaskFilterForm(
        request.GET or None,
        clients=Client.objects.filter(pk__in=mine.values("project__client")).order_by("name"),
    )
    return filters, mine


def my_tasks(request):
    """The person's tasks, the most urgent first, a page at a time (the open ones unless
    the filters ask for others); and what they finished this week."""
    filters, mine = _my_task_filters(request)
    page, query = filtered_page(request, filters, mine.for_cards(), MY_TASKS_PER_PAGE)
    recently_done = []
    if not filters.is_bound:
        recently_done = (
            mine.filter(status=Task.Status.DONE, completed_at__gte=timezone.now() - RECENTLY_DONE)
            .for_cards()
            .order_by("-completed_at", "pk")[:RECENTLY_DONE_SHOWN]
        )
    return render(
        request,
        "projects/task_list.html",
        {
            "page": page,
            "open_tasks": list(page),
            "recently_done": list(recently_done),
            "filters": filters,
            "query": query,
            "can_change": True,
        },
    )


MY_TASK_COLUMNS = [
    exports.Column(gettext_lazy("Task")),
    exports.Column(gettext_lazy("Job")),
    exports.Column(gettext_lazy("Client")),
    exports.Column(gettext_lazy("Department")),
    exports.day(gettext_lazy("Due")),
    exports.Column(gettext_lazy("Status")),
    exports.moment(gettext_lazy("Completed")),
]


def my_tasks_export(request, file_format):
    filters, mine = _my_task_filters(request)
    tasks = filters.filter(mine.select_related("project__client", "department"))
    rows = (
        [
            task.title,
            task.project.job_number,
            task.project.client.name,
            task.department.label,
            task.due_on,
            task.get_status_display(),
            exports.local_moment(task.completed_at),
        ]
        for task in tasks.iterator(chunk_size=1000)
    )
    return exports.download(
        filename=f"my-tasks-{timezone.localdate():%Y-%m-%d}",
        file_format=file_format,
        sheet=_("My tasks"),
        columns=MY_TASK_COLUMNS,
        rows=rows,
    )


def board(request):
    if not permissions.can_use_projects(request.user):
        raise Http404
    tasks = Task.objects.visible_to(request.user)
    search = request.GET.get("q", "").strip()[:100]
    client_id = id_param(request, "client")
    department_id = id_param(request, "department")
    if search:
        tasks = tasks.filter(
            Q(project__client__name__icontains=search) | Q(project__job_number__icontains=search)
        )
    if client_id is not None:
        tasks = tasks.filter(project__client_id=client_id)
    if department_id is not None:
        tasks = tasks.filter(department_id=department_id)
    tally = None
    if permissions.sees_every_project(request.user) and not search and client_id is None:
        tally = TaskCount.objects.all()
        if department_id is not None:
            tally = tally.filter(department_id=department_id)
    rows = traffic_board(tasks, tally=tally)
    shown = [card for row in rows for cell in row["cells"] for card in cell["cards"]]
    if permissions.edits_every_project(request.user):
        changeable = {card["pk"] for card in shown}
    else:
        changeable = set(
            _tasks_changeable_by(request.user)
            .filter(pk__in=[card["pk"] for card in shown])
            .values_list("pk", flat=True)
        )
    for card in shown:
        card["can_change"] = card["pk"] in changeable
    return render(
        request,
        "projects/task_board.html",
        {
            "rows": rows,
            "search": search,
            "departments": Department.objects.all(),
            "selected_client": client_id,
            "selected_department": department_id,
            "statuses": Task.Status.choices,
        },
    )


# Strategy briefs


def _brief(request, pk, brief_pk, *, editable):
    projects = (
        Project.objects.editable_by(request.user)
        if editable
        else Project.objects.visible_to(request.user)
    )
    return get_object_or_404(
        StrategyBrief.objects.filter(project__in=projects).select_related("project"),
        pk=brief_pk,
        project_id=pk,
    )


@require_POST
def brief_start(request, pk):
    project = _editable_project(request, pk)
    try:
        brief = services.strategy_brief_start(project=project, author=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
        return redirect(project)
    return redirect("projects:brief_update", pk=project.pk, brief_pk=brief.pk)


def brief_update(request, pk, brief_pk):
    brief = _brief(request, pk, brief_pk, editable=True)
    if brief.is_locked:
        messages.error(request, _("This version is locked; start a new version to change it."))
        return redirect(brief.project)
    form = StrategyBriefForm(request.POST or None, instance=brief)
    if request.method == "POST" and form.is_valid():
        services.strategy_brief_update(brief=brief, editor=request.user, **form.cleaned_data)
        messages.success(request, _("Draft saved."))
        return redirect(brief.project)
    return render(
        request,
        "projects/strategybrief_form.html",
        {"form": form, "brief": brief, "project": brief.project},
    )


@require_POST
def brief_submit(request, pk, brief_pk):
    brief = _brief(request, pk, brief_pk, editable=True)
    try:
        services.strategy_brief_submit(brief=brief, submitted_by=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Submitted for sign-off."))
    return redirect(brief.project)


def brief_review(request, pk, brief_pk):
    """A director reads a submitted strategy, point by point against the version before it
    (the one returned, as a rule), then approves it (confirming) or returns it (saying what
    to change)."""
    if not permissions.can_sign_off(request.user):
        raise Http404
    brief = _brief(request, pk, brief_pk, editable=False)
    own = request.user.pk in (brief.author_id, brief.submitted_by_id)
    decidable = brief.status == StrategyBrief.Status.SUBMITTED and not own
    form = BriefReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.strategy_brief_approve(
                    brief=brief, approved_by=request.user, comments=form.cleaned_data["comments"]
                )
                messages.success(request, _("Strategy approved."))
            else:
                services.strategy_brief_return(
                    brief=brief, returned_by=request.user, comments=form.cleaned_data["comments"]
                )
                messages.success(request, _("Strategy returned with comments."))
        except Refused as refusal:
            if decidable:
                show_refusal(form, refusal)
            else:
                messages.error(request, str(refusal))
        else:
            return redirect(brief.project)
    previous = (
        brief.project.strategy_briefs.filter(version__lt=brief.version).order_by("-version").first()
    )
    return render(
        request,
        "projects/brief_review.html",
        {
            "brief": brief,
            "project": brief.project,
            "previous": previous,
            "points": brief.compared_with(previous),
            "form": form if decidable else None,
            "own": own,
        },
    )


def task_review(request, pk):
    task = get_object_or_404(
        Task.objects.filter(project__in=Project.objects.editable_by(request.user)).select_related(
            "project", "department"
        ),
        pk=pk,
    )
    brief = (
        task.project.strategy_briefs.filter(status=StrategyBrief.Status.APPROVED)
        .order_by("-version")
        .first()
    )
    if brief is None or task.department.code not in CreativeReview.REVIEWED_DEPARTMENTS:
        messages.error(
            request,
            _("Creative and production deliverables are reviewed against an approved strategy."),
        )
        return redirect(task.project)
    form = CreativeReviewForm(request.POST or None, points=brief.checklist_points())
    if request.method == "POST" and form.is_valid():
        try:
            review = services.creative_review_create(
                task=task,
                reviewer=request.user,
                points_met=form.points_met(),
                on_strategy=form.cleaned_data["on_strategy"],
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
            )
        except Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("Review round %(number)s recorded.") % {"number": review.round_number}
            )
            return redirect(task.project)
    return render(
        request,
        "projects/creativereview_form.html",
        {"form": form, "task": task, "project": task.project, "brief": brief},
    )


def revision_request_log(request, pk):
    project = _editable_project(request, pk)
    if request.method == "GET" and request.htmx:
        # Fetched when someone wants to log a request, to keep the project page light.
        form = RevisionRequestForm(initial={"requested_on": timezone.localdate()})
        return render(
            request,
            "projects/partials/revision_request_form.html",
            {"project": project, "revision_form": form},
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RevisionRequestForm(request.POST)
    if not form.is_valid():
        return project_detail(request, pk, revision_form=form)
    services.revision_request_log(project=project, logged_by=request.user, **form.cleaned_data)
    messages.success(request, _("Revision request logged."))
    return redirect(project)
