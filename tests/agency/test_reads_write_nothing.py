"""Opening a page never writes: each role walks the demo agency from its desk, following
every link and every htmx fetch on each page, and no GET may insert, update, delete or lock
a row (the session and the sign-in throttle keep their own tables)."""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

from accounts.models import ProposalRound
from billing.models import Payment
from budgets import services as budgets_services
from budgets.models import Estimate
from projects import services as projects_services
from projects.models import Project
from teams.models import User
from tests.agency.test_access import PORTAL_PAGES
from tests.factories import approval_link
from tests.routes import POST_ONLY

pytestmark = pytest.mark.django_db

ROLES = [
    "admin@agency.example",
    "chen.jing@agency.example",
    "zhang.wei@agency.example",
    "liu.yang@agency.example",
    "zhao.min@agency.example",
]
# Tables a GET may write: the session and the sign-in throttle, which are not portal data.
OWN_TABLES = re.compile(r'"?(django_session|axes_\w+)"?')
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE)\b|\bFOR (NO KEY )?UPDATE\b", re.IGNORECASE)
VISITS_PER_ROUTE = 2


class Links(HTMLParser):
    """The portal paths a page links to or fetches with htmx."""

    def __init__(self):
        super().__init__()
        self.paths = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "hx-get") and value and value.startswith("/"):
                self.paths.append(urldefrag(value)[0])


def route_of(path):
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def walk(client, start):
    """Every page reachable from these, at most VISITS_PER_ROUTE of each route, with the
    writes each GET made."""
    queue, seen, visits, writes, failures = list(start), set(), Counter(), {}, {}
    while queue:
        path = queue.pop(0)
        route = route_of(path)
        if path in seen or route is None or route.startswith("admin:") or path == "/static/":
            continue
        if route == "teams:logout" or visits[route] >= VISITS_PER_ROUTE:
            continue
        seen.add(path)
        visits[route] += 1
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        written = [
            query["sql"]
            for query in queries.captured_queries
            if WRITE.search(query["sql"]) and not OWN_TABLES.search(query["sql"])
        ]
        if written:
            writes[path] = written
        if response.status_code >= 500:
            failures[path] = response.status_code
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            parser = Links()
            parser.feed(response.content.decode())
            queue.extend(parser.paths)
    return visits, writes, failures


def test_no_page_writes_a_row_whoever_opens_it(client):
    call_command("seed_demo")
    # Drafts, so that their edit pages are linked too.
    project = Project.objects.get(name="Chilled yoghurt launch")
    budgets_services.estimate_start(project=project, author=project.owner)
    projects_services.strategy_brief_start(project=project, author=project.owner)
    # An invoice with a payment, so that its reversal page is linked too.
    paid = reverse("billing:invoice_detail", args=[Payment.objects.first().invoice_id])
    # A client's links to approve the estimate and to decide on a presented round (with its
    # deck), which any browser may open.
    approval = approval_link(Estimate.objects.approved_for(project))
    presented = approval_link(ProposalRound.objects.filter(status="presented").first())
    reached = set()

    for email in ROLES:
        client.force_login(User.objects.get(email=email))
        # The search is a form, not a link: it starts the walk with a search of the notes.
        searched = reverse("search") + "?q=冷泡"
        start = ["/", project.get_absolute_url(), paid, searched, approval, presented]
        visits, writes, failures = walk(client, start)
        reached |= set(visits)

        assert writes == {}, f"{email}: pages that wrote"
        assert failures == {}, f"{email}: pages that failed"

    unreached = {name for name, _ in PORTAL_PAGES} - reached - POST_ONLY
    assert unreached == set(), "pages no link leads to: add them to the walk"
