"""The invoice list's filters, in the URL, and the export of exactly what they show."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import selectors
from billing import services as billing
from billing.models import Invoice
from tests.factories import ClientFactory, InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def ledger(clock):
    """Invoices of every status for Qinghe Dairy, and one for another client."""
    finance = UserFactory(role="finance")
    qinghe = ClientFactory(name="Qinghe Dairy", payment_terms_days=30)
    other = ClientFactory(name="Xingtu Motors", payment_terms_days=30)

    def invoice(client, days_ago, amount, sent=True):
        return InvoiceFactory(
            client=client,
            created_by=finance,
            issue_date=clock.today - dt.timedelta(days=days_ago),
            lines=[("Fee", D(amount))],
            sent=sent,
        )

    made = {
        "draft": invoice(qinghe, 0, "100", sent=False),
        "sent": invoice(qinghe, 5, "200"),
        "overdue": invoice(qinghe, 40, "400"),
        "overdue_too": invoice(qinghe, 50, "800"),
        "paid": invoice(qinghe, 45, "1600"),
        "other": invoice(other, 40, "3200"),
    }
    billing.payment_record(
        invoice=made["paid"],
        recorded_by=finance,
        paid_on=clock.today,
        amount=made["paid"].total,
        method="bank_transfer",
    )
    return finance, qinghe, made


def test_a_filter_in_the_url_shows_and_exports_exactly_those_invoices(client, ledger):
    finance, qinghe, made = ledger
    client.force_login(finance)
    query = {"client": qinghe.pk, "status": "overdue", "sort": "due_date"}

    page = client.get(reverse("billing:invoice_list"), query)

    shown = [invoice.number for invoice in page.context["page"]]
    assert shown == [made["overdue_too"].number, made["overdue"].number]
    export = client.get(reverse("billing:invoice_list_export", args=["csv"]), query)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:-1]] == shown
    assert rows[-1][6:9] == ["1200.00", "0.00", "1200.00"]  # the totals row
    # The export links carry the filter, and paging keeps it.
    assert "client=" in page.context["query"]
    assert "status=overdue" in page.context["query"]


def test_each_status_filter_agrees_with_the_status_the_list_shows(ledger, clock):
    _finance, _qinghe, made = ledger
    invoices = Invoice.objects.all()

    for status in Invoice.Status.values:
        found = set(selectors.with_status(invoices, status, clock.today))
        assert found == {i for i in invoices if i.status(clock.today) == status}, status


def test_bad_filters_are_refused_next_to_the_field_and_the_list_still_shows(client, ledger):
    # (A control character in the address is a 400 before any page: test_tasks.py.)
    finance, _qinghe, made = ledger
    client.force_login(finance)

    for query, field in [
        ({"issued_from": "0001-01-01"}, "issued_from"),
        ({"issued_to": "2026-11-01", "issued_from": "2026-12-01"}, "issued_to"),
        ({"q": "x" * 10_000}, "q"),
        ({"client": "99999999999999"}, "client"),
        ({"sort": "password"}, "sort"),
    ]:
        page = client.get(reverse("billing:invoice_list"), query)
        assert page.status_code == 200
        assert page.context["filters"].errors[field], query
        export = client.get(reverse("billing:invoice_list_export", args=["xlsx"]), query)
        assert export.status_code == 200
    # Alone, a filter that is not valid leaves the whole list.
    assert len(client.get(reverse("billing:invoice_list"), {"sort": "x"}).context["page"]) == len(
        made
    )


def test_an_ae_finds_and_exports_only_their_clients_invoices(client, ledger):
    _finance, qinghe, made = ledger
    client.force_login(qinghe.lead_ae)

    page = client.get(reverse("billing:invoice_list"))
    export = client.get(reverse("billing:invoice_list_export", args=["csv"]))

    assert made["other"].number not in page.text
    assert made["other"].number not in export.content.decode("utf-8-sig")
    assert list(page.context["filters"].fields["client"].queryset) == [qinghe]
    searched = client.get(reverse("billing:invoice_list"), {"q": "Xingtu"})
    assert len(searched.context["page"]) == 0


def test_the_valid_filters_still_apply_beside_one_that_is_not(client, ledger):
    finance, _qinghe, made = ledger
    client.force_login(finance)

    page = client.get(
        reverse("billing:invoice_list"), {"status": "paid", "issued_from": "2026-13-01"}
    )

    assert page.context["filters"].errors["issued_from"]
    assert [invoice.number for invoice in page.context["page"]] == [made["paid"].number]


def test_finance_filters_the_invoices_by_the_clients_lead_ae(client, ledger):
    finance, qinghe, made = ledger
    client.force_login(finance)

    page = client.get(reverse("billing:invoice_list"), {"ae": qinghe.lead_ae.pk})

    shown = {invoice.number for invoice in page.context["page"]}
    assert shown == {invoice.number for name, invoice in made.items() if name != "other"}
