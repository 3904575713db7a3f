import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("teams:login")


def sign_in(client, email, password):
    return client.post(SIGN_IN, {"username": email, "password": password})


def test_sign_in_with_email_and_password_reaches_the_desk(client, ae):
    response = sign_in(client, "Chen.Jing@Agency.example", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    desk = client.get(reverse("home"))
    assert desk.status_code == 200
    assert "Welcome, Chen" in desk.text
    assert desk.context["user"] == ae


def test_wrong_password_is_refused_with_a_message_and_keeps_the_email(client, ae):
    response = sign_in(client, ae.email, "not the password")

    assert response.status_code == 200
    assert "Please enter a correct email and password" in response.text
    assert f'value="{ae.email}"' in response.text
    assert "_auth_user_id" not in client.session


def test_an_inactive_person_cannot_sign_in(client):
    former = UserFactory(is_active=False)

    sign_in(client, former.email, PASSWORD)

    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("known", [True, False], ids=["known email", "unknown email"])
def test_five_failures_lock_sign_in_for_fifteen_minutes(client, ae, known):
    email = ae.email if known else "nobody@agency.example"
    for _ in range(4):
        assert sign_in(client, email, "wrong").status_code == 200

    fifth = sign_in(client, email, "wrong")

    assert fifth.status_code == 429
    assert "signing in is paused for 15 minutes" in fifth.text
    # Locked: even the right password is refused, with the same page for both kinds of email.
    locked = sign_in(client, email, PASSWORD)
    assert locked.status_code == 429
    assert "signing in is paused for 15 minutes" in locked.text
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_fifteen_minutes_after_the_last_try(client, ae):
    start = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            sign_in(client, ae.email, "wrong")

    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert sign_in(client, ae.email, PASSWORD).status_code == 429

    with time_machine.travel(start + dt.timedelta(minutes=14 + 16), tick=False):
        response = sign_in(client, ae.email, PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(ae.pk)


def test_sign_out_ends_the_session(client, ae):
    client.force_login(ae)

    response = client.post(reverse("teams:logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_signed_in_visit_to_sign_in_goes_to_the_desk(client, ae):
    client.force_login(ae)

    response = client.get(SIGN_IN)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("email", ["a" * 10_000 + "@agency.example", "chen\x00@agency.example"])
def test_a_hostile_email_is_refused_next_to_the_field(client, email):
    response = sign_in(client, email, "anything")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["username"]
    assert "_auth_user_id" not in client.session
