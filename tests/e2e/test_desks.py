"""Each role's desk in the browser: the AE's day from a meeting to its report, and every
desk of the demo agency in English and Chinese, on a laptop and on a phone."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ContactReport, Meeting
from notifications.models import Notification
from projects.models import Project
from teams.demo import DEMO_PASSWORD
from teams.models import User
from tests.e2e.test_money_flow import sign_in
from tests.factories import (
    ClientFactory,
    ContactFactory,
    MeetingFactory,
    ProjectFactory,
    ProposalFactory,
    TaskFactory,
    UserFactory,
)


@pytest.mark.django_db(transaction=True)
def test_the_ae_logs_the_report_of_todays_meeting_from_the_desk(live_server, page, screenshot):
    ae = UserFactory(role="ae", full_name="Chen Jing")
    acme = ClientFactory(name="Qinghe Dairy", lead_ae=ae)
    gao = ContactFactory(client=acme, name="Gao Yan")
    project = ProjectFactory(
        client=acme,
        name="Chilled yoghurt launch",
        start_date=timezone.localdate() - dt.timedelta(days=20),
    )
    TaskFactory(
        project=project,
        title="Brief the studio",
        assignee=ae,
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    now = timezone.localtime().replace(second=0, microsecond=0)
    # An hour ago, or when the day began if it is younger than that: a meeting of today.
    started = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0))
    meeting = MeetingFactory(
        client=acme,
        starts_at=started,
        place="Qinghe HQ, 3F",
        agenda="Key visual options",
        client_attendees=[gao],
    )

    sign_in(page, live_server, ae)
    today = page.locator("#meetings-today")
    expect(today).to_contain_text("Qinghe HQ, 3F")
    task = page.locator("#desk-tasks").locator("xpath=ancestor::section")
    expect(task.get_by_role("row", name="Brief the studio")).to_contain_text("Late")
    screenshot("desk-ae-meeting")

    today.get_by_role("link", name="Log the report").click()
    expect(page.get_by_label("Agenda")).to_have_value("Key visual options")
    expect(page.get_by_label("Gao Yan")).to_be_checked()
    page.get_by_label("Discussion").fill("Route B, with the farm at dawn.")
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_text("Contact report saved.")).to_be_visible()

    report = ContactReport.objects.get()
    assert Meeting.objects.get(pk=meeting.pk).report == report
    assert list(report.client_attendees.all()) == [gao]
    page.get_by_role("link", name="My desk").click()
    expect(page.locator("#meetings-today")).to_contain_text("Report logged")


DESKS = {
    "ae": "chen.jing@agency.example",
    "director": "zhang.wei@agency.example",
    "finance": "liu.yang@agency.example",
    "staff": "zhao.min@agency.example",
}


@pytest.mark.django_db(transaction=True)
def test_every_desk_reads_in_english_and_chinese_on_a_laptop_and_a_phone(
    live_server, new_window, screenshot
):
    call_command("seed_demo", verbosity=0)
    for role, email in DESKS.items():
        person = User.objects.get(email=email)
        for language, welcome in [("en", "Welcome"), ("zh-hans", "欢迎")]:
            person.language = language
            person.save()
            for width in (1366, 390):
                window = new_window(viewport={"width": width, "height": 900})
                window.goto(f"{live_server.url}/auth/sign-in/")
                window.get_by_label("Email").fill(email)
                window.get_by_label("Password").fill(DEMO_PASSWORD)
                window.get_by_role("button", name="Sign in").click()
                expect(window.get_by_role("heading", level=1)).to_contain_text(welcome)
                # Wide tables scroll inside their card: the page itself never does.
                overflow = window.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, f"the {role} desk is {overflow}px wide at {width}px"
                screenshot(f"desk-{role}-{language}-{width}", of=window)
                window.close()


@pytest.mark.django_db(transaction=True)
def test_the_director_s_bar_and_a_task_table_keep_within_every_laptop_width(live_server, page):
    """A director's bar holds the most sections, with the counts of their approvals and
    notifications: the search box gives way rather than push the bell off the screen. A
    project's tasks, flagged late and handed on, keep their links inside the table's card."""
    call_command("seed_demo", verbosity=0)
    project = Project.objects.get(job_number="QINGHE-2026-001")
    director = User.objects.get(email="zhang.wei@agency.example")
    # The widest the bell's count gets.
    Notification.objects.bulk_create(
        Notification(recipient=director, kind="deadlines", title=f"Reminder {n}", link="/")
        for n in range(100)
    )
    page.goto(f"{live_server.url}/auth/sign-in/")
    page.get_by_label("Email").fill("zhang.wei@agency.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    bell = page.locator("#bell")
    for width in (1200, 1240, 1280, 1366, 1400, 1440, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/")
        expect(bell.locator(".badge")).to_have_text("99+")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        assert bell.bounding_box()["x"] + bell.bounding_box()["width"] <= width, width
        # One line: the bar is as tall as its search box and a little padding.
        assert page.locator("nav").bounding_box()["height"] < 70, width
    for width in (1200, 1366, 1400):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}{project.get_absolute_url()}")
        expect(page.get_by_text("Handed on", exact=True)).to_be_visible()
        table = page.locator("section[aria-labelledby=tasks-heading] .table-responsive")
        assert table.evaluate("box => box.scrollWidth <= box.clientWidth"), width


@pytest.mark.django_db(transaction=True)
def test_a_chart_of_counts_steps_by_whole_numbers(live_server, page):
    director = UserFactory(role="account_director", full_name="Zhang Wei")
    ProposalFactory(client=ClientFactory(name="Qinghe Dairy"), title="Spring routes")
    sign_in(page, live_server, director)

    # One round this quarter: the axis reads 0 and 1, not 0.1, 0.2 … of a round.
    ticks = page.evaluate(
        "window.Chart.getChart(document.querySelector('[data-source=rounds-chart]'))"
        ".scales.y.ticks.map(tick => tick.value)"
    )
    assert ticks == [0, 1]
