"""Demo budgets: approved estimates with change orders, and costs that put one project near
85% of a line and another past 100%. Safe to run again: a project with an estimate is left
alone."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Client
from projects.models import STAGE_ORDER, Project, Stage
from teams.models import User

from . import services
from .models import SpendPlan

D = Decimal

# project, lines, fee, costs past 100% need approval, costs (line, vendor, amount)
BUDGETS = [
    (
        "Chilled yoghurt launch",
        {
            "research": "40000",
            "strategy": "60000",
            "creative": "180000",
            "production": "220000",
            "media": "900000",
            "staff_time": "150000",
        },
        "1750000",
        False,
        [
            ("research", "Insight Lab", "38000"),
            ("creative", "Photo studio", "153000"),
            ("media", "Douyin", "1125000"),
        ],
    ),
    (
        "Compact EV launch",
        {"strategy": "80000", "creative": "260000", "production": "600000", "media": "1500000"},
        "2900000",
        False,
        [
            ("production", "Night Drive Films", "520000"),
            ("production", "Studio rental", "110000"),
            ("media", "Tencent Video", "1900000"),
        ],
    ),
    (
        "Family summer packages",
        {"creative": "90000", "production": "120000", "media": "300000"},
        "640000",
        True,
        [("production", "Print works", "100000"), ("production", "Print works", "35000")],
    ),
]


CHANNELS = {"Douyin": "social", "Tencent Video": "digital", "Print works": "print"}


@transaction.atomic
def seed() -> None:
    director = User.objects.get(email="zhang.wei@agency.example")
    today = timezone.localdate()
    for name, lines, fee, approval, costs in BUDGETS:
        project = Project.objects.filter(name=name).first()
        if project is None or project.estimates.exists():
            continue
        estimate = services.estimate_start(project=project, author=project.owner)
        services.estimate_update(
            estimate=estimate,
            editor=project.owner,
            revision=estimate.revision,
            lines={line: D(amount) for line, amount in lines.items()},
            fee=D(fee),
            director_approval_past_budget=approval,
        )
        services.estimate_submit(estimate=estimate, submitted_by=project.owner)
        services.estimate_approve(estimate=estimate, approved_by=director)
        for line, vendor, amount in costs:
            services.cost_entry_create(
                project=project,
                entered_by=project.owner,
                category=line,
                incurred_on=today - timedelta(days=5),
                kind="vendor",
                vendor=vendor,
                amount=D(amount),
            )
        services.cost_entry_create(
            project=project,
            entered_by=project.owner,
            category="staff_time" if "staff_time" in lines else "creative",
            incurred_on=today - timedelta(days=3),
            kind="staff_time",
            person=project.owner,
            hours=D("12"),
        )
    _seed_change_orders(today)
    _seed_drafts(director)
    _seed_spend_plans(today, director)


def _seed_change_orders(today):
    project = Project.objects.filter(name="Compact EV launch").first()
    if project is None or project.change_orders.exists():
        return
    services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="Two extra cut-downs for the dealer network.",
        deltas={"production": D("60000")},
        client_approved_on=today - timedelta(days=7),
        client_approval_note="Signed letter from the brand manager",
    )
    services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="Move budget from TV to short video.",
        deltas={"media": D("-100000"), "creative": D("40000")},
    )


def _seed_drafts(director):
    """Estimates of projects in creative or later that have none yet wait for sign-off."""
    later = STAGE_ORDER[STAGE_ORDER.index(Stage.CREATIVE) :]
    for project in Project.objects.filter(stage__in=later, estimates__isnull=True)[:2]:
        estimate = services.estimate_start(project=project, author=project.owner)
        services.estimate_update(
            estimate=estimate,
            editor=project.owner,
            revision=estimate.revision,
            lines={"creative": D("120000"), "media": D("300000")},
            fee=D("520000"),
        )
        services.estimate_submit(estimate=estimate, submitted_by=project.owner)


def _seed_spend_plans(today, director):
    if SpendPlan.objects.exists():
        return
    first = today.replace(day=1)
    months = SpendPlan(first_month=first, months=3).month_starts()
    for client_name, name, cells, approve in [
        (
            "Qinghe Dairy",
            "Chilled yoghurt launch season",
            {
                ("social", 0): "600000",
                ("social", 1): "400000",
                ("digital", 0): "300000",
                ("ooh", 1): "250000",
                ("events", 2): "150000",
            },
            True,
        ),
        (
            "Xingtu Motors",
            "Compact EV: first quarter",
            {
                ("tv", 0): "800000",
                ("digital", 0): "700000",
                ("digital", 1): "600000",
                ("events", 2): "400000",
            },
            False,
        ),
    ]:
        client = Client.objects.get(name=client_name)
        allocations = {
            (channel, months[index]): D(amount) for (channel, index), amount in cells.items()
        }
        plan = services.spend_plan_save(
            client=client,
            saved_by=client.lead_ae,
            name=name,
            first_month=first,
            months=3,
            total=sum(allocations.values(), D("0")),
            expected_reach=30_000_000,
            expected_leads=60_000,
            expected_roi_percent=D("180"),
            allocations=allocations,
        )
        if approve:
            services.spend_plan_approve(plan=plan, approved_by=director)
