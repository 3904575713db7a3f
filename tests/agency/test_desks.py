"""Each role's desk, the page they land on."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from tests.factories import DepartmentFactory, ProjectFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(tasks):
    return [task.title for task in tasks]


def test_the_staff_desk_shows_today_this_week_and_what_waits_on_others(client):
    today = timezone.localdate()
    creative = DepartmentFactory(name="Creative", code="creative")
    designer = UserFactory(role="staff", full_name="Zhao Min", department=creative)
    project = ProjectFactory(start_date=today - dt.timedelta(days=20))
    owner = project.owner

    def task(title, due_in, **fields):
        return TaskFactory(
            project=project,
            title=title,
            department=creative,
            due_on=today + dt.timedelta(days=due_in),
            **{"assignee": designer, **fields},
        )

    task("Late storyboard", -2)
    task("Logo due today", 0)
    strategy = task("Strategy deck", 1, assignee=UserFactory(role="staff"))
    task("Key visual", 5, waits_on=strategy)
    task("Banner set", 3)
    task("For the department", 4, assignee=None)
    task("Film edit", 20)
    research = task("Consumer research", 2, assignee=UserFactory(role="staff"))
    task("Copy deck", 6, waits_on=research)
    finished = task("Old poster", 1)
    services.task_set_status(task=finished, status="done", changed_by=owner)
    task("Not mine", 0, assignee=UserFactory(role="staff"))
    services.task_set_status(
        task=strategy, status="done", changed_by=owner, handoff_note="Option B won."
    )
    client.force_login(designer)

    page = client.get(reverse("home"))

    desk = page.context["desk"]
    assert titles(desk.today) == ["Late storyboard", "Logo due today", "Key visual"]
    assert titles(desk.week) == ["Banner set", "For the department"]
    assert titles(desk.waiting) == ["Copy deck"]
    assert desk.open_count == 7  # the film edit, three weeks out, is counted, not shown
    assert "Option B won." in page.text
    assert "Waits on “Consumer research”" in page.text
    assert "Not mine" not in page.text
    assert "Old poster" not in page.text
