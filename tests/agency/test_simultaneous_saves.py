"""Two people pressing Save on the same estimate or invoice at the same instant: the first
save holds the row until it commits, and the second, which waited for it, is refused by
name. Neither is an error page, and nothing is half-saved."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from billing import services as billing
from budgets import services as budgets
from common.errors import StaleEdit
from tests.factories import ClientFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


def race(first, second):
    """Runs `first` in a transaction that holds its locks a moment after it has saved, and
    `second` meanwhile, so that `second` waits on the row `first` changed. Returns what
    `second` raised."""
    first_saved = threading.Event()
    outcome = {}

    def hold():
        try:
            with transaction.atomic():
                first()
                first_saved.set()
                time.sleep(0.5)
        finally:
            first_saved.set()
            connection.close()

    def wait_then_save():
        try:
            first_saved.wait(10)
            second()
        except Exception as error:  # noqa: BLE001 - what the second save raised is the result
            outcome["error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=hold), threading.Thread(target=wait_then_save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcome.get("error")


def test_two_saves_of_one_estimate_at_once_refuse_the_second_by_name():
    project = ProjectFactory()
    estimate = budgets.estimate_start(project=project, author=project.owner)
    colleague = UserFactory(role="ae", full_name="Li Na")
    opened_at = estimate.revision

    def save(editor, amount):
        return lambda: budgets.estimate_update(
            estimate=estimate, editor=editor, revision=opened_at, lines={"media": D(amount)}
        )

    error = race(save(colleague, "5000"), save(project.owner, "9999"))

    assert isinstance(error, StaleEdit), error
    assert "Li Na changed this estimate" in str(error)
    estimate.refresh_from_db()
    assert estimate.revision == opened_at + 1
    assert estimate.updated_by == colleague
    assert estimate.lines.get(category="media").amount == D("5000")


def test_two_saves_of_one_invoice_at_once_refuse_the_second_by_name():
    finance = UserFactory(role="finance", full_name="Liu Yang")
    colleague = UserFactory(role="finance", full_name="Wang Fang")
    invoice = billing.invoice_create(
        client=ClientFactory(),
        created_by=finance,
        issue_date=timezone.localdate(),
        lines=[("Fee", D("1000"))],
        tax_rate=D("0"),
    )
    opened_at = invoice.revision

    def save(editor, fapiao):
        return lambda: billing.invoice_update(
            invoice=invoice,
            editor=editor,
            revision=opened_at,
            fapiao_number=fapiao,
            issue_date=invoice.issue_date,
            tax_rate=invoice.tax_rate,
            project=None,
            lines=[("Fee", D("1000"))],
        )

    error = race(save(colleague, "111"), save(finance, "222"))

    assert isinstance(error, StaleEdit), error
    assert "Wang Fang changed this invoice" in str(error)
    invoice.refresh_from_db()
    assert invoice.fapiao_number == "111"
    assert invoice.updated_by == colleague
