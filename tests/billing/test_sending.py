import datetime as dt
import smtplib
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import SentDocument
from billing import services
from billing.models import Invoice
from tests.factories import ClientFactory, ContactFactory, UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def finance():
    return UserFactory(role="finance", full_name="Qian Li", email="qian.li@agency.example")


@pytest.fixture
def acme():
    acme = ClientFactory(name="Acme Foods")
    ContactFactory(client=acme, name="Gao Yan", email="gao@acme.example", receives_invoices=True)
    ContactFactory(client=acme, name="Wu Ting", email="wu@acme.example")
    ContactFactory(client=acme, name="Old Zhang", email="")
    return acme


def draft(client_obj, finance):
    return services.invoice_create(
        client=client_obj,
        created_by=finance,
        issue_date=dt.date(2026, 11, 2),
        lines=[("Key visual", D("5000"))],
        tax_rate=D("6"),
    )


def send_page(client, invoice):
    return reverse("billing:invoice_send", args=[invoice.pk])


def contact(acme, name):
    return acme.contacts.get(name=name)


def test_the_send_page_offers_the_contacts_with_an_email_and_ticks_the_billing_contact(
    client, acme, finance
):
    invoice = draft(acme, finance)
    client.force_login(finance)

    form = client.get(send_page(client, invoice)).context["form"]

    offered = {choice.instance.name for choice, _label in form.fields["contacts"].choices}
    assert offered == {"Gao Yan", "Wu Ting"}
    assert form.initial["contacts"] == [contact(acme, "Gao Yan").pk]


def test_an_invoice_goes_by_email_with_its_pdf_and_the_message_and_is_issued_by_it(
    client, acme, finance
):
    invoice = draft(acme, finance)
    client.force_login(finance)

    response = client.post(
        send_page(client, invoice),
        {"contacts": [contact(acme, "Gao Yan").pk], "message": "Our invoice for November."},
        follow=True,
    )

    assert "Sent to 1 contact." in response.text
    invoice.refresh_from_db()
    assert invoice.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["gao@acme.example"]
    assert email.reply_to == ["qian.li@agency.example"]
    assert email.subject == f"Invoice {invoice.number}"
    assert "Dear Gao Yan," in email.body
    assert "Our invoice for November." in email.body
    [(filename, pdf, content_type)] = email.attachments
    assert (filename, content_type) == (f"{invoice.number}.pdf", "application/pdf")
    text = pdf_text(pdf)
    assert f"Invoice {invoice.number}" in text
    assert "Draft" not in text
    kept = SentDocument.objects.get()
    assert kept.file.read() == pdf
    assert kept.recipients == [
        {"contact": contact(acme, "Gao Yan").pk, "name": "Gao Yan", "email": "gao@acme.example"}
    ]
    assert (kept.sent_by, kept.revision, kept.message) == (
        finance,
        invoice.revision,
        "Our invoice for November.",
    )
    assert not kept.asks_approval  # an invoice is paid, not approved


def test_sending_again_sends_the_invoice_as_it_stands_and_says_so(client, acme, finance):
    invoice = draft(acme, finance)
    services.invoice_send(invoice=invoice, sent_by=finance, contacts=[contact(acme, "Gao Yan")])
    mail.outbox.clear()
    client.force_login(finance)

    page = client.get(send_page(client, invoice))
    assert "Sending again sends the document as it stands now" in page.text
    response = client.post(
        send_page(client, invoice), {"contacts": [contact(acme, "Wu Ting").pk]}, follow=True
    )

    assert "It went again, as it stands now." in response.text
    [email] = mail.outbox
    assert email.subject == f"Invoice {invoice.number} (updated)"
    assert "It replaces the version we sent on" in email.body
    first, second = SentDocument.objects.order_by("sent_at")
    assert (first.again, second.again) == (False, True)
    assert "Wu Ting" in client.get(reverse("billing:invoice_detail", args=[invoice.pk])).text


def test_a_client_who_reads_chinese_gets_the_email_and_the_invoice_in_chinese(acme, finance):
    acme.language = "zh-hans"
    acme.save()
    invoice = draft(acme, finance)

    services.invoice_send(invoice=invoice, sent_by=finance, contacts=[contact(acme, "Gao Yan")])

    [email] = mail.outbox
    assert email.subject == f"发票 {invoice.number}"
    assert "Gao Yan" in email.body
    assert "附件" in email.body
    assert "发票" in pdf_text(email.attachments[0][1])


def test_nothing_is_kept_or_issued_when_the_mail_server_is_away(client, acme, finance, monkeypatch):
    invoice = draft(acme, finance)

    def away(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", away)
    client.force_login(finance)

    response = client.post(send_page(client, invoice), {"contacts": [contact(acme, "Gao Yan").pk]})

    assert "The mail server could not be reached, so nothing was sent." in response.text
    invoice.refresh_from_db()
    assert invoice.sent_at is None
    assert not SentDocument.objects.exists()


def test_a_contact_of_another_client_or_without_email_is_refused(client, acme, finance):
    invoice = draft(acme, finance)
    stranger = ContactFactory(email="someone@other.example")
    client.force_login(finance)

    for chosen in (stranger, contact(acme, "Old Zhang")):
        response = client.post(send_page(client, invoice), {"contacts": [chosen.pk]})
        assert "Select a valid choice." in response.text

    response = client.post(send_page(client, invoice), {"contacts": []})
    assert "Choose at least one contact." in response.text
    assert not mail.outbox
    assert Invoice.objects.get(pk=invoice.pk).sent_at is None


def test_only_finance_sends_invoices_and_a_cancelled_one_is_not_sent(client, acme, finance):
    invoice = draft(acme, finance)
    client.force_login(acme.lead_ae)
    assert client.get(send_page(client, invoice)).status_code == 404

    services.invoice_send(invoice=invoice, sent_by=finance)
    services.invoice_cancel(invoice=invoice, cancelled_by=finance, reason="Billed twice")
    client.force_login(finance)
    assert client.get(send_page(client, invoice)).status_code == 404


def test_marking_as_sent_keeps_the_copy_without_an_email(client, acme, finance):
    invoice = draft(acme, finance)
    client.force_login(finance)

    response = client.post(reverse("billing:invoice_mark_sent", args=[invoice.pk]), follow=True)

    assert "Invoice marked as sent." in response.text
    assert not mail.outbox
    assert SentDocument.objects.get().recipients == []


def test_the_client_timeline_and_the_history_show_what_was_sent_to_whom(client, acme, finance):
    invoice = draft(acme, finance)
    services.invoice_send(invoice=invoice, sent_by=finance, contacts=[contact(acme, "Gao Yan")])
    client.force_login(acme.account_director)

    timeline = client.get(acme.get_absolute_url()).text
    history = client.get(reverse("billing:invoice_history", args=[invoice.pk])).text

    assert "Sent by Qian Li to Gao Yan" in timeline
    assert "Qian Li sent it to Gao Yan" in history
