import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Client, SentDocument
from billing import services
from common.pdf import StaticFilesOnly
from tests.factories import ClientFactory, ProjectFactory, UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
ISSUED = dt.date(2026, 11, 2)


@pytest.fixture
def finance():
    return UserFactory(role="finance")


def invoice_of(client_obj, finance, **extra):
    return services.invoice_create(
        client=client_obj, created_by=finance, issue_date=ISSUED, **extra
    )


def test_the_invoice_pdf_carries_the_letterhead_lines_tax_total_due_date_and_bank(client, finance):
    acme = ClientFactory(name="Acme Foods", payment_terms_days=45, currency="USD")
    project = ProjectFactory(client=acme, name="Spring launch")
    invoice = invoice_of(
        acme,
        finance,
        project=project,
        lines=[("Strategy", D("10000")), ("Key visual", D("5000"))],
        tax_rate=D("6"),
        fapiao_number="044001900111",
    )
    services.invoice_send(invoice=invoice, sent_by=finance)
    client.force_login(finance)

    response = client.get(reverse("billing:invoice_document", args=[invoice.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    text = pdf_text(response.content)
    for words in (
        "Harbour & Reed Advertising",
        "Tax ID 91310000MA1FL0000X",
        f"Invoice {invoice.number}",
        "Billed to Acme Foods",
        f"{project.job_number} · Spring launch",
        "Issue date 2026-11-02",
        "Due date 2026-12-17",
        "Fapiao number 044001900111",
        "Strategy $10,000.00",
        "Key visual $5,000.00",
        "Subtotal $15,000.00",
        "Tax at 6% $900.00",
        "Total due (USD) $15,900.00",
        "Please pay by 2026-12-17",
        "Account: 4375 0000 1234 5678",
        f"Quote {invoice.number} with the payment.",
    ):
        assert words in text, words
    assert "Draft" not in text


def test_an_invoice_not_sent_yet_reads_draft_and_downloads_under_its_number(client, finance):
    invoice = invoice_of(ClientFactory(), finance, lines=[("Fee", D("100"))], tax_rate=D("0"))
    client.force_login(finance)

    response = client.get(reverse("billing:invoice_document", args=[invoice.pk]) + "?download")

    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert "Draft" in pdf_text(response.content)


def test_a_chinese_clients_invoice_is_in_chinese_with_its_chinese_lines(client, finance):
    qinghe = ClientFactory(name="青禾乳业", language="zh-hans", currency="CNY")
    invoice = invoice_of(qinghe, finance, lines=[("春节广告创意费", D("12000"))], tax_rate=D("6"))
    client.force_login(finance)

    text = pdf_text(client.get(reverse("billing:invoice_document", args=[invoice.pk])).content)

    for words in (
        "港苇广告",
        "发票",
        "青禾乳业",
        "春节广告创意费 ¥12,000.00",
        "小计 ¥12,000.00",
        "中国银行上海淮海支行",
    ):
        assert words in text, words
    assert "Invoice" not in text


def test_the_invoice_pdf_is_scoped_like_the_invoice(client, finance):
    acme = ClientFactory()
    invoice = invoice_of(acme, finance, lines=[("Fee", D("100"))], tax_rate=D("0"))
    url = reverse("billing:invoice_document", args=[invoice.pk])

    client.force_login(acme.lead_ae)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role="ae"))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role="staff"))
    assert client.get(url).status_code == 404


def test_what_users_type_is_text_in_the_pdf_and_loads_nothing(client, finance):
    invoice = invoice_of(
        ClientFactory(),
        finance,
        lines=[('<img src="file:///etc/passwd"> <b>bold</b>', D("100"))],
        tax_rate=D("0"),
    )
    client.force_login(finance)

    text = pdf_text(client.get(reverse("billing:invoice_document", args=[invoice.pk])).content)

    assert '<img src="file:///etc/passwd"> <b>bold</b>' in text


@pytest.mark.parametrize(
    "address", ["file:///etc/passwd", "http://169.254.169.254/latest/", "static:../../settings.py"]
)
def test_documents_load_only_the_portals_static_files(address):
    fetch = StaticFilesOnly().fetch

    with pytest.raises(ValueError, match="static file"):
        fetch(address)
    logo = fetch("static:img/letterhead-logo.svg")
    assert logo.content_type == "image/svg+xml"
    assert logo.read().startswith(b"<svg")


def test_a_sent_invoice_shows_the_copy_the_client_received(client, finance, settings):
    acme = ClientFactory(name="Acme Foods")
    invoice = invoice_of(acme, finance, lines=[("Fee", D("100"))], tax_rate=D("0"))
    services.invoice_send(invoice=invoice, sent_by=finance)
    invoice.refresh_from_db()
    # Later, the agency changes its name and the client's is corrected.
    settings.AGENCY_LETTERHEAD = {**settings.AGENCY_LETTERHEAD, "name": "Reed Partners"}
    Client.objects.filter(pk=acme.pk).update(name="Acme Foods Group")
    client.force_login(finance)

    text = pdf_text(client.get(reverse("billing:invoice_document", args=[invoice.pk])).content)

    assert "Harbour & Reed Advertising" in text
    assert "Billed to Acme Foods" in text
    assert "Acme Foods Group" not in text
    kept = SentDocument.objects.get()
    assert (kept.document, kept.revision, kept.sent_by) == (invoice, invoice.revision, finance)
    assert kept.filename == f"{invoice.number}.pdf"
    assert invoice.number not in kept.file.name  # a name is never a path
    assert kept.recipients == []


def test_a_draft_is_rendered_from_what_it_holds_now(client, finance, settings):
    invoice = invoice_of(ClientFactory(), finance, lines=[("Fee", D("100"))], tax_rate=D("0"))
    settings.AGENCY_LETTERHEAD = {**settings.AGENCY_LETTERHEAD, "name": "Reed Partners"}
    client.force_login(finance)

    text = pdf_text(client.get(reverse("billing:invoice_document", args=[invoice.pk])).content)

    assert "Reed Partners" in text
    assert not SentDocument.objects.exists()
