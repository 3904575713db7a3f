import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import ClientAging, Invoice, Payment
from tests.factories import ClientFactory, InvoiceFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
ISSUED = dt.date(2026, 10, 1)


@pytest.fixture
def finance():
    return UserFactory(role="finance", full_name="Liu Yang")


def invoice_for(client_obj, amount="1000", **extra):
    return InvoiceFactory(
        client=client_obj, issue_date=ISSUED, lines=[("Campaign fee", D(amount))], **extra
    )


def test_an_invoice_is_numbered_in_sequence_and_due_after_the_clients_terms():
    acme = ClientFactory(payment_terms_days=45)

    first = services.invoice_create(
        client=acme,
        created_by=UserFactory(role="finance"),
        issue_date=ISSUED,
        lines=[("Strategy", D("10000")), ("Creative", D("5000"))],
        tax_rate=D("6"),
        fapiao_number="044001900111",
    )
    second = invoice_for(acme)

    assert (first.number, second.number) == ("INV-2026-00001", "INV-2026-00002")
    assert first.due_date == ISSUED + dt.timedelta(days=45)
    assert (first.subtotal, first.tax, first.total) == (D("15000"), D("900.00"), D("15900.00"))
    assert first.status(ISSUED) == "draft"


@pytest.mark.django_db(transaction=True)
def test_two_invoices_issued_at_the_same_moment_get_different_numbers():
    acme = ClientFactory()
    start = threading.Barrier(2)
    numbers, errors = [], []

    def issue():
        try:
            start.wait(timeout=10)
            numbers.append(invoice_for(acme).number)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == ["INV-2026-00001", "INV-2026-00002"]


def test_payments_move_the_status_and_never_exceed_the_total(finance):
    acme = ClientFactory(payment_terms_days=30)
    invoice = invoice_for(acme, "1000", sent=True)

    services.payment_record(
        invoice=invoice,
        recorded_by=finance,
        paid_on=ISSUED,
        amount=D("400"),
        method="bank_transfer",
    )
    invoice.refresh_from_db()
    assert invoice.status(ISSUED + dt.timedelta(days=5)) == "partly_paid"
    assert invoice.status(ISSUED + dt.timedelta(days=31)) == "overdue"
    with pytest.raises(services.Refused, match="more than the 600.00 still outstanding"):
        services.payment_record(
            invoice=invoice,
            recorded_by=finance,
            paid_on=ISSUED,
            amount=D("600.01"),
            method="bank_transfer",
        )
    services.payment_record(
        invoice=invoice, recorded_by=finance, paid_on=ISSUED, amount=D("600"), method="cash"
    )
    invoice.refresh_from_db()
    assert invoice.status(ISSUED + dt.timedelta(days=60)) == "paid"


def test_a_payment_before_the_invoice_or_by_an_ae_is_refused(finance):
    acme = ClientFactory()
    invoice = invoice_for(acme, sent=True)

    with pytest.raises(services.Refused, match="before its invoice"):
        services.payment_record(
            invoice=invoice,
            recorded_by=finance,
            paid_on=ISSUED - dt.timedelta(days=1),
            amount=D("10"),
            method="cash",
        )
    with pytest.raises(services.Refused, match="recorded by finance"):
        services.payment_record(
            invoice=invoice,
            recorded_by=acme.lead_ae,
            paid_on=ISSUED,
            amount=D("10"),
            method="cash",
        )
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_paying_the_last_100_at_once_pay_it_once():
    finance_a = UserFactory(role="finance")
    finance_b = UserFactory(role="finance")
    acme = ClientFactory()
    invoice = invoice_for(acme, "1000", sent=True)
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=D("900"))
    start = threading.Barrier(2)
    outcomes = []

    def pay(person):
        try:
            start.wait(timeout=10)
            services.payment_record(
                invoice=invoice,
                recorded_by=person,
                paid_on=ISSUED,
                amount=D("100"),
                method="bank_transfer",
            )
            outcomes.append("paid")
        except services.Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(person,)) for person in (finance_a, finance_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    invoice.refresh_from_db()
    assert sorted(outcomes) == ["paid", "refused"]
    assert invoice.amount_paid == D("1000")
    assert Payment.objects.count() == 1


def test_the_database_refuses_a_total_paid_above_the_invoice():
    invoice = invoice_for(ClientFactory(), "1000")

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(amount_paid=D("1000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            invoice=invoice, paid_on=ISSUED, amount=D("0"), recorded_by=invoice.created_by
        )


def test_an_invoice_bills_a_project_of_its_own_client():
    acme = ClientFactory()

    with pytest.raises(services.Refused):
        invoice_for(acme, project=ProjectFactory())


def test_payments_keep_their_history(finance):
    invoice = invoice_for(ClientFactory(), sent=True)
    services.payment_record(
        invoice=invoice, recorded_by=finance, paid_on=ISSUED, amount=D("10"), method="cash"
    )

    # Issued, sent, then paid.
    assert list(invoice.events.values_list("amount_paid", flat=True).order_by("pgh_id")) == [
        D("0"),
        D("0"),
        D("10"),
    ]


def test_only_finance_issues_sends_and_chases_invoices(finance):
    acme = ClientFactory()
    ae = acme.lead_ae
    draft = invoice_for(acme)

    with pytest.raises(services.Refused, match="issued by finance"):
        services.invoice_create(
            client=acme, created_by=ae, issue_date=ISSUED, lines=[("Fee", D("1"))]
        )
    with pytest.raises(services.Refused, match="sent by finance"):
        services.invoice_send(invoice=draft, sent_by=ae)
    with pytest.raises(services.Refused, match="chased by finance"):
        services.collection_note_add(invoice=draft, written_by=ae, contacted="Mr Wu", outcome="x")

    assert Invoice.objects.count() == 1
    draft.refresh_from_db()
    assert draft.sent_at is None
    assert not draft.collection_notes.exists()


def test_a_payment_dated_after_today_is_refused_next_to_its_date(finance):
    invoice = invoice_for(ClientFactory(), sent=True)

    with pytest.raises(services.Refused, match="once it has arrived") as refusal:
        services.payment_record(
            invoice=invoice,
            recorded_by=finance,
            paid_on=dt.date.today() + dt.timedelta(days=1),
            amount=D("10"),
            method="cash",
        )

    assert refusal.value.field == "paid_on"
    assert not Payment.objects.exists()


def test_a_bounced_payment_is_reversed_and_the_invoice_owes_it_again(client, finance):
    invoice = invoice_for(ClientFactory(), "1000", sent=True)
    payment = services.payment_record(
        invoice=invoice, recorded_by=finance, paid_on=ISSUED, amount=D("1000"), method="cheque"
    )
    client.force_login(finance)
    detail = reverse("billing:invoice_detail", args=[invoice.pk])
    url = reverse("billing:payment_reverse", args=[invoice.pk, payment.pk])
    assert url in client.get(detail).text

    assert "reason" in client.post(url, {"reason": ""}).context["form"].errors
    page = client.post(url, {"reason": "Cheque bounced"}, follow=True)

    assert "Payment reversed; the invoice owes it again." in page.text
    assert "Cheque bounced" in page.text
    invoice.refresh_from_db()
    assert invoice.amount_paid == D("0")
    assert ClientAging.objects.get(client=invoice.client).total_outstanding == D("1000")
    reversal = Payment.objects.get(reverses=payment)
    assert (reversal.amount, reversal.paid_on) == (D("-1000"), timezone.localdate())
    with pytest.raises(services.Refused, match="reversed already"):
        services.payment_reverse(payment=payment, reversed_by=finance, reason="Again")
    with pytest.raises(services.Refused, match="a reversal itself"):
        services.payment_reverse(payment=reversal, reversed_by=finance, reason="Undo")


def test_only_finance_reverses_a_payment(client, finance):
    invoice = invoice_for(ClientFactory(), "1000", sent=True)
    payment = services.payment_record(
        invoice=invoice, recorded_by=finance, paid_on=ISSUED, amount=D("300"), method="cash"
    )
    url = reverse("billing:payment_reverse", args=[invoice.pk, payment.pk])

    client.force_login(invoice.client.lead_ae)
    assert client.post(url, {"reason": "Not mine"}).status_code == 404
    with pytest.raises(services.Refused):
        services.payment_reverse(payment=payment, reversed_by=invoice.client.lead_ae, reason="x")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("value", ["²", "abc", "9" * 40, "-1"])
def test_an_invoice_filter_that_names_no_client_is_no_filter(client, finance, value):
    invoice_for(ClientFactory())
    client.force_login(finance)

    response = client.get(reverse("billing:invoice_list"), {"client": value})

    assert response.status_code == 200
    assert len(response.context["page"]) == 1


def test_a_payment_refused_because_someone_just_paid_shows_why(client, finance):
    invoice = invoice_for(ClientFactory(), "1000", sent=True)
    client.force_login(finance)
    form = {"paid_on": ISSUED.isoformat(), "amount": str(invoice.total), "method": "cash"}
    assert (
        client.post(reverse("billing:payment_record", args=[invoice.pk]), form).status_code == 302
    )

    again = client.post(reverse("billing:payment_record", args=[invoice.pk]), form)

    assert again.status_code == 200
    assert "That is more than the 0.00 still outstanding." in again.text
    assert Payment.objects.count() == 1
