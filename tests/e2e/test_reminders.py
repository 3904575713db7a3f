from decimal import Decimal

import pytest
from django.db import connection
from playwright.sync_api import expect

from notifications.models import Notification
from tests.e2e.test_money_flow import sign_in
from tests.factories import ApprovedEstimateFactory, ClientFactory, ProjectFactory, UserFactory
from tests.notifications.worker import Redis, Worker, use_broker, wait_for

D = Decimal


@pytest.fixture
def worker(tmp_path, settings):
    redis = Redis(tmp_path).start()
    use_broker(redis.url)
    (tmp_path / "mail").mkdir()
    running = Worker(redis.url, tmp_path / "mail").start()
    yield running
    running.stop()
    connection.close()
    use_broker(settings.CELERY_BROKER_URL)
    redis.stop()


@pytest.mark.django_db(transaction=True)
def test_a_crossing_cost_lights_the_bell_and_the_inbox_leads_to_the_project(
    live_server, page, screenshot, worker
):
    ae = UserFactory(role="ae", full_name="Chen Jing")
    director = UserFactory(role="account_director", full_name="Zhang Wei")
    acme = ClientFactory(name="Qinghe Dairy", lead_ae=ae, account_director=director)
    project = ProjectFactory(client=acme, owner=ae, name="Chilled yoghurt launch")
    ApprovedEstimateFactory(project=project, director=director, lines={"production": D("10000")})
    mine = Notification.objects.filter(recipient=ae)
    assert wait_for(lambda: mine.count() == 1, timeout=15), "the approval was not told"

    sign_in(page, live_server, ae)
    bell = page.locator("#bell")
    expect(bell.get_by_role("button", name="Notifications: 1 unread")).to_be_visible()
    page.goto(f"{live_server.url}/projects/{project.pk}/costs/new/")
    page.get_by_label("Vendor cost").check()
    page.get_by_label("Budget line").select_option(label="Production")
    page.get_by_label("Vendor", exact=True).fill("Shanghai Film Co.")
    page.get_by_label("Amount").fill("8500")
    page.get_by_role("button", name="Record the cost").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/budget/")
    assert wait_for(lambda: mine.count() == 2, timeout=15), "no alert within 15 seconds"

    page.reload()
    expect(bell.locator("[data-unread-count]")).to_have_text("2")
    bell.get_by_role("button", name="Notifications: 2 unread").click()
    alert = f"{project.job_number} Chilled yoghurt launch has used 80% of its budget"
    expect(bell.get_by_role("button", name=alert)).to_be_visible()
    screenshot("reminder-bell")
    bell.get_by_role("link", name="All notifications").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    screenshot("reminder-inbox")
    page.get_by_role("button", name=alert).click()

    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/budget/")
    expect(bell.get_by_role("button", name="Notifications: 1 unread")).to_be_visible()
