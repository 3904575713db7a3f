"""Every form of the portal, fed hostile values: no answer is a server error, and a refused
form leaves no row behind.

The forms are found, not listed: each role of the demo agency walks the portal from the
pages the URL conf names, following the links and htmx requests each page offers and
keeping the first pages of every route, and every form those pages hold (its action, its
fields, their choices) is fuzzed with hypothesis. A route no walk reaches fails the test
until a page links to it or it is named below with the reason, so a form added later is
covered without being listed. FUZZ_EXAMPLES sets how many cases each form gets."""

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urlsplit

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client as Browser
from django.urls import Resolver404, get_resolver, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.demo import sample_pdf
from accounts.models import Proposal, ProposalRound
from accounts.services import attachment_add, proposal_create, proposal_round_set_status
from billing.services import invoice_create
from budgets.models import Estimate
from budgets.services import estimate_start
from common.errors import Refused
from projects.models import Project
from projects.services import (
    strategy_brief_start,
    strategy_brief_submit,
    strategy_brief_update,
)
from teams.models import User
from tests.factories import approval_link

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
PAGES_PER_ROUTE = 4
ROLES = {
    "ae": "chen.jing@agency.example",
    "director": "zhang.wei@agency.example",
    "finance": "liu.yang@agency.example",
    "staff": "zhao.min@agency.example",
    "signed out": None,
}

# Routes no walk reaches, and why.
UNREACHED = {
    # Opened from a link in an email, with a token: fuzzed below with a made-up token.
    "accounts:recap_respond": "reached from a recap email",
    "teams:password_reset_confirm": "reached from a reset email",
    "teams:password_reset_complete": "reached after a reset",
    "teams:password_reset_sent": "reached after asking for a reset",
    # Read by calendar apps from the address on the preferences page; its key is tried
    # made up in tests/agency/test_calendar_feed.py.
    "calendar_feed": "read by calendar apps",
    # Signing out ends the walk; it takes no input.
    "teams:logout": "signs the walker out",
}

# Answers that mean the form was refused: then nothing may have been written.
REFUSED = re.compile(r'is-invalid|class="errorlist|alert-danger|invalid-feedback')

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "line\r\nBcc: someone@elsewhere.example",
    "😀🎉 点心",
    "x" * 10_000,
    "é" * 5_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "99999999999999.99",
    "-99999999999999.99",
    "999999999999.99",
    "1e309",
    "NaN",
    "Infinity",
    "-0",
    "0",
    "0.001",
    "²",
    "١٢٣",
    "999999999999999999999",
    "-1",
    "2147483648",
    "abc",
    "{",
    "[]",
]
HOSTILE = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))


@dataclass
class Form:
    role: str
    page: str
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name -> (kind, [values])

    @property
    def key(self):
        """One form is fuzzed once, by the first role that finds it."""
        return (_route(self.action), self.method, tuple(sorted(self.fields)))


class PageReader(HTMLParser):
    """The links, htmx requests and forms of one page."""

    def __init__(self, url):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links = []
        self.forms = []
        self._form = None
        self._orphans = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("href"):
            self.links.append((attrs["href"], False))
        if attrs.get("hx-get"):
            self.links.append((attrs["hx-get"], True))
        if tag == "form" or (attrs.get("hx-post") and tag != "form"):
            method = "post" if attrs.get("hx-post") else (attrs.get("method") or "get").lower()
            action = attrs.get("hx-post") or attrs.get("action") or self.url
            form = {"action": action, "method": method, "fields": {}}
            if tag == "form":
                self._form = form
            self.forms.append(form)
            return
        fields = self._form["fields"] if self._form else self._orphans
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") != "file":
            kind = (attrs.get("type") or "text").lower()
            values = fields.setdefault(name, (kind, []))[1]
            if kind in ("checkbox", "radio", "submit", "hidden") or attrs.get("value"):
                values.append(attrs.get("value", "on"))
        elif tag == "button" and name:
            fields.setdefault(name, ("submit", []))[1].append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = fields.setdefault(name, ("select", []))[1]
        elif tag == "option" and self._select is not None:
            self._select.append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            fields.setdefault(name, ("textarea", []))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def page_forms(self):
        """The forms, and for an htmx fragment whose fields sit in a form of the page that
        fetched it, one posting them back to where the fragment came from."""
        forms = list(self.forms)
        if self._orphans:
            forms.append({"action": self.url, "method": "post", "fields": self._orphans})
        return forms


def _route(url):
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def _named_routes(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(entry, "url_patterns"):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


def _start_urls():
    """The pages the URL conf names that need no argument."""
    urls = []
    for name, _entry in _named_routes():
        if name.startswith("admin:") or name in UNREACHED:
            continue
        try:
            urls.append(reverse(name))
        except Exception:  # noqa: BLE001, S112 - a route with arguments is reached by links
            continue
    return urls


def _walk(client, role, reached, first=()):
    """Every form on the first pages of each route this role can open, starting from the
    pages `first`."""
    queue = [(url, False) for url in [*first, "/", *_start_urls()]]
    seen_urls, pages_of = set(), {}
    forms = []
    while queue:
        link, by_htmx = queue.pop(0)
        url = urldefrag(link)[0]
        if not url.startswith("/") or url.startswith(("/admin/", "/static/", "//")):
            continue
        route = _route(url)
        if route is None or route in UNREACHED or url in seen_urls:
            continue
        if pages_of.get(route, 0) >= PAGES_PER_ROUTE:
            continue
        seen_urls.add(url)
        pages_of[route] = pages_of.get(route, 0) + 1
        response = client.get(url, headers={"HX-Request": "true"} if by_htmx else {})
        if response.status_code == 400:
            reached.add(route)  # it needs input the walk does not give: the fuzz gives it
        if response.status_code != 200:
            continue
        reached.add(route)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        reader = PageReader(url)
        reader.feed(response.content.decode())
        queue.extend(reader.links)
        for found in reader.page_forms():
            action = urldefrag(found["action"])[0]
            if _route(action) in (None, "teams:logout") or action.startswith("/admin/"):
                continue
            reached.add(_route(action))
            forms.append(Form(role, url, action, found["method"], found["fields"]))
    return forms


def _row_counts():
    """How many rows each of the portal's tables holds, in one query."""
    tables = [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in ("sessions", "axes", "admin")
    ]
    select = ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}")  # noqa: S608 - table names from the models
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _values(form):
    """A hypothesis strategy for what one submission of `form` carries."""
    strategies = {}
    for name, (kind, values) in form.fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        known = [value for value in values if value is not None]
        if kind in ("checkbox",):
            choice = st.sampled_from([None, *(known or ["on"])])
        elif kind == "submit":
            choice = st.sampled_from(known or [""])
        elif known:
            choice = st.one_of(st.sampled_from(known), HOSTILE)
        else:
            choice = HOSTILE
        strategies[name] = choice
    return st.fixed_dictionaries(strategies)


def _send(client, form, values):
    data = {name: value for name, value in values.items() if value is not None}
    if form.method == "get":
        return client.get(f"{urlsplit(form.action).path}?{urlencode(data)}")
    return client.post(form.action, data, headers={"HX-Request": "true"})


def _fuzz(client, form, cases):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(values=_values(form))
    def submit(values):
        before = _row_counts()
        response = _send(client, form, values)
        cases.append(1)
        assert response.status_code != 500
        refused = response.status_code >= 400 or (
            response.status_code == 200 and REFUSED.search(response.content.decode())
        )
        if refused:
            after = _row_counts()
            changed = {table: (before[table], after[table]) for table in before}
            changed = {table: counts for table, counts in changed.items() if len(set(counts)) > 1}
            assert changed == {}, f"{form.action} refused but wrote rows: {changed}"

    submit()


def _open_states():
    """What the demo agency leaves closed, opened so that the walk finds its forms, and the
    pages that show them, for the walk to start from: a draft estimate, a strategy brief
    in draft and one submitted, a project with no open brief, a draft invoice, and the
    re-pitched proposal tied to a project with its last round returned for revision."""
    ae = User.objects.get(email=ROLES["ae"])
    finance = User.objects.get(email=ROLES["finance"])
    pages = []
    projects = list(Project.objects.visible_to(ae).order_by("pk"))
    for project in projects:
        try:
            estimate_start(project=project, author=ae)
        except Refused:
            continue
        pages.append(reverse("budgets:project_budget", args=[project.pk]))
        break
    briefs = []
    for project in projects:
        if project.strategy_briefs.filter(status__in=["draft", "submitted"]).exists():
            continue
        if len(briefs) == 2:
            pages.append(project.get_absolute_url())  # no open brief: one may start
            break
        brief = strategy_brief_start(project=project, author=ae)
        briefs.append(brief)
        pages.append(project.get_absolute_url())
    strategy_brief_update(
        brief=briefs[1], editor=ae, objectives="Grow trial.", key_message="Fresh daily."
    )
    strategy_brief_submit(brief=briefs[1], submitted_by=ae)
    invoice = invoice_create(
        client=projects[0].client,
        created_by=finance,
        issue_date=timezone.localdate(),
        lines=[("Fee", Decimal("1000"))],
    )
    pages.append(reverse("billing:invoice_detail", args=[invoice.pk]))
    proposal = Proposal.objects.annotate(rounds_held=Count("rounds")).latest("rounds_held")
    Proposal.objects.filter(pk=proposal.pk).update(project=proposal.client.projects.first())
    last = proposal.rounds.order_by("-number").first()
    ProposalRound.objects.filter(pk=last.pk).update(
        status="revision_requested", revision_reasons="Warmer colours."
    )
    pages.append(proposal.get_absolute_url())
    # A client's links to approve an estimate and to decide on a presented round (with its
    # deck), which any browser may open, and the round's page, which sends it.
    approved = Estimate.objects.filter(status="approved").order_by("pk").first()
    pages.append(approval_link(approved))
    pitch = proposal_create(
        client=projects[0].client, created_by=ae, title="Autumn pitch", kind="creative"
    )
    presented = pitch.rounds.get()
    for status in ("internal_review", "presented"):
        proposal_round_set_status(round_=presented, status=status, changed_by=ae)
    attachment_add(
        kind="round",
        owner=presented,
        upload=ContentFile(sample_pdf("Autumn pitch"), name="Autumn pitch.pdf"),
        uploaded_by=ae,
    )
    pages.append(pitch.get_absolute_url())
    pages.append(approval_link(presented))
    return pages


def test_every_form_takes_hostile_input_without_a_server_error_or_a_partial_row(capsys):
    call_command("seed_demo", verbosity=0)
    capsys.readouterr()
    opened = _open_states()
    reached, forms = set(), {}
    for role, email in ROLES.items():
        client = Browser()
        if email:
            client.force_login(User.objects.get(email=email))
        for form in _walk(client, role, reached, first=opened):
            forms.setdefault(form.key, (client, form))

    routes = {name for name, _entry in _named_routes() if not name.startswith("admin:")}
    missing = sorted(routes - reached - set(UNREACHED))
    assert missing == [], f"routes no page leads to: {missing}"

    # The pages opened from an email, with a made-up token.
    anonymous = Browser()
    for path in ("/recap/not-a-token/", "/documents/not-a-token/", "/auth/reset/MQ/set-password/"):
        forms.setdefault(path, (anonymous, Form("signed out", path, path, "post", {})))

    cases = []
    for client, form in forms.values():
        if not form.fields:
            form.fields = {"anything": ("text", [])}
        _fuzz(client, form, cases)

    with capsys.disabled():
        print(f"\nfuzzed {len(forms)} forms with {len(cases)} cases")
    assert len(forms) > 50
