"""A page seen again while nothing was committed is served as it was drawn; any committed
write, the next minute, another person or another browser draws it anew."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.forms import ClientForm
from accounts.models import Client
from tests.factories import ClientFactory, UserFactory

# The cache keys pages by what the database has committed, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

SNAPSHOT = "pg_current_snapshot()"


def signed_in(user, **options):
    """A browser signed in as the user, holding the CSRF cookie its sign-in page gave it."""
    browser = Browser(**options)
    browser.get(reverse("teams:login"))
    browser.force_login(user)
    return browser


def get(browser, url):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries]


def drawn(response) -> bool:
    return not getattr(response, "from_page_cache", False)


@pytest.fixture
def account():
    return ClientFactory(name="Qinghe Dairy")


def test_a_page_seen_again_is_served_as_drawn_without_the_views_queries(account):
    browser = signed_in(account.lead_ae)
    url = account.get_absolute_url()

    first, _ = get(browser, url)
    again, queries = get(browser, url)

    assert drawn(first)
    assert not drawn(again)
    # The snapshot, the session and the user: nothing of the page itself.
    assert len(queries) == 3
    assert SNAPSHOT in queries[0]
    assert not any("accounts_client" in sql for sql in queries)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == first["Cache-Control"] == "private, no-store"


def test_any_committed_write_shows_on_the_next_view_whatever_made_it(account):
    browser = signed_in(account.lead_ae)
    url = account.get_absolute_url()
    get(browser, url)

    # Not through a service, not through a signal: a bare UPDATE, committed.
    Client.objects.filter(pk=account.pk).update(name="Qinghe Dairy Group")
    page, _ = get(browser, url)

    assert drawn(page)
    assert "Qinghe Dairy Group" in page.text


def test_an_edit_saved_through_its_form_shows_after_the_redirect_with_its_message(account):
    browser = signed_in(account.lead_ae)
    url = account.get_absolute_url()
    get(browser, url)
    form = ClientForm(instance=account)
    data = {field.html_name: field.value() for field in form if field.value() is not None}

    saved = browser.post(
        reverse("accounts:client_update", args=[account.pk]),
        {**data, "name": "Qinghe Dairy Group"},
        follow=True,
    )
    reloaded, _ = get(browser, url)
    again, _ = get(browser, url)

    assert "Qinghe Dairy Group" in saved.text
    assert "Saved." in saved.text
    # The page that showed the message was not kept: reloaded, the message is gone.
    assert drawn(reloaded)
    assert "Qinghe Dairy Group" in reloaded.text
    assert "Saved." not in reloaded.text
    assert not drawn(again)


def test_a_kept_page_is_never_shown_to_someone_else(account):
    other = ClientFactory(name="Jade Mountain Tea")
    url = reverse("accounts:client_list")
    mine, _ = get(signed_in(account.lead_ae), url)

    theirs, _ = get(signed_in(other.lead_ae), url)

    assert drawn(theirs)
    assert "Qinghe Dairy" in mine.text
    assert "Jade Mountain Tea" not in mine.text
    assert "Jade Mountain Tea" in theirs.text
    assert "Qinghe Dairy" not in theirs.text


def test_a_second_browser_of_the_same_person_gets_forms_it_can_send(account):
    ae = account.lead_ae
    url = reverse("teams:preferences")
    first = signed_in(ae, enforce_csrf_checks=True)
    second = signed_in(ae, enforce_csrf_checks=True)
    get(first, url)
    kept, _ = get(first, url)

    page, _ = get(second, url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    replaced = second.post(reverse("teams:calendar_link_replace"), {"csrfmiddlewaretoken": token})

    assert not drawn(kept)
    assert drawn(page)
    assert replaced.status_code == 302


def test_the_next_minute_draws_the_page_again():
    browser = signed_in(UserFactory(role="account_director"))
    url = reverse("home")
    moment = dt.datetime(2026, 12, 1, 2, 0, 10, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False) as clock:
        get(browser, url)
        same_minute, _ = get(browser, url)
        clock.move_to(moment + dt.timedelta(seconds=50))
        next_minute, _ = get(browser, url)

    assert not drawn(same_minute)
    assert drawn(next_minute)


def test_a_replaced_calendar_link_stops_answering_at_once(account):
    ae = account.lead_ae
    browser = signed_in(ae)
    browser.post(reverse("teams:calendar_link_replace"))
    ae.refresh_from_db()
    old = reverse("calendar_feed", args=[ae.calendar_token])
    feed = Browser()
    assert drawn(feed.get(old))
    assert not drawn(feed.get(old))

    browser.post(reverse("teams:calendar_link_replace"))

    assert feed.get(old).status_code == 404


def test_nothing_is_kept_from_inside_an_open_transaction(account):
    browser = signed_in(account.lead_ae)
    url = account.get_absolute_url()
    with transaction.atomic():
        Client.objects.filter(pk=account.pk).update(name="Not yet committed")
        first, first_queries = get(browser, url)
        again, again_queries = get(browser, url)
        transaction.set_rollback(True)

    after, _ = get(browser, url)

    assert drawn(first)
    assert drawn(again)
    assert drawn(after)
    assert not any(SNAPSHOT in sql for sql in first_queries + again_queries)
    assert "Not yet committed" in again.text
    assert "Not yet committed" not in after.text


def test_health_checks_and_switched_off_pages_are_worked_out_every_time(account, settings):
    health, queries = get(Browser(), reverse("healthz"))
    assert drawn(health)
    assert queries == ["SELECT 1"]

    settings.PAGE_CACHE = False
    browser = signed_in(account.lead_ae)
    url = account.get_absolute_url()
    get(browser, url)
    again, queries = get(browser, url)

    assert drawn(again)
    assert not any(SNAPSHOT in sql for sql in queries)
