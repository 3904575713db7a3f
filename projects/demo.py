"""A dozen demo projects across the stages, with their tasks and strategy briefs.
Safe to run again: a project whose name exists is left alone."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Client
from teams.models import Department, User

from . import services
from .models import STAGE_ORDER, Project, Stage, Task

# client, name, stage, starts (days from today), lasts (days)
PROJECTS = [
    ("Qinghe Dairy", "Chilled yoghurt launch", Stage.CREATIVE, -40, 70),
    ("Qinghe Dairy", "Chinese New Year gift boxes", Stage.STRATEGY, -10, 45),
    ("Qinghe Dairy", "Farm open day", Stage.WRAP_UP, -90, 75),
    ("Xingtu Motors", "Compact EV launch", Stage.PRODUCTION, -60, 80),
    ("Xingtu Motors", "Dealer toolkit", Stage.LAUNCH, -50, 55),
    ("Xingtu Motors", "Test-drive weekend", Stage.BRIEF, 5, 30),
    ("Yunshan Technology", "Simple for parents", Stage.STRATEGY, -20, 60),
    ("Yunshan Technology", "Smart speaker Singles' Day", Stage.CLOSED, -120, 60),
    ("Yunshan Technology", "Set-up video series", Stage.CREATIVE, -30, 40),
    ("Nanshan Tea", "Office tea break pitch", Stage.BRIEF, -5, 25),
    ("Yuexiang Travel", "Family summer packages", Stage.PRODUCTION, -45, 50),
    ("Qinghe Dairy", "Kids' milk relaunch", Stage.LAUNCH, -70, 72),
]

# department code, title, assignee, offset of the due date from the start (in days)
TASK_CHAIN = [
    ("research", "Consumer research and insights", "zhou.xin@agency.example", 0.15),
    ("strategy", "Strategy deck", None, 0.3),
    ("creative", "Key visual and copy", "zhao.min@agency.example", 0.5),
    ("media", "Media plan", "sun.hao@agency.example", 0.65),
    ("production", "Production of the assets", None, 0.85),
]
# The stage at which each task of the chain is done.
DONE_BY_STAGE = {
    Stage.BRIEF: 0,
    Stage.STRATEGY: 1,
    Stage.CREATIVE: 2,
    Stage.PRODUCTION: 4,
    Stage.LAUNCH: 5,
    Stage.WRAP_UP: 5,
    Stage.CLOSED: 5,
}


@transaction.atomic
def seed() -> list[Project]:
    people = {user.email: user for user in User.objects.all()}
    departments = {department.code: department for department in Department.objects.all()}
    director = people["zhang.wei@agency.example"]
    today = timezone.localdate()
    projects = []
    for client_name, name, stage, starts, lasts in PROJECTS:
        client = Client.objects.get(name=client_name)
        existing = client.projects.filter(name=name).first()
        if existing:
            projects.append(existing)
            continue
        start = today + timedelta(days=starts)
        project = services.project_create(
            client=client,
            created_by=client.lead_ae,
            name=name,
            owner=client.lead_ae,
            start_date=start,
            deadline=start + timedelta(days=lasts),
            objective=f"Make {name.lower()} the talk of the season for {client.name}.",
            audience="Young families in tier-2 cities",
            key_message="Made simply, for the people you love.",
            deliverables="Key visual, 30-second film, social posts, point-of-sale",
            kpis="Reach 20 million; 50,000 trial sign-ups",
            team=[client.lead_ae, people["zhao.min@agency.example"]],
        )
        _seed_tasks(project, start, lasts, stage, departments, people, today)
        _seed_strategy(project, stage, director)
        _seed_reviews(project, stage, director, today)
        for step in STAGE_ORDER[1 : STAGE_ORDER.index(stage) + 1]:
            services.project_move_stage(project=project, to_stage=step, changed_by=client.lead_ae)
        projects.append(project)
    return projects


def _seed_tasks(project, start, lasts, stage, departments, people, today):
    done_count = DONE_BY_STAGE[stage]
    previous = None
    for index, (code, title, assignee, when) in enumerate(TASK_CHAIN):
        due_on = start + timedelta(days=int(lasts * when))
        if index < done_count:
            status = Task.Status.DONE
        elif index == done_count:
            status = Task.Status.IN_PROGRESS
        else:
            status = Task.Status.TODO
        task = services.task_create(
            project=project,
            created_by=project.owner,
            title=title,
            department=departments[code],
            assignee=people.get(assignee),
            due_on=due_on,
            waits_on=previous,
            handoff_note="Files are in the project folder; the client liked option B."
            if status == Task.Status.DONE
            else "",
        )
        if status != Task.Status.TODO:
            services.task_set_status(task=task, status=status, changed_by=project.owner)
        previous = task


def _seed_strategy(project, stage, director):
    ae = project.owner
    content = {
        "positioning": "The everyday brand families trust.",
        "objectives": "Win 5 points of share among young families within six months.",
        "audience": "Parents aged 28 to 40 in tier-2 cities.",
        "key_message": "Made simply, for the people you love.",
        "channels": "Short video, social, OOH near schools, in-store.",
        "budget_split": "Short video 40%, social 25%, OOH 20%, in-store 15%.",
        "expected_return": "20 million reach, 50,000 trial sign-ups.",
    }
    if stage == Stage.BRIEF:
        return
    brief = services.strategy_brief_start(project=project, author=ae)
    services.strategy_brief_update(brief=brief, editor=ae, **content)
    services.strategy_brief_submit(brief=brief, submitted_by=ae)
    if stage == Stage.STRATEGY:
        services.strategy_brief_return(
            brief=brief,
            returned_by=director,
            comments="The objective needs a number we can measure in the first month.",
        )
        second = services.strategy_brief_start(project=project, author=ae)
        services.strategy_brief_update(
            brief=second,
            editor=ae,
            objectives="Win 5 points of share among young families within six months; "
            "200,000 sample requests in the first month.",
        )
        services.strategy_brief_submit(brief=second, submitted_by=ae)
        return
    services.strategy_brief_approve(brief=brief, approved_by=director)


REVISIONS = {
    "Chilled yoghurt launch": "The client wants real families, not models, in the key visual.",
    "Compact EV launch": "Dealers asked for the price to be off the national film.",
    "Family summer packages": "Legal needs the insurance terms on every package visual.",
}


def _seed_reviews(project, stage, director, today):
    if STAGE_ORDER.index(stage) < STAGE_ORDER.index(Stage.CREATIVE):
        return
    key_visual = project.tasks.get(department__code="creative")
    points = len(project.strategy_briefs.get(status="approved").checklist_points())
    services.creative_review_create(
        task=key_visual,
        reviewer=director,
        points_met=[index != 0 for index in range(points)],
        on_strategy=False,
        verdict="rework",
        comment="Beautiful, but it does not say why families would switch.",
    )
    services.creative_review_create(
        task=key_visual,
        reviewer=director,
        points_met=[True] * points,
        on_strategy=True,
        verdict="approve",
        comment="On brief now. Ship it to the client.",
    )
    if project.name in REVISIONS:
        services.revision_request_log(
            project=project,
            logged_by=project.owner,
            requested_on=today - timedelta(days=3),
            reason=REVISIONS[project.name],
        )
