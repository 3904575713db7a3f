import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-orchard-lantern-42"


def test_password_reset_email_carries_a_link_that_sets_a_new_password(client, ae):
    response = client.post(reverse("teams:password_reset"), {"email": "CHEN.JING@agency.example"})

    assert response.status_code == 302
    assert response["Location"] == reverse("teams:password_reset_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ae.email]
    assert "Hello Chen Jing" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = re.search(r"http://testserver(/auth/password/reset/\S+/\S+/)", message.body).group(1)
    assert link in html

    # The link redirects once to a URL that hides the token, then shows the form.
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302

    ae.refresh_from_db()
    assert ae.check_password(NEW_PASSWORD)
    # Used once, the link is spent.
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, ae):
    response = client.post(reverse("teams:password_reset"), {"email": "stranger@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("teams:password_reset_sent")
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client, ae):
    client.force_login(ae)

    refused = client.post(
        reverse("teams:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert refused.status_code == 200
    assert "Your old password was entered incorrectly" in refused.text
    ae.refresh_from_db()
    assert ae.check_password(PASSWORD)

    changed = client.post(
        reverse("teams:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert "Your password has been changed." in changed.text
    ae.refresh_from_db()
    assert ae.check_password(NEW_PASSWORD)
    # The session survives its own password change.
    assert client.get(reverse("home")).status_code == 200
