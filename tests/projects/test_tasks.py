import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Task, TaskCount
from tests.factories import DepartmentFactory, ProjectFactory, TaskFactory, UserFactory
from tests.run_day import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_the_run_day")]


def days(n):
    return TODAY + dt.timedelta(days=n)


def flags(task):
    task = Task.objects.with_flags().get(pk=task.pk)
    return task.is_late, task.is_at_risk


def test_a_task_is_late_past_its_due_date_until_done():
    task = TaskFactory(due_on=days(-1))
    assert flags(task) == (True, False)
    services.task_set_status(task=task, status="done", changed_by=task.project.owner)
    assert flags(task) == (False, False)


def test_a_task_is_at_risk_when_what_it_waits_on_is_late():
    research = TaskFactory(due_on=days(-2))
    creative = TaskFactory(project=research.project, waits_on=research, due_on=days(5))

    assert flags(creative) == (False, True)


def test_a_task_is_at_risk_when_what_it_waits_on_is_due_after_it():
    research = TaskFactory(due_on=days(10))
    creative = TaskFactory(project=research.project, waits_on=research, due_on=days(5))

    assert flags(creative) == (False, True)


def test_a_task_is_handed_on_and_safe_once_its_predecessor_is_done():
    research = TaskFactory(due_on=days(-2))
    creative = TaskFactory(project=research.project, waits_on=research, due_on=days(5))

    services.task_set_status(task=research, status="done", changed_by=research.project.owner)

    assert flags(creative) == (False, False)
    creative = Task.objects.select_related("waits_on").get(pk=creative.pk)
    assert creative.is_handed_on


def test_a_task_waits_only_on_a_task_of_its_project(client):
    project = ProjectFactory()
    elsewhere = TaskFactory()
    client.force_login(project.owner)

    response = client.post(
        reverse("projects:task_create", args=[project.pk]),
        {
            "title": "Key visual",
            "department": elsewhere.department.pk,
            "due_on": days(3),
            "status": "todo",
            "waits_on": elsewhere.pk,
        },
    )

    assert "waits_on" in response.context["form"].errors
    assert not project.tasks.exists()


def test_tasks_cannot_wait_on_each_other_in_a_circle(client):
    first = TaskFactory()
    second = TaskFactory(project=first.project, waits_on=first)
    third = TaskFactory(project=first.project, waits_on=second)
    client.force_login(first.project.owner)

    response = client.post(
        reverse("projects:task_update", args=[first.pk]),
        {
            "title": first.title,
            "department": first.department.pk,
            "due_on": days(3),
            "status": "todo",
            "waits_on": third.pk,
        },
    )

    assert response.context["form"].errors["waits_on"] == [
        "That would make the tasks wait on each other in a circle."
    ]
    first.refresh_from_db()
    assert first.waits_on is None


def test_a_task_needs_a_title_department_and_due_date(client):
    project = ProjectFactory()
    client.force_login(project.owner)

    response = client.post(
        reverse("projects:task_create", args=[project.pk]), {"title": "", "status": "todo"}
    )

    assert set(response.context["form"].errors) == {"title", "department", "due_on"}
    assert not project.tasks.exists()


@pytest.mark.parametrize("due_on", ["1900-01-01", "past the deadline", "before the start"])
def test_a_task_falls_due_within_its_project(client, due_on):
    project = ProjectFactory()
    client.force_login(project.owner)
    due = {
        "past the deadline": (project.deadline + dt.timedelta(days=1)).isoformat(),
        "before the start": (project.start_date - dt.timedelta(days=1)).isoformat(),
    }.get(due_on, due_on)

    response = client.post(
        reverse("projects:task_create", args=[project.pk]),
        {
            "title": "Key visual",
            "department": DepartmentFactory().pk,
            "due_on": due,
            "status": "todo",
        },
    )

    assert list(response.context["form"].errors) == ["due_on"]
    assert len(response.context["form"].errors["due_on"]) == 1
    assert not project.tasks.exists()


def test_a_task_due_on_the_deadline_is_taken(client):
    project = ProjectFactory()

    task = services.task_create(
        project=project,
        created_by=project.owner,
        title="Final cut",
        department=DepartmentFactory(),
        due_on=project.deadline,
    )

    assert task.due_on == project.deadline


def test_a_designer_finishes_a_task_from_my_tasks_and_the_next_is_handed_on(client):
    creative = DepartmentFactory(name="Creative", code="creative")
    designer = UserFactory(role="staff", department=creative, full_name="Zhao Min")
    key_visual = TaskFactory(assignee=designer, department=creative, title="Key visual")
    planner = UserFactory(role="staff", full_name="Sun Hao")
    media = TaskFactory(
        project=key_visual.project, waits_on=key_visual, title="Media plan", assignee=planner
    )
    client.force_login(designer)

    page = client.get(reverse("projects:my_tasks"))
    assert "Key visual" in page.text
    note_form = client.get(reverse("projects:task_handoff_note", args=[key_visual.pk]))
    assert 'name="handoff_note"' in note_form.text
    client.post(
        reverse("projects:task_set_status", args=[key_visual.pk]),
        {
            "status": "in_progress",
            "handoff_note": "Files are in the shared folder.",
            "view": "mine",
        },
        headers={"hx-request": "true"},
    )
    started = timezone.now()
    row = client.post(
        reverse("projects:task_set_status", args=[key_visual.pk]),
        {"status": "done", "view": "mine"},
        headers={"hx-request": "true"},
    )

    assert 'class="table-success"' in row.text
    key_visual.refresh_from_db()
    assert key_visual.status == "done"
    assert started <= key_visual.completed_at <= timezone.now()
    client.force_login(key_visual.project.owner)
    project_page = client.get(key_visual.project.get_absolute_url()).text
    assert "Handed on" in project_page
    assert media.title in project_page
    assert '<option value="done" selected>' in project_page
    client.force_login(planner)
    handed = client.get(reverse("projects:my_tasks")).text
    assert "“Key visual” is done: over to you." in handed
    assert "Files are in the shared folder." in handed


def test_department_staff_see_only_projects_with_work_handed_to_them(client):
    creative = DepartmentFactory(name="Creative", code="creative")
    designer = UserFactory(role="staff", department=creative)
    mine = TaskFactory(assignee=designer, department=creative)
    for_the_department = TaskFactory(department=creative, assignee=None)
    someone_elses = TaskFactory(assignee=UserFactory(role="staff"), department=creative)
    client.force_login(designer)

    assert client.get(mine.project.get_absolute_url()).status_code == 200
    assert client.get(for_the_department.project.get_absolute_url()).status_code == 200
    assert client.get(someone_elses.project.get_absolute_url()).status_code == 404
    # The client of a project they work on, read-only.
    client_page = client.get(mine.project.client.get_absolute_url())
    assert client_page.status_code == 200
    assert reverse("accounts:client_update", args=[mine.project.client_id]) not in client_page.text
    assert client.get(someone_elses.project.client.get_absolute_url()).status_code == 404
    # They move their own work along, and nothing else.
    assert client.get(reverse("projects:project_update", args=[mine.project_id])).status_code == 404
    client.post(reverse("projects:task_set_status", args=[mine.pk]), {"status": "in_progress"})
    mine.refresh_from_db()
    assert mine.status == "in_progress"
    refused = client.post(
        reverse("projects:task_set_status", args=[someone_elses.pk]), {"status": "done"}
    )
    assert refused.status_code == 404


def test_a_client_page_links_staff_only_to_the_projects_they_may_open(client):
    creative = DepartmentFactory(name="Creative", code="creative")
    designer = UserFactory(role="staff", department=creative)
    mine = TaskFactory(assignee=designer, department=creative)
    other = ProjectFactory(client=mine.project.client, name="Quiet launch")
    client.force_login(designer)

    page = client.get(mine.project.client.get_absolute_url()).text
    assert mine.project.get_absolute_url() in page
    assert other.get_absolute_url() not in page
    assert "Quiet launch" not in page
    assert client.get(other.get_absolute_url()).status_code == 404

    client.force_login(mine.project.client.lead_ae)
    assert other.get_absolute_url() in client.get(mine.project.client.get_absolute_url()).text


def tallied():
    return {
        (row.department_id, row.status): row.tasks for row in TaskCount.objects.all() if row.tasks
    }


def test_the_task_counts_follow_every_task_service():
    creative = DepartmentFactory(name="Creative", code="creative")
    media = DepartmentFactory(name="Media", code="media")
    first, second, third = (TaskFactory(department=creative) for _ in range(3))
    owner = first.project.owner

    services.task_set_status(task=first, status="in_progress", changed_by=owner)
    services.task_update(task=second, updated_by=owner, department=media, status="blocked")
    services.task_update(task=second, updated_by=owner, title="Renamed, in the same cell")
    services.task_set_status(task=third, status="done", changed_by=owner)

    counted = Counter(Task.objects.values_list("department", "status"))
    assert tallied() == counted
    assert counted == {
        (creative.pk, "in_progress"): 1,
        (media.pk, "blocked"): 1,
        (creative.pk, "done"): 1,
    }


def test_tasks_loaded_in_bulk_are_counted_by_a_rebuild():
    creative = DepartmentFactory(name="Creative", code="creative")
    media = DepartmentFactory(name="Media", code="media")
    first = TaskFactory(department=creative)
    Task.objects.bulk_create(
        [Task(project=first.project, title="Cut-down", department=media, due_on=TODAY)] * 2
    )

    services.task_counts_rebuild()

    counted = Counter(Task.objects.values_list("department", "status"))
    assert tallied() == counted
    assert counted == {(creative.pk, "todo"): 1, (media.pk, "todo"): 2}


def test_the_traffic_board_groups_tasks_and_changes_status_in_place(client):
    director = UserFactory(role="account_director")
    creative = DepartmentFactory(name="Creative", code="creative")
    media = DepartmentFactory(name="Media", code="media")
    late = TaskFactory(department=creative, due_on=days(-1), title="Late visual")
    TaskFactory(department=media, status="in_progress", title="Media plan")
    TaskFactory(department=media, status="done", completed_at=timezone.now(), title="Brief")
    TaskFactory(
        department=media,
        status="done",
        title="Old brief",
        completed_at=timezone.now() - dt.timedelta(days=20),
    )
    for n in range(8):
        TaskFactory(department=creative, title=f"Banner {n}")
    client.force_login(director)

    page = client.get(reverse("projects:board"))

    rows = {row["department"].name: row for row in page.context["rows"]}
    todo = rows["Creative"]["cells"][0]
    assert todo["count"] == 9
    assert len(todo["cards"]) == 4
    assert todo["cards"][0]["pk"] == late.pk
    assert todo["cards"][0]["is_late"]
    assert "9 in all" in page.text
    assert rows["Media"]["cells"][1]["count"] == 1
    done = rows["Media"]["cells"][3]
    assert (done["count"], done["cards"]) == (1, [])
    only_media = client.get(reverse("projects:board"), {"department": media.pk})
    assert [row["department"].name for row in only_media.context["rows"]] == ["Media"]
    searched = client.get(reverse("projects:board"), {"q": late.project.client.name})
    assert [
        card["pk"]
        for row in searched.context["rows"]
        for cell in row["cells"]
        for card in cell["cards"]
    ] == [late.pk]
    by_job = client.get(reverse("projects:board"), {"q": late.project.job_number.lower()})
    assert by_job.context["rows"][0]["cells"][0]["count"] == 1

    select = client.get(
        reverse("projects:task_set_status", args=[late.pk]), headers={"hx-request": "true"}
    )
    assert '<option value="todo" selected>' in select.text
    card = client.post(
        reverse("projects:task_set_status", args=[late.pk]),
        {"status": "in_review", "view": "board"},
        headers={"hx-request": "true"},
    )
    assert "task-card" in card.text
    assert "In review ▾" in card.text
    late.refresh_from_db()
    assert late.status == "in_review"


@pytest.mark.parametrize(
    ("next_value", "lands_on"),
    [
        ("https://evil.example/phish", "project"),
        ("//evil.example/phish", "project"),
        ("not-a-url", "project"),
        ("/my-tasks/", "/my-tasks/"),
    ],
)
def test_a_status_change_returns_only_to_a_page_of_the_portal(client, next_value, lands_on):
    task = TaskFactory()
    client.force_login(task.project.owner)

    response = client.post(
        reverse("projects:task_set_status", args=[task.pk]),
        {"status": "in_progress", "next": next_value},
    )

    assert response.status_code == 302
    expected = task.project.get_absolute_url() if lands_on == "project" else lands_on
    assert response["Location"] == expected
    task.refresh_from_db()
    assert task.status == "in_progress"


def test_a_nul_in_a_handoff_note_is_refused_with_a_message(client):
    task = TaskFactory(handoff_note="Files in the shared folder")
    client.force_login(task.project.owner)

    page = client.post(
        reverse("projects:task_set_status", args=[task.pk]),
        {"status": "done", "handoff_note": "bad\x00note"},
        follow=True,
    )

    assert page.status_code == 200
    assert "Remove the control characters (such as NUL) from this text." in page.text
    task.refresh_from_db()
    assert (task.status, task.handoff_note) == ("todo", "Files in the shared folder")


@pytest.mark.parametrize("query", ["q=%00", "q=a%01b", "client=1%00", "%00=1"])
def test_a_control_character_in_the_address_is_a_clear_400(client, query):
    client.force_login(UserFactory(role="account_director"))

    response = client.get(f"{reverse('projects:board')}?{query}")

    assert response.status_code == 400
    assert "This address cannot be read" in response.text


@pytest.mark.parametrize("query", ["client=²", "department=²", "client=abc", "client=" + "9" * 40])
def test_a_filter_that_names_no_id_is_no_filter(client, query):
    TaskFactory()
    client.force_login(UserFactory(role="account_director"))

    response = client.get(f"{reverse('projects:board')}?{query}")

    assert response.status_code == 200
