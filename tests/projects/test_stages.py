import pytest
from django.urls import reverse

from projects import services
from projects.models import StageChange
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def move(client, project, stage, reason=""):
    return client.post(
        reverse("projects:project_move_stage", args=[project.pk]),
        {"stage": stage, "reason": reason},
        follow=True,
    )


def approve_a_strategy(project):
    director = UserFactory(role="account_director")
    brief = services.strategy_brief_start(project=project, author=project.owner)
    services.strategy_brief_update(
        brief=brief, editor=project.owner, objectives="Grow", key_message="Fresh"
    )
    services.strategy_brief_submit(brief=brief, submitted_by=project.owner)
    services.strategy_brief_approve(brief=brief, approved_by=director)


def test_every_stage_change_is_recorded(client):
    project = ProjectFactory()
    client.force_login(project.owner)

    page = move(client, project, "strategy")

    project.refresh_from_db()
    assert project.stage == "strategy"
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        "brief",
        "strategy",
        project.owner,
    )
    assert "Brief → Strategy" in page.text


def test_a_project_moves_past_strategy_only_with_an_approved_brief(client):
    project = ProjectFactory(stage="strategy")
    client.force_login(project.owner)

    refused = move(client, project, "creative")

    assert "once a strategy brief is approved" in refused.text
    project.refresh_from_db()
    assert project.stage == "strategy"
    assert not StageChange.objects.exists()

    approve_a_strategy(project)
    move(client, project, "creative")
    project.refresh_from_db()
    assert project.stage == "creative"


def test_jumping_ahead_past_strategy_is_gated_too(client):
    project = ProjectFactory()
    client.force_login(project.owner)

    move(client, project, "production")

    project.refresh_from_db()
    assert project.stage == "brief"


def test_the_stage_form_is_fetched_on_demand(client):
    project = ProjectFactory(stage="creative")
    client.force_login(project.owner)

    form = client.get(
        reverse("projects:project_move_stage", args=[project.pk]), headers={"hx-request": "true"}
    )

    assert 'name="stage"' in form.text
    assert '<option value="creative"' not in form.text


def test_going_back_needs_a_reason(client):
    project = ProjectFactory(stage="creative")
    client.force_login(project.owner)

    refused = move(client, project, "strategy")
    assert "Say why the project goes back a stage." in refused.text
    project.refresh_from_db()
    assert project.stage == "creative"

    move(client, project, "strategy", reason="The client changed the audience.")
    project.refresh_from_db()
    assert project.stage == "strategy"
    assert StageChange.objects.get().reason == "The client changed the audience."
