import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Proposal
from projects import services
from projects.models import CreativeReview, RevisionRequest
from tests.factories import (
    ContactFactory,
    DepartmentFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = ProjectFactory(stage="creative", name="Chilled yoghurt launch")
    director = UserFactory(role="account_director")
    brief = services.strategy_brief_start(project=project, author=project.owner)
    services.strategy_brief_update(
        brief=brief,
        editor=project.owner,
        objectives="Win 5 points of share\nReach young parents in tier-2 cities",
        key_message="Made simply, for the people you love.",
    )
    services.strategy_brief_submit(brief=brief, submitted_by=project.owner)
    services.strategy_brief_approve(brief=brief, approved_by=director)
    return project


@pytest.fixture
def key_visual(project):
    creative = DepartmentFactory(name="Creative", code="creative")
    return TaskFactory(project=project, department=creative, title="Key visual")


def review(client, task, points, on_strategy, verdict, comment=""):
    data = {"on_strategy": str(on_strategy), "verdict": verdict, "comment": comment}
    data.update({f"point_{i}": "on" for i, met in enumerate(points) if met})
    return client.post(reverse("projects:task_review", args=[task.pk]), data, follow=True)


def test_the_checklist_comes_from_the_approved_brief(client, project, key_visual):
    client.force_login(project.owner)

    page = client.get(reverse("projects:task_review", args=[key_visual.pk]))

    assert page.context["form"].points == [
        "Win 5 points of share",
        "Reach young parents in tier-2 cities",
        "Key message: Made simply, for the people you love.",
    ]


def test_a_review_records_the_points_the_verdict_and_the_round(client, project, key_visual):
    client.force_login(project.owner)

    review(client, key_visual, [True, True, True], True, "approve", "Warm and clear.")
    page = review(client, key_visual, [True, False, True], False, "rework", "Not tier-2 enough.")

    first, second = CreativeReview.objects.order_by("round_number")
    assert (first.round_number, first.on_strategy, first.verdict) == (1, True, "approve")
    assert (second.round_number, second.on_strategy, second.verdict) == (2, False, "rework")
    assert second.checklist[1] == {"point": "Reach young parents in tier-2 cities", "met": False}
    assert second.reviewer == project.owner
    assert "Not tier-2 enough." in page.text
    assert "Off strategy" in page.text


def test_work_that_misses_a_point_cannot_be_on_strategy(client, project, key_visual):
    client.force_login(project.owner)

    response = review(client, key_visual, [True, False, True], True, "approve")

    assert response.context["form"].errors["on_strategy"] == [
        "Work that misses a point of the strategy is not on strategy."
    ]
    assert not CreativeReview.objects.exists()


def test_only_creative_and_production_deliverables_are_reviewed(client, project):
    media = TaskFactory(project=project, department=DepartmentFactory(name="Media", code="media"))
    client.force_login(project.owner)

    page = client.get(reverse("projects:task_review", args=[media.pk]), follow=True)

    assert "reviewed against an approved strategy" in page.text
    with pytest.raises(services.Refused):
        services.creative_review_create(
            task=media,
            reviewer=project.owner,
            points_met=[True, True, True],
            on_strategy=True,
            verdict="approve",
        )


def test_without_an_approved_strategy_there_is_no_review(client):
    project = ProjectFactory()
    task = TaskFactory(project=project, department=DepartmentFactory(code="creative"))

    with pytest.raises(services.Refused):
        services.creative_review_create(
            task=task, reviewer=project.owner, points_met=[], on_strategy=False, verdict="rework"
        )


def test_client_revision_requests_are_logged_with_their_reason(client, project):
    client.force_login(project.owner)
    url = reverse("projects:revision_request_log", args=[project.pk])
    form = client.get(url, headers={"hx-request": "true"})
    assert 'name="reason"' in form.text

    empty = client.post(url, {"requested_on": timezone.localdate(), "reason": ""})
    assert "reason" in empty.context["revision_form"].errors
    future = client.post(
        url, {"requested_on": timezone.localdate() + dt.timedelta(days=2), "reason": "x"}
    )
    assert "requested_on" in future.context["revision_form"].errors
    assert not RevisionRequest.objects.exists()

    client.post(url, {"requested_on": timezone.localdate(), "reason": "Logo too small."})

    teammate_view = client.get(project.get_absolute_url()).text
    assert "Logo too small." in teammate_view
    # The page offers the form; it comes when someone logs a request.
    assert "Log a client revision request" in teammate_view
    assert 'name="reason"' not in teammate_view


def test_a_proposal_serves_a_project_and_the_client_timeline_shows_projects(client, project):
    client.force_login(project.owner)

    client.post(
        reverse("accounts:proposal_create", args=[project.client_id]),
        {"title": "Launch film routes", "kind": "creative", "project": project.pk},
    )

    proposal = Proposal.objects.get()
    assert proposal.project == project
    assert "Launch film routes" in client.get(project.get_absolute_url()).text
    timeline = client.get(project.client.get_absolute_url()).text
    assert f"Project {project.job_number} Chilled yoghurt launch" in timeline


def test_a_proposal_cannot_serve_another_clients_project(client, project):
    other = ProjectFactory()
    client.force_login(project.owner)

    response = client.post(
        reverse("accounts:proposal_create", args=[project.client_id]),
        {"title": "Wrong", "kind": "creative", "project": other.pk},
    )

    assert "project" in response.context["form"].errors
    assert not Proposal.objects.exists()


def approved_round(client, project, key_visual):
    client.force_login(project.owner)
    review(client, key_visual, [True, True, True], True, "approve", "Warm and clear.")
    return CreativeReview.objects.get()


def send_review(client, project, review_):
    gao = ContactFactory(client=project.client, name="Gao Yan", email="gao@acme.example")
    response = client.post(
        reverse("projects:creative_review_send", args=[project.pk, review_.pk]),
        {"contacts": [gao.pk]},
        follow=True,
    )
    assert "Sent to 1 contact." in response.text
    client.logout()
    return re.search(r"https?://[^/\s]+(/documents/[^/\s]+/)", mail.outbox[0].body).group(1)


def test_the_client_sends_a_deliverable_back_and_the_team_reads_why(client, project, key_visual):
    link = send_review(client, project, approved_round(client, project, key_visual))

    client.post(link, {"decision": "changes", "comment": "The logo is too small."})

    review_ = CreativeReview.objects.get()
    assert not review_.client_decision.approved
    request = RevisionRequest.objects.get()
    assert request.reason == "Key visual: The logo is too small."
    assert request.project == project
    client.force_login(project.owner)
    assert "Key visual: The logo is too small." in client.get(project.get_absolute_url()).text


def test_the_client_approves_a_deliverable_once(client, project, key_visual):
    link = send_review(client, project, approved_round(client, project, key_visual))

    client.post(link, {"decision": "approved", "signed_name": "Gao Yan"})
    again = client.post(link, {"decision": "changes", "comment": "Actually, no."})

    assert CreativeReview.objects.get().client_decision.signed_name == "Gao Yan"
    assert again.status_code == 410
    assert not RevisionRequest.objects.exists()


def test_only_an_approved_latest_round_goes_to_the_client(client, project, key_visual):
    approved = approved_round(client, project, key_visual)
    review(client, key_visual, [True, False, True], False, "rework", "Not tier-2 enough.")
    rework = CreativeReview.objects.get(round_number=2)
    url = reverse("projects:creative_review_send", args=[project.pk, rework.pk])
    assert client.get(url).status_code == 404

    gao = ContactFactory(client=project.client, email="gao@acme.example")
    response = client.post(
        reverse("projects:creative_review_send", args=[project.pk, approved.pk]),
        {"contacts": [gao.pk]},
    )
    assert "A later round of this deliverable was reviewed: send that one." in response.text
    assert not mail.outbox
