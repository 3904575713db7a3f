import uuid

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

from tests.factories import PASSWORD
from tests.routes import POST_ONLY

pytestmark = pytest.mark.django_db

# The only pages a signed-out visitor may open.
PUBLIC = {
    "healthz",
    "teams:login",
    "teams:password_reset",
    "teams:password_reset_sent",
    "teams:password_reset_confirm",
    "teams:password_reset_complete",
    "accounts:recap_respond",
    # A client contact's link to approve a document, and its PDF.
    "accounts:document_link",
    "accounts:document_link_pdf",
    "accounts:document_link_attachment",
    # Read by calendar apps, with the secret in the address for a key.
    "calendar_feed",
}


def sample_value(converter):
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    return "x"


def named_routes(patterns=None, namespace="", converters=None):
    """Every named URL of the portal with sample arguments, so that a new page is covered
    without being listed here."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, inner, found)
        elif entry.name:
            yield f"{namespace}{entry.name}", {k: sample_value(c) for k, c in found.items()}


PORTAL_PAGES = sorted(
    (name, kwargs)
    for name, kwargs in named_routes()
    if name not in PUBLIC and not name.startswith("admin:") and name != "teams:logout"
)


def test_the_route_list_covers_the_portal():
    names = {name for name, _ in PORTAL_PAGES}
    assert {"home", "teams:preferences", "teams:password_change"} <= names


@pytest.mark.parametrize(("name", "kwargs"), PORTAL_PAGES, ids=[n for n, _ in PORTAL_PAGES])
def test_signed_out_requests_to_any_page_go_to_sign_in(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("teams:login") + "?next=")


def test_the_admin_sends_signed_out_people_to_the_portal_sign_in(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("teams:login"))


@pytest.mark.parametrize(
    "name",
    sorted(
        PUBLIC
        - {
            "teams:password_reset_confirm",
            "accounts:recap_respond",
            "accounts:document_link",
            "accounts:document_link_pdf",
            "accounts:document_link_attachment",
            "calendar_feed",
        }
    ),
)
def test_public_pages_open_signed_out(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_csrf_is_enforced_on_sign_in(ae):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("teams:login"), {"username": ae.email, "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_csrf_is_enforced_on_a_signed_in_post(ae):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ae)

    response = client.post(reverse("teams:preferences"), {"language": "zh-hans"})

    assert response.status_code == 403
    ae.refresh_from_db()
    assert ae.language == ""


def test_csrf_token_from_the_form_is_accepted(ae):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("teams:login"))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("teams:login"),
        {"username": ae.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_a_post_only_action_answers_any_get_with_405(client, ae, name):
    client.force_login(ae)
    kwargs = dict(PORTAL_PAGES)[name]

    assert client.get(reverse(name, kwargs=kwargs)).status_code == 405
