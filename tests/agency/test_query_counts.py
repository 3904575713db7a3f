"""Pages whose query counts are not pinned with their app's tests: each costs the same exact
number of queries with a little data and with ten times as much. pytest-django's
django_assert_num_queries prints the SQL when a count is off."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts
from accounts.demo import sample_pdf
from accounts.models import SentDocument
from billing import services as billing
from budgets import services as budgets
from notifications.models import Notification
from tests.factories import (
    ApprovedEstimateFactory,
    ClientFactory,
    ContactFactory,
    InvoiceFactory,
    PaymentFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def people():
    return {
        "ae": UserFactory(role="ae"),
        "director": UserFactory(role="account_director"),
        "finance": UserFactory(role="finance"),
        "staff": UserFactory(role="staff"),
    }


def agency(people, size):
    """`size` of everything the pages list: on one client of the AE, one project with a
    budget, costs, change orders and tasks, one invoice with lines and payments, and the
    AE's notifications; the estimate, each change order and the invoice sent to the client,
    and the estimate approved by the client."""
    acme = ClientFactory(lead_ae=people["ae"], account_director=people["director"])
    contact = ContactFactory(client=acme)
    project = ProjectFactory(client=acme)
    estimate = ApprovedEstimateFactory(project=project, director=people["director"])
    budgets.estimate_send(estimate=estimate, sent_by=project.owner, contacts=[contact])
    accounts.client_decide(
        sending=SentDocument.objects.get(), contact=contact, decision="approved", signed_name="X"
    )
    invoice = InvoiceFactory(
        client=acme,
        created_by=people["finance"],
        issue_date=timezone.localdate() - dt.timedelta(days=40),
        lines=[(f"Fee {n}", D("1000")) for n in range(size)],
        sent=True,
    )
    for n in range(size):
        budgets.cost_entry_create(
            project=project,
            entered_by=project.owner,
            category="production",
            incurred_on=timezone.localdate(),
            kind="vendor",
            vendor=f"Vendor {n}",
            amount=D("10"),
        )
        budgets.change_order_create(
            project=project,
            created_by=project.owner,
            reason=f"More films {n}",
            deltas={"media": D("100")},
            client_approved_on=timezone.localdate(),
            client_approval_note="Signed letter",
        )
        order = project.change_orders.latest("pk")
        budgets.change_order_send(order=order, sent_by=project.owner, contacts=[contact])
        TaskFactory(project=project, assignee=people["staff"])
        PaymentFactory(invoice=invoice, amount=D("10"))
        accounts.attachment_add(
            kind="invoice",
            owner=invoice,
            upload=ContentFile(sample_pdf(f"PO {n}"), name=f"PO {n}.pdf"),
            uploaded_by=people["finance"],
        )
        Notification.objects.create(
            recipient=people["ae"], kind="deadlines", title=f"Reminder {n}", link="/"
        )
    billing.invoice_send(invoice=invoice, sent_by=people["finance"], contacts=[contact])
    return project, invoice


PAGES = [
    # (page, who opens it, queries)
    ("project budget", "ae", 15),  # with what went to the client, and answers
    ("budget history", "ae", 9),  # the same
    ("invoice page", "finance", 9),  # the same, and its files
    ("invoice history", "finance", 6),  # the same
    ("inbox", "ae", 5),
    ("bell", "ae", 4),
    ("AE desk", "ae", 15),  # with the estimate the client approved, and the answer
    ("staff desk", "staff", 6),
    ("my tasks", "staff", 6),  # with the clients its filter offers
]


def url_of(name, project, invoice):
    return {
        "project budget": reverse("budgets:project_budget", args=[project.pk]),
        "budget history": reverse("budgets:budget_history", args=[project.pk]),
        "invoice page": reverse("billing:invoice_detail", args=[invoice.pk]),
        "invoice history": reverse("billing:invoice_history", args=[invoice.pk]),
        "inbox": reverse("notifications:inbox"),
        "bell": reverse("notifications:bell"),
        "AE desk": reverse("home"),
        "staff desk": reverse("home"),
        "my tasks": reverse("projects:my_tasks"),
    }[name]


@pytest.mark.parametrize("size", [1, 10])
@pytest.mark.parametrize(("name", "role", "queries"), PAGES, ids=[name for name, *_ in PAGES])
def test_the_page_costs_the_same_queries_at_any_size(
    client, people, django_assert_num_queries, size, name, role, queries
):
    project, invoice = agency(people, size)
    client.force_login(people[role])
    url = url_of(name, project, invoice)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
