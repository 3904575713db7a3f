"""The finance desk's outlook: the cash expected week by week, and the DSO month by month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services as billing
from billing.models import DsoMonth
from tests.factories import ClientFactory, InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def test_cash_is_expected_on_the_promised_date_or_else_the_due_date(client, clock):
    finance = UserFactory(role="finance")
    acme = ClientFactory(payment_terms_days=30)

    def invoice(amount, issued_days_ago, promised_in=None, paid=False):
        sent = InvoiceFactory(
            client=acme,
            created_by=finance,
            issue_date=clock.today - dt.timedelta(days=issued_days_ago),
            lines=[("Fee", D(amount))],
            sent=True,
        )
        if promised_in is not None:
            billing.collection_note_add(
                invoice=sent,
                written_by=finance,
                contacted="Gao Yan",
                outcome="Will pay.",
                promised_on=clock.today + dt.timedelta(days=promised_in),
            )
        if paid:
            billing.payment_record(
                invoice=sent,
                recorded_by=finance,
                paid_on=clock.today,
                amount=sent.total,
                method="bank_transfer",
            )

    # Monday 30 November: this week runs to 6 December, the next from 7 December.
    invoice("1000", 20)  # due Thursday 10 December: the second week
    invoice("2000", 25)  # due Saturday 5 December: this week
    invoice("4000", 40, promised_in=16)  # overdue, promised for 16 December: the third week
    invoice("8000", 10)  # due Sunday 20 December: the third week
    invoice("16000", 45)  # overdue with no promise: not expected in any week
    invoice("32000", 25, promised_in=30)  # due this week, promised for 30 December instead
    invoice("64000", 26, paid=True)  # paid: nothing to expect
    client.force_login(finance)

    desk = client.get(reverse("home")).context["desk"]

    assert [start for start, _ in desk.cash_weeks] == [
        dt.date(2026, 11, 30),
        *(dt.date(2026, 12, 7) + dt.timedelta(weeks=week) for week in range(7)),
    ]
    assert [amount for _, amount in desk.cash_weeks] == [
        D("2000"),
        D("1000"),
        D("12000"),
        D("0"),
        D("32000"),
        D("0"),
        D("0"),
        D("0"),
    ]


def test_the_dso_of_past_months_is_read_from_the_invoices_and_payments_of_the_time(client, clock):
    finance = UserFactory(role="finance")
    acme = ClientFactory(payment_terms_days=30)
    september = InvoiceFactory(
        client=acme,
        created_by=finance,
        issue_date=dt.date(2026, 9, 15),
        lines=[("Fee", D("9000"))],
        sent=True,
    )
    billing.payment_record(
        invoice=september,
        recorded_by=finance,
        paid_on=dt.date(2026, 10, 20),
        amount=D("9000"),
        method="bank_transfer",
    )
    InvoiceFactory(
        client=acme,
        created_by=finance,
        issue_date=dt.date(2026, 10, 10),
        lines=[("Fee", D("3000"))],
        sent=True,
    )

    billing.dso_months_refresh(today=clock.today)
    billing.dso_months_refresh(today=clock.today)  # nothing new: the rows stand
    client.force_login(finance)
    desk = client.get(reverse("home")).context["desk"]

    trend = dict(desk.dso_trend)
    assert len(desk.dso_trend) == 13
    assert trend[dt.date(2026, 8, 1)] is None  # nothing invoiced yet
    # 30 September: 9,000 outstanding of 9,000 invoiced in 90 days.
    assert trend[dt.date(2026, 9, 1)] == D("90.0")
    # 31 October: the September invoice paid; 3,000 outstanding of 12,000.
    assert trend[dt.date(2026, 10, 1)] == D("22.5")
    # This month, as of today: the live figure.
    assert trend[dt.date(2026, 11, 1)] == desk.totals["dso"]
    assert DsoMonth.objects.count() == 12
    october = DsoMonth.objects.get(month=dt.date(2026, 10, 1))
    assert (october.receivable, october.invoiced) == (D("3000"), D("12000"))
