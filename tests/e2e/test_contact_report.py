import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import ContactReport
from tests.factories import PASSWORD, ClientFactory, ContactFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_an_ae_logs_a_meeting_sends_the_recap_and_sees_the_client_confirm(
    live_server, page, new_window, screenshot
):
    ae = UserFactory(email="chen.jing@agency.example", full_name="Chen Jing", role="ae")
    UserFactory(full_name="Zhao Min", role="staff")
    acme = ClientFactory(name="Qinghe Dairy", lead_ae=ae)
    ContactFactory(client=acme, name="Gao Yan", email="gao.yan@qinghe.example")

    page.goto(f"{live_server.url}/auth/sign-in/")
    page.get_by_label("Email").fill(ae.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Clients"
    ).click()
    page.get_by_role("link", name="Qinghe Dairy").click()
    page.get_by_role("link", name="Log a meeting or call").click()

    page.get_by_label("Gao Yan").check()
    page.get_by_label("Discussion").fill("Agreed the launch timing for the yoghurt line.")
    page.get_by_label("Decisions").fill("Launch on 1 March.")
    page.locator("[name=items-0-description]").fill("Send the revised media plan")
    page.locator("[name=items-0-owner]").select_option(label="Chen Jing")
    page.locator("[name=items-0-due_on]").fill("2030-01-10")
    page.get_by_role("button", name="Add an action item").click()
    page.locator("[name=items-1-description]").fill("Rework the key visual")
    page.locator("[name=items-1-owner]").select_option(label="Zhao Min")
    page.locator("[name=items-1-due_on]").fill("2030-01-12")
    screenshot("contact-report-form")
    page.get_by_role("button", name="Save the report").click()

    expect(page.get_by_text("Contact report saved.")).to_be_visible()
    expect(page.get_by_text("Send the revised media plan")).to_be_visible()
    expect(page.get_by_text("Rework the key visual")).to_be_visible()
    report = ContactReport.objects.get()
    assert report.action_items.count() == 2
    page.get_by_role("button", name="Mark as done: Send the revised media plan").click()
    expect(
        page.get_by_role("button", name="Mark as not done: Send the revised media plan")
    ).to_be_visible()
    screenshot("contact-report")

    page.get_by_role("button", name="Send recap").click()
    expect(page.get_by_text("Recap sent to 2 people.")).to_be_visible()
    recap = next(m for m in mail.outbox if m.to == ["gao.yan@qinghe.example"])
    link = re.search(r"http://\S+/recap/\S+/", recap.body).group(0)

    # The client opens the link from the email, without an account.
    client_side = new_window()
    client_side.goto(link)
    expect(client_side.get_by_text("Launch on 1 March.")).to_be_visible()
    client_side.get_by_label("I confirm the decisions and action items").check()
    screenshot("recap-confirm", of=client_side)
    client_side.get_by_role("button", name="Send my answer").click()
    expect(client_side.get_by_text("We have your confirmation.")).to_be_visible()

    page.get_by_role("link", name="Qinghe Dairy").click()
    expect(page.get_by_text("1 of 2 action items open")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.get_by_text("Confirmed")).to_be_visible()
    expect(timeline.get_by_text("Gao Yan")).to_be_visible()
    screenshot("client-timeline")
