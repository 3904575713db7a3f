"""An agency at scale, on top of the demo data: 1,000 clients with 3,000 contacts (Chinese
names) and 30,000 contact reports (notes in Chinese and English), 10,000 projects with
approved estimates, 100,000 tasks (5,000 of them due: due soon or overdue, open), 300,000
cost entries and 30,000 invoices. Rows go in with bulk_create in large batches; run it on a
throwaway database after seed_demo (`python -m bench.scale`).

Each batch commits on its own: rows written through an audit-history trigger go in ever more
slowly as one transaction grows (40,000 cost entries took 18 s in one transaction and 6 s
committed in batches of 5,000)."""

import os
import time
from datetime import timedelta
from decimal import Decimal

import django

CLIENTS = 1000
PROJECTS_PER_CLIENT = 10
TASKS_PER_PROJECT = 10
COSTS_PER_PROJECT = 30
INVOICES_PER_CLIENT = 30
AES = 50
DIRECTORS = 10
STAFF = 100
DUE_EVERY = 20  # one task in 20 is open and due
CONTACTS_PER_CLIENT = 3
REPORTS_PER_CLIENT = 30

# What the contact names and the meeting notes are made of, for the search to look through.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛"]
NOTES = [
    "客户希望新品在春节前上市，预算比去年增加百分之十。",
    "品牌经理对第二条创意方向更满意，要求补充小红书的内容规划。",
    "讨论了线下渠道的陈列方案和经销商的促销政策。",
    "媒介排期需要在下周三之前确认，电视预算转一部分到短视频。",
    "法务对包装上的健康声明有顾虑，需要提供检测报告。",
    "Reviewed the launch plan and the retail calendar for tier-2 cities.",
    "The client asked for a cheaper production route for the online film.",
    "Agreed the key visual; the sales conference deck is due next week.",
    "Media plan reviewed line by line; shift ten percent from TV to short video.",
    "Discussed the dealer toolkit and the test-drive booking flow.",
]
BATCH = 5000


def _load(model, rows) -> list:
    """bulk_create in batches, each committed before the next."""
    created, batch = [], []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            created += model.objects.bulk_create(batch)
            batch = []
    if batch:
        created += model.objects.bulk_create(batch)
    return created


def seed() -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import AccountTeamMember, Client, Contact, ContactReport
    from billing.models import Invoice, InvoiceLine
    from billing.services import client_aging_refresh, dso_months_refresh
    from budgets.models import CostEntry, Estimate, EstimateLine
    from budgets.services import project_money_refresh
    from budgets.services.money import RatesOn
    from projects.models import Project, Stage, Task
    from projects.services import task_counts_rebuild
    from teams.models import Department, User
    from teams.roles import Role

    started = time.monotonic()
    rates = RatesOn()
    today = timezone.localdate()
    now = timezone.now()
    password = User.objects.get(email="chen.jing@agency.example").password
    people = _load(
        User,
        [
            User(
                email=f"ae{n}@scale.example",
                full_name=f"AE {n}",
                role=Role.AE,
                password=password,
            )
            for n in range(AES - 2)
        ]
        + [
            User(
                email=f"director{n}@scale.example",
                full_name=f"Director {n}",
                role=Role.ACCOUNT_DIRECTOR,
                password=password,
            )
            for n in range(DIRECTORS - 1)
        ]
        + [
            User(
                email=f"staff{n}@scale.example",
                full_name=f"Staff {n}",
                role=Role.STAFF,
                password=password,
            )
            for n in range(STAFF - 3)
        ],
    )
    aes = list(User.objects.filter(role=Role.AE).order_by("pk"))
    directors = list(User.objects.filter(role=Role.ACCOUNT_DIRECTOR).order_by("pk"))
    staff = list(User.objects.filter(role=Role.STAFF).order_by("pk"))
    finance = User.objects.filter(role=Role.FINANCE).first()
    departments = list(Department.objects.exclude(code="finance").order_by("pk"))

    clients = _load(
        Client,
        (
            Client(
                name=f"Scale client {n:04d}",
                code=f"S{n:04d}",
                industry="Consumer goods",
                status="active",
                lead_ae=aes[n % len(aes)],
                account_director=directors[n % len(directors)],
                payment_terms_days=30 + 15 * (n % 3),
                # One client in ten is billed in US dollars.
                currency="USD" if n % 10 == 0 else "CNY",
            )
            for n in range(CLIENTS)
        ),
    )
    _load(
        AccountTeamMember,
        [
            AccountTeamMember(client=c, user_id=c.lead_ae_id, role_on_account="lead_ae")
            for c in clients
        ]
        + [
            AccountTeamMember(
                client=c, user_id=c.account_director_id, role_on_account="account_director"
            )
            for c in clients
        ],
    )
    _load(
        Contact,
        (
            Contact(
                client=client,
                name=SURNAMES[(n + k) % len(SURNAMES)]
                + GIVEN[(n * CONTACTS_PER_CLIENT + k) % len(GIVEN)],
                title="品牌经理" if k else "Marketing director",
                email=f"contact{n}-{k}@scale.example",
            )
            for n, client in enumerate(clients)
            for k in range(CONTACTS_PER_CLIENT)
        ),
    )
    kinds = [ContactReport.Kind.MEETING, ContactReport.Kind.CALL, ContactReport.Kind.EMAIL]
    _load(
        ContactReport,
        (
            ContactReport(
                client=client,
                author_id=client.lead_ae_id,
                occurred_at=now - timedelta(days=(n + 7 * k) % 365, hours=k % 9),
                kind=kinds[k % len(kinds)],
                agenda=f"Status {k + 1} with {client.name}",
                discussion=NOTES[(n + k) % len(NOTES)] + " " + NOTES[(n + 3 * k + 1) % len(NOTES)],
                decisions=NOTES[(n * 7 + k) % len(NOTES)],
            )
            for n, client in enumerate(clients)
            for k in range(REPORTS_PER_CLIENT)
        ),
    )
    stages = [
        Stage.BRIEF,
        Stage.STRATEGY,
        Stage.CREATIVE,
        Stage.PRODUCTION,
        Stage.LAUNCH,
        Stage.WRAP_UP,
        Stage.CLOSED,
    ]
    projects = _load(
        Project,
        (
            Project(
                client=client,
                job_number=f"{client.code}-{today.year}-{k + 1:03d}",
                currency=client.currency,
                name=f"Campaign {k + 1} for {client.name}",
                stage=stages[(n * PROJECTS_PER_CLIENT + k) % len(stages)],
                start_date=today - timedelta(days=20 + (n + k) % 100),
                deadline=today + timedelta(days=(n * 7 + k * 13) % 120 - 20),
                owner_id=client.lead_ae_id,
            )
            for n, client in enumerate(clients)
            for k in range(PROJECTS_PER_CLIENT)
        ),
    )
    statuses = [
        Task.Status.TODO,
        Task.Status.IN_PROGRESS,
        Task.Status.IN_REVIEW,
        Task.Status.BLOCKED,
    ]
    tasks = []
    for p, project in enumerate(projects):
        for k in range(TASKS_PER_PROJECT):
            number = p * TASKS_PER_PROJECT + k
            due = number % DUE_EVERY == 0
            tasks.append(
                Task(
                    project=project,
                    title=f"Step {k + 1}",
                    department=departments[number % len(departments)],
                    assignee=staff[number % len(staff)] if number % 2 == 0 else None,
                    # The due ones spread over the overdue window and the next two days;
                    # the rest are done, or due well after.
                    due_on=today + timedelta(days=(number // DUE_EVERY) % 30 - 27)
                    if due
                    else today + timedelta(days=10 + number % 60),
                    status=statuses[number % len(statuses)]
                    if due or number % 3
                    else Task.Status.DONE,
                    # Work finished over the past year, not all at once.
                    completed_at=None if due or number % 3 else now - timedelta(days=number % 365),
                )
            )
    _load(Task, tasks)
    del tasks
    estimates = _load(
        Estimate,
        (
            Estimate(
                project=project,
                version=1,
                status=Estimate.Status.APPROVED,
                fee=Decimal("200000"),
                author_id=project.owner_id,
                updated_by_id=project.owner_id,
                submitted_by_id=project.owner_id,
                approved_by_id=project.client.account_director_id,
                # Signed off when the project started, not all on the day the data loads.
                approved_at=now - (today - project.start_date),
            )
            for project in projects
        ),
    )
    _load(
        EstimateLine,
        (
            EstimateLine(estimate=estimate, category=category, amount=Decimal(amount))
            for estimate in estimates
            for category, amount in (("production", "100000"), ("media", "50000"))
        ),
    )
    # Most projects burn 30 to 60 %; one in fifty is past its warning percentage.
    _load(
        CostEntry,
        (
            CostEntry(
                project=project,
                category="production" if c % 2 else "media",
                incurred_on=today - timedelta(days=c % 20),
                kind=CostEntry.Kind.VENDOR,
                vendor=f"Vendor {c % 40}",
                amount=Decimal(4200 if p % 50 == 0 else 1500 + 50 * (p % 20)),
                channel="digital" if c % 3 == 0 else "",
                entered_by_id=project.owner_id,
            )
            for p, project in enumerate(projects)
            for c in range(COSTS_PER_PROJECT)
        ),
    )
    invoices = _load(
        Invoice,
        (
            Invoice(
                number=f"INV-S-{n:04d}-{k:02d}",
                client=client,
                currency=client.currency,
                rate=rates(client.currency, today - timedelta(days=(k * 11 + n) % 330)),
                issue_date=today - timedelta(days=(k * 11 + n) % 330),
                due_date=today
                - timedelta(days=(k * 11 + n) % 330)
                + timedelta(days=client.payment_terms_days),
                tax_rate=Decimal("6"),
                subtotal=Decimal("10000"),
                tax=Decimal("600"),
                total=Decimal("10600"),
                amount_paid=Decimal("10600") if k % 3 == 0 else Decimal("0"),
                sent_at=now,
                created_by=finance,
                updated_by=finance,
            )
            for n, client in enumerate(clients)
            for k in range(INVOICES_PER_CLIENT)
        ),
    )
    _load(
        InvoiceLine,
        (
            InvoiceLine(invoice=invoice, description="Agency fee", amount=Decimal("10000"))
            for invoice in invoices
        ),
    )
    project_ids = [project.pk for project in projects]
    for start in range(0, len(project_ids), 1000):
        with transaction.atomic():
            project_money_refresh(project_ids[start : start + 1000])
    # Loaded past the services, so their summaries are taken once here.
    with transaction.atomic():
        task_counts_rebuild()
        client_aging_refresh()
        dso_months_refresh()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "people": len(people),
        "clients": Client.objects.count(),
        "contacts": Contact.objects.count(),
        "contact reports": ContactReport.objects.count(),
        "projects": Project.objects.count(),
        "tasks": Task.objects.count(),
        "cost entries": CostEntry.objects.count(),
        "invoices": Invoice.objects.count(),
        "seconds": time.monotonic() - started,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    django.setup()
    counts = seed()
    print(
        "scale data: "
        + ", ".join(f"{value:,} {name}" for name, value in counts.items() if name != "seconds")
        + f" in {counts['seconds']:.0f} s"
    )
