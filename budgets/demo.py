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
from .models import Invoice, SpendPlan

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
    _seed_invoices(today)
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


# client, days since issue, amount, share paid, collection note (contacted, outcome, promised
# in days from today)
INVOICES = [
    ("Qinghe Dairy", 10, "180000", "0", None),
    (
        "Qinghe Dairy",
        75,
        "420000",
        "0.5",
        ("Gao Yan", "Second half waits for the legal sign-off of the campaign.", 10),
    ),
    ("Xingtu Motors", 50, "960000", "0", ("Huang Bo", "Paying after the dealer audit.", 5)),
    ("Xingtu Motors", 20, "300000", "1", None),
    (
        "Yunshan Technology",
        100,
        "150000",
        "0.2",
        ("Ma Rui", "Disputes the extra shooting day; meeting next week.", None),
    ),
    ("Yuexiang Travel", 160, "88000", "0", ("Xu Lan", "Budget frozen until the new year.", 40)),
    ("Jincheng Insurance", 140, "64000", "0", ("Qian Hui", "No answer to two emails.", None)),
]


def _seed_invoices(today):
    if Invoice.objects.exists():
        return
    finance = User.objects.get(email="liu.yang@agency.example")
    for client_name, days_ago, amount, paid_share, note in INVOICES:
        client = Client.objects.get(name=client_name)
        issued = today - timedelta(days=days_ago)
        invoice = services.invoice_create(
            client=client,
            created_by=finance,
            issue_date=issued,
            lines=[(f"Agency fee, {issued:%B %Y}", D(amount))],
            tax_rate=D("6"),
            fapiao_number=f"0440019{days_ago:05d}",
        )
        services.invoice_send(invoice=invoice, sent_by=finance)
        if D(paid_share):
            services.payment_record(
                invoice=invoice,
                recorded_by=finance,
                paid_on=issued + timedelta(days=7),
                amount=(invoice.total * D(paid_share)).quantize(D("0.01")),
                method="bank_transfer",
            )
        if note:
            contacted, outcome, promised_in = note
            services.collection_note_add(
                invoice=invoice,
                written_by=finance,
                contacted=contacted,
                outcome=outcome,
                promised_on=today + timedelta(days=promised_in) if promised_in else None,
            )
    # One the agency gave up on, and one still being drafted.
    lost = services.invoice_create(
        client=Client.objects.get(name="Yuexiang Travel"),
        created_by=finance,
        issue_date=today - timedelta(days=300),
        lines=[("Trade show stand, rebooked", D("36000"))],
        tax_rate=D("6"),
    )
    services.invoice_send(invoice=lost, sent_by=finance)
    services.invoice_write_off(
        invoice=lost,
        written_off_by=finance,
        reason="The show was cancelled; the client will not pay the rebooking.",
    )
    services.invoice_create(
        client=Client.objects.get(name="Qinghe Dairy"),
        created_by=finance,
        issue_date=today,
        lines=[("Agency fee, research phase", D("60000")), ("Focus groups", D("24000"))],
        tax_rate=D("6"),
    )


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
