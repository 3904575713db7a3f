import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AccountTeamMember, ActionItem, ContactReport
from tests.factories import (
    ActionItemFactory,
    ClientFactory,
    ContactFactory,
    ContactReportFactory,
    UserFactory,
)
from tests.routes import outsider_get_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return ClientFactory(name="Acme Foods")


def report_data(acme, *, when=None, items=(), **overrides):
    when = when or timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "kind": "meeting",
        "client_attendees": [c.pk for c in acme.contacts.all()],
        "staff_attendees": [acme.lead_ae.pk],
        "agenda": "Q1 launch",
        "discussion": "The client wants the launch moved to March.",
        "decisions": "Launch on 1 March.",
        "client_feedback": "Liked the key visual.",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{index}-{key}"] = value
    data.update(overrides)
    return data


def item(description, owner, due):
    return {"description": description, "owner": owner.pk if owner else "", "due_on": due}


def test_an_ae_logs_a_meeting_with_its_action_items_on_one_form(client, acme):
    ContactFactory(client=acme, name="Gao Yan")
    designer = UserFactory(role="staff", full_name="Zhao Min")
    client.force_login(acme.lead_ae)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()

    response = client.post(
        reverse("accounts:report_create", args=[acme.pk]),
        report_data(
            acme,
            items=[
                item("Send the revised media plan", acme.lead_ae, due),
                item("Rework the key visual", designer, due),
                item("", None, ""),  # an untouched blank row is ignored
            ],
        ),
    )

    report = ContactReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.author == acme.lead_ae
    assert [c.name for c in report.client_attendees.all()] == ["Gao Yan"]
    assert sorted(i.owner.full_name for i in report.action_items.all()) == [
        acme.lead_ae.full_name,
        "Zhao Min",
    ]
    timeline = client.get(acme.get_absolute_url()).text
    assert "The client wants the launch moved to March." in timeline
    assert "2 of 2 action items open" in timeline


def test_a_meeting_in_the_future_is_refused_next_to_the_date(client, acme):
    client.force_login(acme.lead_ae)
    tomorrow = timezone.localtime() + dt.timedelta(days=1)

    response = client.post(
        reverse("accounts:report_create", args=[acme.pk]),
        report_data(
            acme,
            when=tomorrow,
            items=[item("Call back", acme.lead_ae, timezone.localdate().isoformat())],
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["occurred_at"] == [
        "This is in the future: log a meeting once it has happened."
    ]
    assert 'id="error_1_id_occurred_at"' in response.text
    assert "The client wants the launch moved to March." in response.text
    assert not ContactReport.objects.exists()
    assert not ActionItem.objects.exists()


def test_a_half_filled_action_item_is_refused_next_to_it_and_nothing_is_saved(client, acme):
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("accounts:report_create", args=[acme.pk]),
        report_data(acme, items=[item("Send the brief", None, "")]),
    )

    assert response.status_code == 200
    row = response.context["formset"].forms[0]
    assert row.errors == {
        "owner": ["This field is required."],
        "due_on": ["This field is required."],
    }
    assert 'id="error_1_id_items-0-owner"' in response.text
    assert 'value="Send the brief"' in response.text
    assert not ContactReport.objects.exists()


def test_an_action_item_owner_must_be_an_active_member_of_staff(client, acme):
    former = UserFactory(is_active=False)
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("accounts:report_create", args=[acme.pk]),
        report_data(acme, items=[item("Chase approval", former, "2030-01-01")]),
    )

    assert "owner" in response.context["formset"].forms[0].errors
    assert not ContactReport.objects.exists()


def test_the_add_row_button_returns_the_next_row_and_counts_it(client, acme):
    client.force_login(acme.lead_ae)

    response = client.get(reverse("accounts:action_item_row"), {"items-TOTAL_FORMS": "2"})

    assert 'name="items-2-description"' in response.text
    assert 'name="items-TOTAL_FORMS" value="3"' in response.text
    assert 'hx-swap-oob="true"' in response.text


def test_the_author_and_the_team_edit_for_seven_days_then_only_tick(client, acme):
    start = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
    teammate = UserFactory(role="ae")
    acme.memberships.create(user=teammate, role_on_account="Account manager")
    with time_machine.travel(start, tick=False):
        report = ContactReportFactory(client=acme)
        action = ActionItemFactory(report=report, owner=teammate)
    edit_url = reverse("accounts:report_update", args=[report.pk])

    with time_machine.travel(start + dt.timedelta(days=6, hours=23), tick=False):
        client.force_login(teammate)
        data = report_data(acme, discussion="Edited by the team.")
        data.update(
            {
                "items-TOTAL_FORMS": "1",
                "items-INITIAL_FORMS": "1",
                "items-0-id": action.pk,
                "items-0-description": action.description,
                "items-0-owner": teammate.pk,
                "items-0-due_on": action.due_on.isoformat(),
            }
        )
        assert client.post(edit_url, data).status_code == 302
        report.refresh_from_db()
        assert report.discussion == "Edited by the team."

    with time_machine.travel(start + dt.timedelta(days=7, hours=1), tick=False):
        client.force_login(acme.lead_ae)
        refused = client.post(edit_url, {**data, "discussion": "Too late."}, follow=True)
        assert "read-only now" in refused.text
        report.refresh_from_db()
        assert report.discussion == "Edited by the team."
        assert (
            reverse("accounts:report_update", args=[report.pk])
            not in client.get(report.get_absolute_url()).text
        )

        ticked = client.post(
            reverse("accounts:action_item_toggle", args=[action.pk]),
            {"done": "1"},
            headers={"hx-request": "true"},
        )
        assert ticked.status_code == 200
        assert "Mark as not done" in ticked.text
        action.refresh_from_db()
        assert action.is_done


def test_finance_reads_a_report_but_cannot_edit_it(client, acme):
    report = ContactReportFactory(client=acme, discussion="Budget talk.")
    client.force_login(UserFactory(role="finance"))

    assert "Budget talk." in client.get(report.get_absolute_url()).text
    client.post(
        reverse("accounts:report_update", args=[report.pk]),
        report_data(acme, discussion="Changed by finance."),
    )
    report.refresh_from_db()
    assert report.discussion == "Budget talk."


def test_reports_and_items_of_other_accounts_are_404(client, acme):
    report = ContactReportFactory(client=acme)
    action = ActionItemFactory(report=report)
    outsider = UserFactory(role="ae")
    client.force_login(outsider)

    for url in [
        report.get_absolute_url(),
        reverse("accounts:report_update", args=[report.pk]),
        reverse("accounts:report_create", args=[acme.pk]),
        reverse("accounts:action_item_toggle", args=[action.pk]),
    ]:
        assert client.get(url).status_code == outsider_get_status(url), url
        assert client.post(url, {"done": "1", "discussion": "x"}).status_code == 404, url
    action.refresh_from_db()
    assert not action.is_done
    assert ContactReport.objects.count() == 1


def test_my_action_items_lists_my_open_items_overdue_first(client, acme):
    me = UserFactory(role="staff", full_name="Zhao Min")
    today = timezone.localdate()
    later = ActionItemFactory(report__client=acme, owner=me, due_on=today + dt.timedelta(days=4))
    overdue = ActionItemFactory(report__client=acme, owner=me, due_on=today - dt.timedelta(days=2))
    ActionItemFactory(report__client=acme, owner=me, done_at=timezone.now())
    ActionItemFactory(report__client=acme)  # someone else's
    client.force_login(me)

    page = client.get(reverse("accounts:my_action_items"))

    assert list(page.context["items"]) == [overdue, later]
    assert "Overdue" in page.text

    # The owner ticks an item done in place, though not on the client's team.
    ticked = client.post(
        reverse("accounts:action_item_toggle", args=[later.pk]),
        {"done": "1", "view": "mine"},
        headers={"hx-request": "true"},
    )
    assert ticked.status_code == 200
    assert f'id="my-action-item-{later.pk}"' in ticked.text
    later.refresh_from_db()
    assert later.is_done


@pytest.mark.parametrize("size", [5, 50])
def test_my_action_items_and_the_client_page_cost_fixed_queries(client, size):
    owner = UserFactory(role="ae")
    for _ in range(size):
        acme = ClientFactory(lead_ae=owner)
        report = ContactReportFactory(client=acme)
        ActionItemFactory(report=report, owner=owner)
        ContactFactory(client=acme)
    client.force_login(owner)

    counts = []
    for url in [reverse("accounts:my_action_items"), acme.get_absolute_url()]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    # session, user; then how many items, the page of them and the clients to filter by; or
    # the client with its leads and re-pitch, the timeline
    # (reports, their attendees' answers, projects, invoices, documents sent, proposal
    # rounds), proposals, spend plans, contacts, team and the meetings ahead
    assert counts == [5, 14]


def test_staff_on_the_account_team_read_a_report_but_do_not_edit_it(client, acme):
    report = ContactReportFactory(client=acme, discussion="As agreed.")
    designer = UserFactory(role="staff")
    AccountTeamMember.objects.create(client=acme, user=designer, role_on_account="Designer")
    client.force_login(designer)

    response = client.post(
        reverse("accounts:report_update", args=[report.pk]), {"discussion": "Rewritten"}
    )

    assert response.status_code == 404
    with pytest.raises(services.Refused, match="kept by the account team"):
        services.contact_report_update(
            report=report,
            editor=designer,
            client_attendees=[],
            staff_attendees=[],
            action_items=[],
            discussion="Rewritten",
        )
    report.refresh_from_db()
    assert report.discussion == "As agreed."


@pytest.mark.parametrize("when", ["0001-01-01T10:00", "1999-12-31T10:00"])
def test_a_meeting_from_before_the_plausible_years_is_refused_and_nothing_is_saved(
    client, acme, when
):
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("accounts:report_create", args=[acme.pk]),
        report_data(
            acme,
            occurred_at=when,
            items=[item("Call back", acme.lead_ae, timezone.localdate().isoformat())],
        ),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["occurred_at"]
    assert len(errors) == 1
    assert "Enter a date between 2000-01-01" in errors[0]
    assert "The client wants the launch moved to March." in response.text
    assert not ContactReport.objects.exists()
    assert not ActionItem.objects.exists()
