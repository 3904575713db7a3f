import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import ClientDecision
from budgets import services
from notifications.services import reminders_dispatch
from tests.e2e.test_money_flow import sign_in
from tests.factories import (
    ApprovedEstimateFactory,
    ClientFactory,
    ContactFactory,
    ProjectFactory,
    UserFactory,
)

D = Decimal


@pytest.mark.django_db(transaction=True)
def test_a_change_order_sent_to_the_client_is_approved_through_its_link_and_the_ae_is_told(
    live_server, page, new_window, screenshot
):
    ae = UserFactory(role="ae", full_name="Chen Jing")
    qinghe = ClientFactory(name="Qinghe Dairy", lead_ae=ae)
    ContactFactory(client=qinghe, name="Gao Yan", email="gao.yan@qinghe.example")
    project = ProjectFactory(client=qinghe, owner=ae, name="Chilled yoghurt launch")
    ApprovedEstimateFactory(project=project, lines={"production": "10000"})
    services.change_order_create(
        project=project,
        created_by=ae,
        reason="Two extra cut-downs for the dealers",
        deltas={"production": D("2500")},
    )

    # The AE sends the change order to the client's marketing director, with a word.
    sign_in(page, live_server, ae)
    page.goto(f"{live_server.url}/projects/{project.pk}/budget/")
    page.get_by_role("link", name="Send to client").first.click()
    page.get_by_label("Gao Yan").check()
    page.get_by_label("Message").fill("As agreed on Friday.")
    screenshot("send-change-order")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent to 1 contact.")).to_be_visible()
    expect(page.get_by_text("Waiting for the client")).to_be_visible()

    # The client opens the link from the email, with no account, and approves it.
    [email] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/documents/[^/\s]+/)", email.body).group(1)
    client_page = new_window()
    client_page.goto(live_server.url + link)
    expect(client_page.get_by_text("As agreed on Friday.")).to_be_visible()
    client_page.get_by_label("I approve this document").check()
    client_page.get_by_label("Your full name, as your signature").fill("Gao Yan")
    screenshot("client-approves-change-order", of=client_page)
    client_page.get_by_role("button", name="Send my answer").click()
    expect(client_page.get_by_text("is approved, signed by Gao Yan")).to_be_visible()

    # What the worker does when the decision commits (notifications.services.check_soon):
    # the team is told.
    decision = ClientDecision.objects.get()
    reminders_dispatch(rules=["accounts.client_decided"], only=[decision.pk])
    page.reload()
    bell = page.locator("#bell")
    bell.get_by_role("button", name="Notifications: 1 unread").click()
    expect(
        bell.get_by_role(
            "button",
            name=f"Gao Yan of Qinghe Dairy approved Change order 1 · {project.job_number}",
        )
    ).to_be_visible()
    screenshot("bell-client-approved")
    expect(page.get_by_text("Client approved")).to_be_visible()
    expect(page.get_by_role("row", name="Production")).to_contain_text("CN¥12,500.00")
