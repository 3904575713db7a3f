import io
import re

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Attachment
from billing import services as billing
from tests.factories import (
    ContactFactory,
    ContactReportFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xlsx():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Media plan"
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def upload(client, kind, owner, name, content, **headers):
    return client.post(
        reverse("accounts:attachment_add", args=[kind, owner.pk]),
        {"file": SimpleUploadedFile(name, content)},
        **headers,
    )


@pytest.fixture
def report():
    return ContactReportFactory(discussion="Media plan for Q1.")


def test_a_file_attached_to_a_report_is_kept_under_a_name_of_the_portals_own(client, report):
    client.force_login(report.client.lead_ae)

    response = upload(client, "report", report, "../../etc/Media plan Q1.xlsx", xlsx())

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "Media plan Q1.xlsx"
    assert attachment.mime_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "Media plan" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    assert (attachment.client, attachment.owner, attachment.uploaded_by) == (
        report.client,
        report,
        report.client.lead_ae,
    )
    page = client.get(report.get_absolute_url()).text
    assert "Media plan Q1.xlsx" in page

    download = client.get(reverse("accounts:attachment_download", args=[attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == attachment.mime_type
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == attachment.file.open("rb").read()


def test_images_and_pdfs_open_in_the_browser_unless_downloaded(client, report):
    client.force_login(report.client.lead_ae)
    upload(client, "report", report, "whiteboard.png", PNG)
    upload(client, "report", report, "agenda.pdf", PDF)

    for attachment in Attachment.objects.all():
        url = reverse("accounts:attachment_download", args=[attachment.pk])
        assert client.get(url)["Content-Disposition"].startswith("inline;")
        assert client.get(url + "?download")["Content-Disposition"].startswith("attachment;")


def test_the_type_is_read_from_the_content_not_the_name(client, report):
    client.force_login(report.client.lead_ae)

    page = upload(client, "report", report, "deck.pdf", b"<html><script>alert(1)</script>")
    renamed = upload(client, "report", report, "photo.png", b"MZ\x90\x00" + b"\x00" * 64)

    for response in (page, renamed):
        assert response.status_code == 302
    assert not Attachment.objects.exists()
    shown = client.get(report.get_absolute_url()).text
    assert "This kind of file is not taken" in shown


def test_a_file_over_the_size_allowed_is_refused_next_to_the_field(client, report, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(report.client.lead_ae)

    response = upload(
        client, "report", report, "film.pdf", PDF + b"0" * (1024 * 1024), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    assert "The file is larger than the 1 MB allowed." in response.text
    assert 'class="invalid-feedback' in response.text
    assert not Attachment.objects.exists()


def test_an_upload_through_htmx_answers_with_the_list(client, report):
    client.force_login(report.client.lead_ae)

    response = upload(client, "report", report, "agenda.pdf", PDF, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert f'id="attachments-report-{report.pk}"' in response.text
    assert "agenda.pdf" in response.text


def test_another_accounts_ae_gets_404_to_see_or_attach(client, report):
    client.force_login(report.client.lead_ae)
    upload(client, "report", report, "agenda.pdf", PDF)
    attachment = Attachment.objects.get()

    for outsider in (UserFactory(role="ae"), UserFactory(role="staff")):
        client.force_login(outsider)
        assert (
            client.get(reverse("accounts:attachment_download", args=[attachment.pk])).status_code
            == 404
        )
        assert upload(client, "report", report, "x.pdf", PDF).status_code == 404
    assert upload(client, "nothing", report, "x.pdf", PDF).status_code == 404
    assert Attachment.objects.count() == 1


def test_only_finance_attaches_to_an_invoice_and_the_ae_reads_it(client, report):
    finance = UserFactory(role="finance")
    invoice = billing.invoice_create(
        client=report.client,
        created_by=finance,
        issue_date=timezone.localdate(),
        lines=[("Fee", 100)],
    )
    client.force_login(report.client.lead_ae)
    assert upload(client, "invoice", invoice, "po.pdf", PDF).status_code == 404

    client.force_login(finance)
    upload(client, "invoice", invoice, "Signed PO.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(report.client.lead_ae)
    download = client.get(reverse("accounts:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200


def test_the_client_sees_the_deck_of_the_round_they_are_asked_to_decide(client):
    proposal = ProposalFactory(title="Spring campaign")
    gao = ContactFactory(client=proposal.client, email="gao@acme.example")
    round_ = proposal.rounds.get()
    ae = proposal.client.lead_ae
    client.force_login(ae)
    upload(client, "round", round_, "Spring deck.pdf", PDF)
    for status in ("internal_review", "presented"):
        services.proposal_round_set_status(round_=round_, status=status, changed_by=ae)
    services.proposal_round_send(round_=round_, sent_by=ae, contacts=[gao])
    client.logout()
    link = re.search(r"https?://[^/\s]+(/documents/[^/\s]+/)", mail.outbox[0].body).group(1)

    page = client.get(link)

    assert "Spring deck.pdf" in page.text
    deck = Attachment.objects.get()
    token_url = reverse("accounts:document_link_attachment", args=[link.split("/")[2], deck.pk])
    assert client.get(token_url)["Content-Type"] == "application/pdf"
    other = Attachment.objects.create(
        client=deck.client,
        content_type=deck.content_type,
        object_id=ProposalFactory(client=proposal.client).rounds.get().pk,
        file=deck.file.name,
        name="Other deck.pdf",
        mime_type="application/pdf",
        size=1,
        uploaded_by=ae,
    )
    other_url = reverse("accounts:document_link_attachment", args=[link.split("/")[2], other.pk])
    assert client.get(other_url).status_code == 404
    assert client.get(reverse("accounts:attachment_download", args=[deck.pk])).status_code == 302
