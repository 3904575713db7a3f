import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ActionItem, AttendeeResponse, Client, ContactReport, Proposal
from billing.models import ClientAging, CollectionNote, Payment
from billing.selectors import aging_by_ae
from budgets.models import ChangeOrder, CostEntry, ProjectMoney, SpendPlan
from budgets.selectors import budget_review
from notifications.models import Notification
from notifications.services import reminders_dispatch
from projects.models import CreativeReview, Project, RevisionRequest, StrategyBrief, Task
from teams.demo import DEMO_PASSWORD
from teams.models import Department, User

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_agency_and_can_run_twice(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "chen.jing@agency.example" in out
    assert DEMO_PASSWORD in out
    assert Department.objects.count() == 8
    assert User.objects.count() == 8
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"admin", "ae", "account_director", "finance", "staff"}
    staff_departments = set(
        User.objects.filter(role="staff").values_list("department__code", flat=True)
    )
    assert staff_departments == {"creative", "media", "research"}
    assert User.objects.get(email="chen.jing@agency.example").check_password(DEMO_PASSWORD)
    assert Client.objects.count() == 6
    assert {c.status for c in Client.objects.all()} == {"prospect", "active", "paused", "lost"}
    chen = User.objects.get(email="chen.jing@agency.example")
    assert Client.objects.visible_to(chen).count() == 4
    assert all(client.contacts.exists() for client in Client.objects.all())
    # One of them in Chinese, for the search to find.
    assert ContactReport.objects.count() == 7
    assert ContactReport.objects.filter(discussion__contains="冷泡茶").exists()
    open_items = ActionItem.objects.open()
    assert open_items.filter(due_on__lt=timezone.localdate()).exists()
    assert ActionItem.objects.filter(done_at__isnull=False).exists()
    answers = set(AttendeeResponse.objects.values_list("answer", flat=True))
    assert answers == {"confirmed", "corrected"}
    assert Proposal.objects.count() == 3
    repitched = Client.objects.with_repitch().filter(repitch_rounds__gt=0)
    assert [c.name for c in repitched] == ["Qinghe Dairy"]
    assert Project.objects.count() == 12
    assert set(Project.objects.values_list("stage", flat=True)) == {
        "brief",
        "strategy",
        "creative",
        "production",
        "launch",
        "wrap_up",
        "closed",
    }
    flagged = Task.objects.with_flags()
    assert flagged.filter(is_late=True).exists()
    assert flagged.filter(is_at_risk=True).exists()
    statuses = set(StrategyBrief.objects.values_list("status", flat=True))
    assert {"approved", "returned", "submitted"} <= statuses
    assert set(CreativeReview.objects.values_list("verdict", flat=True)) == {"approve", "rework"}
    assert RevisionRequest.objects.count() == 3
    burns = {row.project.name: row.burn for row in budget_review(ProjectMoney.objects.all())}
    assert 80 <= burns["Chilled yoghurt launch"] <= 90
    assert burns["Compact EV launch"] > 100
    assert CostEntry.objects.pending().exists()
    assert ChangeOrder.objects.filter(client_approved_on__isnull=False).exists()
    _, aging = aging_by_ae(ClientAging.objects.all())
    assert all(
        aging[name] > 0
        for name in ["current", "days_1_30", "days_31_60", "days_61_90", "days_90_plus"]
    ), aging
    assert CollectionNote.objects.exists()
    assert Payment.objects.exists()
    assert set(SpendPlan.objects.values_list("status", flat=True)) == {"approved", "draft"}
    # The reminders the demo makes due are in the inboxes, once despite the second run.
    kinds = set(Notification.objects.filter(recipient=chen).values_list("kind", flat=True))
    assert {"deadlines", "budgets", "collections"} <= kinds
    delivered = Notification.objects.count()
    assert reminders_dispatch() == 0
    assert Notification.objects.count() == delivered
