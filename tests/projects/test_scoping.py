import pytest
from django.core import mail
from django.urls import get_resolver, reverse

from projects import services
from projects.models import CreativeReview, Project, StrategyBrief, Task
from tests.factories import (
    ClientFactory,
    ContactFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)
from tests.routes import outsider_get_status

pytestmark = pytest.mark.django_db

# Pages that name no project's data: lists scoped to the user.
UNSCOPED = {
    "project_list",
    "project_list_export",
    "project_create",
    "my_tasks",
    "my_tasks_export",
    "board",
}


def every_projects_url(project):
    task = TaskFactory(project=project)
    brief = services.strategy_brief_start(project=project, author=project.owner)
    review = CreativeReview.objects.create(
        task=task,
        brief=brief,
        round_number=1,
        on_strategy=True,
        verdict="approve",
        reviewer=project.owner,
    )
    by_name = {
        "project_detail": {"pk": project.pk},
        "project_update": {"pk": project.pk},
        "project_move_stage": {"pk": project.pk},
        "task_create": {"pk": project.pk},
        "brief_start": {"pk": project.pk},
        "brief_update": {"pk": project.pk, "brief_pk": brief.pk},
        "brief_submit": {"pk": project.pk, "brief_pk": brief.pk},
        "brief_review": {"pk": project.pk, "brief_pk": brief.pk},
        "revision_request_log": {"pk": project.pk},
        "task_update": {"pk": task.pk},
        "task_handoff_note": {"pk": task.pk},
        "task_review": {"pk": task.pk},
        "task_set_status": {"pk": task.pk},
        "creative_review_send": {"pk": project.pk, "review_pk": review.pk},
    }
    return {name: reverse(f"projects:{name}", kwargs=kwargs) for name, kwargs in by_name.items()}


@pytest.mark.parametrize("role", ["ae", "staff", "admin"])
def test_every_projects_url_is_404_outside_ones_scope(client, role):
    project = ProjectFactory(name="Spring launch")
    urls = every_projects_url(project)
    names = {p.name for p in get_resolver().namespace_dict["projects"][1].url_patterns}
    assert names == set(urls) | UNSCOPED, "a new projects URL needs its scoping checked here"
    outsider = UserFactory(role=role)
    if role == "ae":
        ProjectFactory(client=ClientFactory(lead_ae=outsider))
    client.force_login(outsider)
    contact = ContactFactory(client=project.client)

    for name, url in urls.items():
        assert client.get(url).status_code == outsider_get_status(url), name
        response = client.post(
            url,
            {
                "name": "Hijacked",
                "stage": "strategy",
                "status": "done",
                "title": "x",
                "decision": "approve",
                "objectives": "x",
                "contacts": [contact.pk],
            },
        )
        assert response.status_code == 404, name

    project.refresh_from_db()
    assert (project.name, project.stage) == ("Spring launch", "brief")
    assert not Task.objects.filter(status="done").exists()
    assert StrategyBrief.objects.get().status == "draft"
    assert not project.revision_requests.exists()
    assert not mail.outbox
    assert Project.objects.visible_to(outsider).filter(pk=project.pk).count() == 0


def test_finance_reads_projects_but_changes_nothing(client):
    project = ProjectFactory()
    urls = every_projects_url(project)
    client.force_login(UserFactory(role="finance"))

    assert client.get(urls["project_detail"]).status_code == 200
    for name, url in urls.items():
        if name != "project_detail":
            assert client.post(url, {"stage": "strategy", "status": "done"}).status_code == 404
