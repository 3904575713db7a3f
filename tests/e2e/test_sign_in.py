from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    ApprovedEstimateFactory,
    ClientFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)


@pytest.mark.django_db(transaction=True)
def test_an_ae_signs_in_through_the_form_and_reaches_the_desk(live_server, page, screenshot):
    UserFactory(email="chen.jing@agency.example", full_name="Chen Jing", role="ae")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/auth/sign-in/?next=/")
    page.get_by_label("Email").fill("chen.jing@agency.example")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot("sign-in")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Welcome, Chen")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("My desk")
    screenshot("desk-ae")


@pytest.mark.django_db(transaction=True)
def test_the_layout_collapses_on_a_phone(live_server, new_window, screenshot):
    UserFactory(email="li.na@agency.example", full_name="Li Na", role="ae")
    phone = new_window(viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/auth/sign-in/")
    phone.get_by_label("Email").fill("li.na@agency.example")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()

    # On a narrow screen the sections fold behind the menu button.
    desk_link = phone.get_by_role("link", name="My desk")
    expect(desk_link).to_be_hidden()
    # The bell stays in sight, outside the folded menu.
    expect(phone.get_by_role("button", name="Notifications: 0 unread")).to_be_visible()
    phone.get_by_role("button", name="Toggle navigation").click()
    expect(desk_link).to_be_visible()
    expect(phone.get_by_role("button", name="Li Na")).to_be_visible()
    screenshot("desk-phone", of=phone)


@pytest.mark.django_db(transaction=True)
def test_an_admin_manages_people_and_set_aside_emails_under_the_policy(live_server, page):
    """The admin's own pages run under the portal's Content-Security-Policy too: any script
    or style it blocked would fail this test through the console."""
    UserFactory(email="admin@agency.example", full_name="Portal Admin", role="admin")
    UserFactory(email="zhao.min@agency.example", full_name="Zhao Min", role="staff")

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill("admin@agency.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Users, departments and settings")).to_be_visible()

    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("link", name="Zhao Min").click()
    expect(page.get_by_label("Full name")).to_have_value("Zhao Min")
    page.goto(f"{live_server.url}/admin/notifications/notification/?email=set_aside")
    expect(page.get_by_text("0 notifications")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_wide_tables_scroll_inside_their_card_and_the_burn_column_shows(live_server, new_window):
    ae = UserFactory(email="chen.jing@agency.example", full_name="Chen Jing", role="ae")
    project = ProjectFactory(client=ClientFactory(lead_ae=ae), owner=ae)
    ApprovedEstimateFactory(project=project, lines={"media": Decimal("900000")})
    for number in range(3):
        TaskFactory(project=project, title=f"Consumer research and insights {number}")

    def signed_in(width):
        tab = new_window(viewport={"width": width, "height": 900})
        tab.goto(f"{live_server.url}/auth/sign-in/")
        tab.get_by_label("Email").fill(ae.email)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        return tab

    phone = signed_in(390)
    phone.goto(f"{live_server.url}{project.get_absolute_url()}")
    expect(phone.get_by_role("heading", name="Tasks")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    laptop = signed_in(1366)
    laptop.goto(f"{live_server.url}/projects/{project.pk}/budget/")
    burn = laptop.get_by_role("columnheader", name="Burn")
    expect(burn).to_be_in_viewport()
    card = laptop.locator("section", has=burn)
    assert burn.bounding_box()["x"] + burn.bounding_box()["width"] <= (
        card.bounding_box()["x"] + card.bounding_box()["width"]
    )
