import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing import services as billing
from billing.models import Invoice
from budgets import services
from notifications.services import reminders_dispatch
from tests.factories import PASSWORD, ClientFactory, ProjectFactory, UserFactory

D = Decimal


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/auth/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=user.full_name)).to_be_visible()


def sign_out(page, user):
    page.get_by_role("button", name=user.full_name).click()
    page.get_by_role("button", name="Sign out").click()


@pytest.mark.django_db(transaction=True)
def test_estimate_sign_off_a_cost_past_80_percent_and_a_partial_payment(
    live_server, page, screenshot
):
    ae = UserFactory(role="ae", full_name="Chen Jing")
    director = UserFactory(role="account_director", full_name="Zhang Wei")
    finance = UserFactory(role="finance", full_name="Liu Yang")
    acme = ClientFactory(name="Qinghe Dairy", lead_ae=ae, account_director=director)
    project = ProjectFactory(client=acme, owner=ae, name="Chilled yoghurt launch")
    estimate = services.estimate_start(project=project, author=ae)
    services.estimate_update(
        estimate=estimate,
        editor=ae,
        revision=estimate.revision,
        lines={"production": D("10000"), "creative": D("2000")},
        fee=D("20000"),
    )
    services.estimate_submit(estimate=estimate, submitted_by=ae)
    invoice = billing.invoice_create(
        client=acme,
        created_by=finance,
        issue_date=project.start_date,
        lines=[("Agency fee", D("1000"))],
        tax_rate=D("0"),
    )
    billing.invoice_send(invoice=invoice, sent_by=finance)

    # The director finds the estimate in the approvals inbox, reads its lines and fee, and
    # approves it, confirming.
    sign_in(page, live_server, director)
    expect(page.get_by_role("link", name="Approvals 1 waiting")).to_be_visible()
    page.get_by_role("link", name="Approvals 1 waiting").click()
    page.get_by_role("link", name=f"{project}, version 1").click()
    expect(page.get_by_role("heading", name="Estimate, version 1")).to_be_visible()
    expect(page.get_by_text("Margin it implies")).to_be_visible()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Sign off").click()
    expect(
        page.get_by_text("Confirm that this version becomes the working budget.")
    ).to_be_visible()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("I have checked the lines").check()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Budget approved: it is the working budget now.")).to_be_visible()
    sign_out(page, director)
    # What the worker does when the approval commits: the AE is told.
    reminders_dispatch()

    # The AE's bell shows the director's decision.
    sign_in(page, live_server, ae)
    bell = page.locator("#bell")
    bell.get_by_role("button", name="Notifications: 1 unread").click()
    expect(
        bell.get_by_role("button", name=f"Zhang Wei approved estimate v1 of {project.job_number}")
    ).to_be_visible()
    screenshot("bell-estimate-approved")

    # The AE records a cost that takes production past 80%.
    page.goto(f"{live_server.url}/projects/{project.pk}/budget/")
    page.get_by_role("link", name="Record a cost").click()
    # The form starts on a vendor cost, with the staff-time part out of the way.
    expect(page.get_by_label("Vendor cost")).to_be_checked()
    expect(page.get_by_label("Hours")).to_be_hidden()
    page.get_by_label("Staff time", exact=True).check()
    expect(page.get_by_label("Hours")).to_be_visible()
    expect(page.get_by_label("Vendor", exact=True)).to_be_hidden()
    page.get_by_label("Vendor cost").check()
    page.get_by_label("Budget line").select_option(label="Production")
    page.get_by_label("Vendor", exact=True).fill("Shanghai Film Co.")
    page.get_by_label("Amount").fill("8500")
    page.get_by_role("button", name="Record the cost").click()
    expect(page.get_by_text("Production has now used 80% of its budget.")).to_be_visible()
    screenshot("budget-after-cost")
    sign_out(page, ae)

    # Finance records a partial payment and downloads the aging list.
    sign_in(page, live_server, finance)
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    page.get_by_label("Amount").fill("400")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Payment recorded.")).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.amount_paid == D("400")
    page.goto(f"{live_server.url}/collections/")
    screenshot("collections")
    with page.expect_download() as download:
        page.get_by_role("link", name="Aging list (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Invoice.objects.get().outstanding == D("600")


@pytest.mark.django_db(transaction=True)
def test_a_usd_invoice_shows_in_usd_and_counts_converted_once_finance_records_the_rate(
    live_server, page, screenshot
):
    finance = UserFactory(role="finance", full_name="Liu Yang")
    abroad = ClientFactory(name="Pacific Foods", currency="USD", payment_terms_days=5)
    issued = timezone.localdate() - dt.timedelta(days=12)
    invoice = billing.invoice_send(
        invoice=billing.invoice_create(
            client=abroad,
            created_by=finance,
            issue_date=issued,
            lines=[("Campaign fee", D("1060000"))],
            tax_rate=D("0"),
        ),
        sent_by=finance,
    )

    sign_in(page, live_server, finance)
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    expect(page.get_by_role("row", name="Total (USD) $1,060,000.00")).to_be_visible()
    page.goto(f"{live_server.url}/collections/")
    expect(page.get_by_text(f"no USD rate for {issued:%Y-%m}: 1 invoice left out")).to_be_visible()

    page.get_by_role("link", name="recorded rates").click()
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("Valid from").fill(issued.replace(day=1).isoformat())
    page.get_by_role("spinbutton", name="Rate").fill("7.1")
    page.get_by_role("button", name="Record the rate").click()
    expect(page.get_by_role("alert")).to_contain_text("Rate recorded")

    page.goto(f"{live_server.url}/collections/")
    expect(page.get_by_text("Totals in CNY")).to_be_visible()
    expect(page.get_by_text(f"USD at 7.1 from {issued.replace(day=1):%Y-%m-%d}")).to_be_visible()
    expect(page.locator(".card-body .h4").first).to_have_text("CN¥7,526,000.00")
    expect(page.get_by_text("left out")).to_have_count(0)
    screenshot("collections-converted")
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    expect(page.get_by_text("Counted in CNY at 7.1 per USD")).to_be_visible()
