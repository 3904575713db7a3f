import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.documents import estimate_pdf
from tests.factories import ApprovedEstimateFactory, ClientFactory, ProjectFactory, UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal


def approved_estimate(**client_fields):
    project = ProjectFactory(client=ClientFactory(**client_fields), name="Spring launch")
    return ApprovedEstimateFactory(
        project=project,
        lines={"production": "10000", "creative": "5000", "research": "2000"},
        fee=D("30000"),
    )


def test_the_estimate_pdf_shows_the_budget_by_line_the_fee_and_the_terms(client):
    estimate = approved_estimate(name="Acme Foods", payment_terms_days=45)
    project = estimate.project
    client.force_login(project.owner)

    response = client.get(
        reverse("budgets:estimate_document", args=[project.pk, estimate.pk]) + "?download"
    )

    assert response["Content-Disposition"] == (
        f'attachment; filename="{project.job_number}-estimate-v1.pdf"'
    )
    text = pdf_text(response.content)
    for words in (
        "Harbour & Reed Advertising",
        f"Estimate {project.job_number} · version 1",
        "Prepared for Acme Foods",
        # in the budget's order of lines, not the alphabet's
        "Line Amount Research CN¥2,000.00 Creative CN¥5,000.00 Production CN¥10,000.00",
        "Total budget CN¥17,000.00",
        "Agency fee (CNY) CN¥30,000.00",
        "It changes only by a change order that you approve.",
        "Invoices are payable within 45 days of their issue date.",
    ):
        assert words in text, words
    assert "Draft" not in text


def test_an_estimate_before_sign_off_reads_draft():
    project = ProjectFactory()
    estimate = services.estimate_start(project=project, author=project.owner)

    assert "Draft" in pdf_text(estimate_pdf(estimate))


def test_a_chinese_clients_estimate_is_in_chinese(client):
    estimate = approved_estimate(name="青禾乳业", language="zh-hans")
    client.force_login(estimate.project.owner)

    text = pdf_text(
        client.get(
            reverse("budgets:estimate_document", args=[estimate.project.pk, estimate.pk])
        ).content
    )

    for words in ("港苇广告", "预算估算", "青禾乳业", "制作 ¥10,000.00"):
        assert words in text, words


def test_the_change_order_pdf_shows_each_line_before_the_change_and_after(client):
    estimate = approved_estimate()
    project = estimate.project
    services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="A longer cut",
        deltas={"creative": D("1000")},
        client_approved_on=dt.date(2026, 11, 20),
        client_approval_note="Signed letter",
    )
    order = services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="Two more films\nand a radio spot",
        deltas={"production": D("2000"), "media": D("500")},
    )
    client.force_login(project.owner)

    response = client.get(
        reverse("budgets:change_order_document", args=[project.pk, order.pk]) + "?download"
    )

    assert response["Content-Disposition"] == (
        f'attachment; filename="{project.job_number}-change-order-2.pdf"'
    )
    text = pdf_text(response.content)
    for words in (
        f"Change order {project.job_number}/2",
        "Two more films and a radio spot",
        "Creative CN¥6,000.00 — CN¥6,000.00",
        "Production CN¥10,000.00 +CN¥2,000.00 CN¥12,000.00",
        "Media CN¥0.00 +CN¥500.00 CN¥500.00",
        "Research CN¥2,000.00 — CN¥2,000.00",
        "Total (CNY) CN¥18,000.00 +CN¥2,500.00 CN¥20,500.00",
    ):
        assert words in text, words


def test_an_approved_change_order_shows_the_budget_it_was_approved_against(client):
    estimate = approved_estimate()
    project = estimate.project
    first = services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="A longer cut",
        deltas={"creative": D("1000")},
        client_approved_on=dt.date(2026, 11, 20),
        client_approval_note="Signed letter",
    )
    services.change_order_create(
        project=project,
        created_by=project.owner,
        reason="A second cut",
        deltas={"creative": D("700")},
        client_approved_on=dt.date(2026, 11, 25),
        client_approval_note="Signed letter",
    )
    client.force_login(project.owner)

    text = pdf_text(
        client.get(reverse("budgets:change_order_document", args=[project.pk, first.pk])).content
    )

    assert "Client approved on 2026-11-20" in text
    assert "Creative CN¥5,000.00 +CN¥1,000.00 CN¥6,000.00" in text


def test_budget_documents_are_scoped_like_the_budget(client):
    estimate = approved_estimate()
    project = estimate.project
    order = services.change_order_create(
        project=project, created_by=project.owner, reason="More", deltas={"media": D("1")}
    )
    urls = [
        reverse("budgets:estimate_document", args=[project.pk, estimate.pk]),
        reverse("budgets:change_order_document", args=[project.pk, order.pk]),
    ]
    other = ProjectFactory()

    for role, status in (("finance", 200), ("ae", 404), ("staff", 404)):
        client.force_login(UserFactory(role=role))
        for url in urls:
            assert client.get(url).status_code == status, (role, url)
    client.force_login(other.owner)
    wrong_project = reverse("budgets:change_order_document", args=[other.pk, order.pk])
    assert client.get(wrong_project).status_code == 404
