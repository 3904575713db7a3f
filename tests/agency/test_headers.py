"""The headers every page carries: a strict Content-Security-Policy, no caching of what is
somebody's own, and the browser features the portal never uses switched off."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def policy(response):
    return {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


@pytest.mark.parametrize("signed_in", [True, False])
def test_every_page_carries_a_strict_policy_and_is_kept_by_no_cache(client, signed_in):
    if signed_in:
        client.force_login(UserFactory(role="ae"))
        response = client.get(reverse("accounts:client_list"))
    else:
        response = client.get(reverse("teams:login"))
    assert response.status_code == 200

    directives = policy(response)
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_a_download_is_not_cached_either(client):
    client.force_login(UserFactory(role="finance"))
    response = client.get(reverse("billing:collections_export", args=["csv"]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"), "inline script"),
    (re.compile(r"\sstyle="), "style attribute"),
    (re.compile(r"<style"), "style element"),
    (re.compile(r"\son[a-z]+="), "event handler attribute"),
    (re.compile(r"javascript:"), "javascript: link"),
]


def test_no_page_template_holds_what_the_policy_would_block():
    """Emails are read in mail clients and documents are turned into PDF on the server, not
    under the portal's policy: they keep their styles."""
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in TEMPLATES.rglob("*.html")
        if "email" not in path.parts and "documents" not in path.parts
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert found == []
