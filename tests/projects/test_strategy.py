import pytest
from django.urls import reverse

from projects import services
from projects.models import StrategyBrief
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

CONTENT = {
    "positioning": "Everyday trust",
    "objectives": "Win 5 points of share",
    "audience": "Parents",
    "key_message": "Made simply, for the people you love.",
    "channels": "Short video",
    "budget_split": "Video 60%",
    "expected_return": "20m reach",
}


@pytest.fixture
def project():
    return ProjectFactory(stage="strategy")


@pytest.fixture
def director():
    return UserFactory(role="account_director", full_name="Zhang Wei")


def submitted(project):
    brief = services.strategy_brief_start(project=project, author=project.owner)
    services.strategy_brief_update(brief=brief, editor=project.owner, **CONTENT)
    return services.strategy_brief_submit(brief=brief, submitted_by=project.owner)


def review(client, brief, decision, comments=""):
    return client.post(
        reverse("projects:brief_review", args=[brief.project_id, brief.pk]),
        {"decision": decision, "comments": comments, "confirm": "on"},
        follow=True,
    )


def test_an_ae_writes_and_submits_and_a_director_approves(client, project, director):
    client.force_login(project.owner)
    client.post(reverse("projects:brief_start", args=[project.pk]))
    brief = StrategyBrief.objects.get()
    client.post(reverse("projects:brief_update", args=[project.pk, brief.pk]), CONTENT)
    client.post(reverse("projects:brief_submit", args=[project.pk, brief.pk]))
    brief.refresh_from_db()
    assert brief.status == "submitted"
    assert brief.key_message == CONTENT["key_message"]

    client.force_login(director)
    page = review(client, brief, "approve")

    brief.refresh_from_db()
    assert brief.status == "approved"
    assert brief.reviewed_by == director
    assert "Strategy approved." in page.text


def test_an_approved_version_is_locked(client, project, director):
    brief = submitted(project)
    services.strategy_brief_approve(brief=brief, approved_by=director)
    client.force_login(project.owner)

    response = client.post(
        reverse("projects:brief_update", args=[project.pk, brief.pk]),
        {**CONTENT, "key_message": "Changed"},
        follow=True,
    )

    assert "This version is locked" in response.text
    brief.refresh_from_db()
    assert brief.key_message == CONTENT["key_message"]
    with pytest.raises(services.Refused):
        services.strategy_brief_update(brief=brief, editor=project.owner, key_message="x")


def test_nobody_approves_their_own_strategy(client, director):
    project = ProjectFactory(stage="strategy", owner=UserFactory(role="ae"))
    brief = services.strategy_brief_start(project=project, author=director)
    services.strategy_brief_update(brief=brief, editor=director, **CONTENT)
    services.strategy_brief_submit(brief=brief, submitted_by=director)
    client.force_login(director)

    page = review(client, brief, "approve")

    assert "Nobody signs off their own strategy." in page.text
    brief.refresh_from_db()
    assert brief.status == "submitted"


def test_an_ae_cannot_sign_off(client, project):
    brief = submitted(project)
    client.force_login(project.owner)

    assert review(client, brief, "approve").status_code == 404
    brief.refresh_from_db()
    assert brief.status == "submitted"


def test_returning_needs_comments_and_the_next_version_starts_as_a_copy(client, project, director):
    brief = submitted(project)
    client.force_login(director)

    refused = review(client, brief, "return")
    assert "Say what to change when returning a strategy." in refused.text
    brief.refresh_from_db()
    assert brief.status == "submitted"

    review(client, brief, "return", "Make the objective measurable.")
    brief.refresh_from_db()
    assert brief.status == "returned"
    assert brief.review_comments == "Make the objective measurable."

    client.force_login(project.owner)
    client.post(reverse("projects:brief_start", args=[project.pk]))
    second = project.strategy_briefs.get(version=2)
    assert second.status == "draft"
    assert second.key_message == CONTENT["key_message"]
    # One open version at a time.
    client.post(reverse("projects:brief_start", args=[project.pk]))
    assert project.strategy_briefs.count() == 2


def test_a_draft_without_objectives_or_key_message_is_not_submitted(client, project):
    brief = services.strategy_brief_start(project=project, author=project.owner)
    client.force_login(project.owner)

    page = client.post(reverse("projects:brief_submit", args=[project.pk, brief.pk]), follow=True)

    assert "Write at least the objectives and the key message" in page.text
    brief.refresh_from_db()
    assert brief.status == "draft"


def test_the_director_reads_what_changed_since_the_returned_version_before_deciding(
    client, project, director
):
    first = submitted(project)
    services.strategy_brief_return(
        brief=first, returned_by=director, comments="Sharpen the key message."
    )
    second = services.strategy_brief_start(project=project, author=project.owner)
    services.strategy_brief_update(
        brief=second, editor=project.owner, key_message="Yesterday's farm, this morning's cup."
    )
    services.strategy_brief_submit(brief=second, submitted_by=project.owner)
    client.force_login(director)
    url = reverse("projects:brief_review", args=[project.pk, second.pk])

    page = client.get(url)

    assert page.context["form"] is not None
    changed = [label for label, _text, before in page.context["points"] if before is not None]
    assert [str(label) for label in changed] == ["key message"]
    assert "Sharpen the key message." in page.text
    assert f'<del class="pre-line">{CONTENT["key_message"]}</del>' in page.text

    refused = client.post(url, {"decision": "approve"})
    assert "Confirm that this version is approved and locks." in refused.text
    second.refresh_from_db()
    assert second.status == "submitted"
    client.post(url, {"decision": "approve", "confirm": "on"})
    second.refresh_from_db()
    assert second.status == "approved"
