"""The search box: clients, contacts, projects, contact reports, proposals and invoices that
hold the words typed, each kind scoped as its own pages are, best first, the words marked."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    CLIENT_SEARCHED,
    CONTACT_SEARCHED,
    PROPOSAL_SEARCHED,
    REPORT_SEARCHED,
    Client,
    Contact,
    ContactReport,
    Proposal,
    of_visible_clients,
)
from billing import selectors as billing_selectors
from billing.models import INVOICE_SEARCHED
from common import search
from common.urls import pk_reverse
from projects.models import PROJECT_SEARCHED, Project

# Each kind shows its best rows; a kind with more says so and, where a list can show them
# all, links to it.
SHOWN = 8
# How much of a report shows either side of the first word found.
SNIPPET = 60
REPORT_KINDS = dict(ContactReport.Kind.choices)


@dataclass
class Hit:
    title: str  # marked
    url: str
    detail: str = ""  # marked
    snippet: str = ""  # marked


@dataclass
class Group:
    kind: str
    label: str
    hits: list = field(default_factory=list)
    more: bool = False
    more_url: str = ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    visible: Callable  # user -> the rows the user may see, as the kind's pages scope them
    searched: tuple  # the columns of the kind's search index
    shown: tuple  # the columns a hit is drawn from
    order: tuple  # best first: within a rank when there is a title, else alone
    hit: Callable  # (row, words) -> Hit
    title: str | None = None  # the column ranked by: the words typed, then beginning so
    list_name: str = ""  # the list that searches the same words, when there is one

    def source(self, user):
        return search.Source(
            self.visible(user).values(*self.shown), self.searched, self.order, self.title
        )


def _client_hit(client, words):
    return Hit(
        search.highlight(client["name"], words),
        pk_reverse("accounts:client_detail", client["id"]),
        search.highlight(client["code"], words),
    )


def _contact_hit(contact, words):
    detail = " · ".join(
        part for part in [contact["title"], contact["client_name"], contact["email"]] if part
    )
    return Hit(
        search.highlight(contact["name"], words),
        pk_reverse("accounts:client_detail", contact["client_id"]) + "#contacts-heading",
        search.highlight(detail, words),
    )


def _project_hit(project, words):
    return Hit(
        search.highlight(f"{project['job_number']} {project['name']}", words),
        pk_reverse("projects:project_detail", project["id"]),
        project["client_name"],
    )


def _report_hit(report, words):
    text = "\n".join(filter(None, (report[column] for column in REPORT_SEARCHED)))
    occurred_at = datetime.fromisoformat(report["occurred_at"])
    return Hit(
        f"{report['client_name']} · {REPORT_KINDS.get(report['kind'], report['kind'])}",
        pk_reverse("accounts:report_detail", report["id"]),
        f"{timezone.localtime(occurred_at):%Y-%m-%d}",
        search.highlight(text, words, around=SNIPPET),
    )


def _proposal_hit(proposal, words):
    return Hit(
        search.highlight(proposal["title"], words),
        pk_reverse("accounts:proposal_detail", proposal["id"]),
        proposal["client_name"],
    )


def _invoice_hit(invoice, words):
    fapiao = f" · {invoice['fapiao_number']}" if invoice["fapiao_number"] else ""
    return Hit(
        search.highlight(f"{invoice['number']}{fapiao}", words),
        pk_reverse("billing:invoice_detail", invoice["id"]),
        f"{invoice['client_name']} · {invoice['issue_date']}",
    )


def _visible_clients(user):
    return Client.objects.visible_to(user)


def _visible_contacts(user):
    return of_visible_clients(Contact.objects.all(), user)


def _visible_projects(user):
    return Project.objects.visible_to(user)


def _visible_reports(user):
    return ContactReport.objects.visible_to(user)


def _visible_proposals(user):
    return of_visible_clients(Proposal.objects.all(), user)


KINDS = [
    Kind(
        "clients",
        _("Clients"),
        _visible_clients,
        CLIENT_SEARCHED,
        ("id", "name", "code"),
        ("name",),
        _client_hit,
        title="name",
        list_name="accounts:client_list",
    ),
    Kind(
        "contacts",
        _("Contacts"),
        _visible_contacts,
        CONTACT_SEARCHED,
        ("id", "client_id", "name", "title", "email"),
        ("name",),
        _contact_hit,
        title="name",
    ),
    Kind(
        "projects",
        _("Projects"),
        _visible_projects,
        PROJECT_SEARCHED,
        ("id", "client_id", "job_number", "name", "created_at"),
        ("-created_at",),
        _project_hit,
        title="job_number",
        list_name="projects:project_list",
    ),
    Kind(
        "reports",
        _("Contact reports"),
        _visible_reports,
        REPORT_SEARCHED,
        ("id", "client_id", "kind", "occurred_at", *REPORT_SEARCHED),
        # Notes have no title to rank by: the most recent first.
        ("-occurred_at", "-id"),
        _report_hit,
    ),
    Kind(
        "proposals",
        _("Proposals"),
        _visible_proposals,
        PROPOSAL_SEARCHED,
        ("id", "client_id", "title", "created_at"),
        ("-created_at",),
        _proposal_hit,
        title="title",
    ),
    Kind(
        "invoices",
        _("Invoices"),
        billing_selectors.visible_invoices,
        INVOICE_SEARCHED,
        ("id", "client_id", "number", "fapiao_number", "issue_date"),
        ("-issue_date",),
        _invoice_hit,
        title="number",
        list_name="billing:invoice_list",
    ),
]


def find(user, query: str) -> list[Group]:
    """The groups of rows holding every word of `query` that the user may see; a kind with
    none is left out."""
    words = search.words(query)
    if not words:
        return []
    found = search.first_found(
        [kind.source(user) for kind in KINDS],
        words,
        SHOWN + 1,
        clients=Client.objects.values("id", "name"),
    )
    groups = []
    for kind, rows in zip(KINDS, found, strict=True):
        if not rows:
            continue
        group = Group(kind.key, kind.label, [kind.hit(row, words) for row in rows[:SHOWN]])
        if len(rows) > SHOWN:
            group.more = True
            if kind.list_name:
                group.more_url = f"{reverse(kind.list_name)}?{urlencode({'q': ' '.join(words)})}"
        groups.append(group)
    return groups
