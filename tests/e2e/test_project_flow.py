import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)


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
def test_strategy_sign_off_opens_creative_and_work_is_handed_on(live_server, page, screenshot):
    creative = DepartmentFactory(name="Creative", code="creative")
    media = DepartmentFactory(name="Media", code="media")
    ae = UserFactory(role="ae", full_name="Chen Jing")
    director = UserFactory(role="account_director", full_name="Zhang Wei")
    designer = UserFactory(role="staff", full_name="Zhao Min", department=creative)
    project = ProjectFactory(
        client__lead_ae=ae,
        client__account_director=director,
        owner=ae,
        name="Chilled yoghurt launch",
        stage="strategy",
    )
    TaskFactory(project=project, title="Key visual", department=creative, assignee=designer)
    key_visual = project.tasks.get()
    TaskFactory(project=project, title="Media plan", department=media, waits_on=key_visual)

    # The AE writes the strategy and submits it.
    sign_in(page, live_server, ae)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("button", name="Write the strategy").click()
    page.get_by_label("Objectives").fill("Win 5 points of share among young families.")
    page.get_by_label("Key message").fill("Made simply, for the people you love.")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.get_by_text("Submitted for sign-off.")).to_be_visible()
    sign_out(page, ae)

    # The director opens it from the approvals inbox, reads it and approves it, confirming.
    sign_in(page, live_server, director)
    page.get_by_role("link", name="Approvals 1 waiting").click()
    page.get_by_role("link", name=f"{project}, version 1").click()
    expect(page.get_by_role("heading", name="Strategy, version 1")).to_be_visible()
    expect(page.get_by_text("Made simply, for the people you love.")).to_be_visible()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("I have read the strategy").check()
    screenshot("strategy-sign-off")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Strategy approved.")).to_be_visible()
    sign_out(page, director)

    # The AE moves the project to creative.
    sign_in(page, live_server, ae)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("button", name="Move to another stage").click()
    page.get_by_label("Move to").select_option(label="Creative")
    page.get_by_role("button", name="Change the stage").click()
    expect(page.get_by_text("The project is now at Creative.")).to_be_visible()
    sign_out(page, ae)

    # The designer finishes the key visual from My tasks.
    sign_in(page, live_server, designer)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My tasks"
    ).click()
    page.get_by_label("Status of Key visual").select_option(label="Done")
    expect(page.locator("tr.table-success")).to_contain_text("Key visual")
    screenshot("my-tasks-done")
    sign_out(page, designer)

    # The media plan now shows as handed on.
    sign_in(page, live_server, ae)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    media_row = page.locator("tr", has_text="Media plan")
    expect(media_row.get_by_text("Handed on")).to_be_visible()
    screenshot("project-handed-on")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Traffic"
    ).click()
    expect(page.get_by_role("table")).to_contain_text("Media plan")
    screenshot("traffic-board")
