"""The search box: clients, contacts, projects, contact reports, proposals and invoices that
hold the words typed, each kind scoped as its own pages are, best first, the words marked."""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery
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
from projects.models import PROJECT_SEARCHED, Project

# Each kind shows its best rows; a kind with more says so and, where a list can show them
# all, links to it.
SHOWN = 8
# How much of a report shows either side of the first word found.
SNIPPET = 60


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
    rows: Callable  # (user, words) -> the rows found, best first (SHOWN + 1 are read)
    hit: Callable  # (row, words) -> Hit
    list_name: str = ""  # the list that searches the same words, when there is one


def _with_client(rows):
    """With their client's name, taken for the rows shown only: a join would be made for
    every row found, before the best few are picked."""
    return rows.annotate(
        client_name=Subquery(Client.objects.filter(pk=OuterRef("client_id")).values("name"))
    )


def _clients(user, words):
    clients = search.matching(Client.objects.visible_to(user), CLIENT_SEARCHED, words)
    return search.ranked(clients, "name", " ".join(words), "name")


def _client_hit(client, words):
    return Hit(
        search.highlight(client.name, words),
        client.get_absolute_url(),
        search.highlight(client.code, words),
    )


def _contacts(user, words):
    contacts = search.matching(
        of_visible_clients(Contact.objects.all(), user), CONTACT_SEARCHED, words
    )
    return search.ranked(_with_client(contacts), "name", " ".join(words), "name")


def _contact_hit(contact, words):
    detail = " · ".join(
        part for part in [contact.title, contact.client_name, contact.email] if part
    )
    return Hit(
        search.highlight(contact.name, words),
        reverse("accounts:client_detail", args=[contact.client_id]) + "#contacts-heading",
        search.highlight(detail, words),
    )


def _projects(user, words):
    projects = search.matching(Project.objects.visible_to(user), PROJECT_SEARCHED, words)
    return search.ranked(_with_client(projects), "job_number", " ".join(words), "-created_at")


def _project_hit(project, words):
    return Hit(
        search.highlight(f"{project.job_number} {project.name}", words),
        project.get_absolute_url(),
        project.client_name,
    )


def _reports(user, words):
    # Notes have no title to rank by: the most recent first.
    return search.newest_matching(
        _with_client(ContactReport.objects.visible_to(user)),
        REPORT_SEARCHED,
        words,
        ("-occurred_at", "-pk"),
        wanted=SHOWN + 1,
    )


def _report_hit(report, words):
    text = "\n".join(filter(None, (getattr(report, column) for column in REPORT_SEARCHED)))
    return Hit(
        f"{report.client_name} · {report.get_kind_display()}",
        report.get_absolute_url(),
        f"{timezone.localtime(report.occurred_at):%Y-%m-%d}",
        search.highlight(text, words, around=SNIPPET),
    )


def _proposals(user, words):
    proposals = search.matching(
        of_visible_clients(Proposal.objects.all(), user), PROPOSAL_SEARCHED, words
    )
    return search.ranked(_with_client(proposals), "title", " ".join(words), "-created_at")


def _proposal_hit(proposal, words):
    return Hit(
        search.highlight(proposal.title, words),
        proposal.get_absolute_url(),
        proposal.client_name,
    )


def _invoices(user, words):
    invoices = search.matching(billing_selectors.visible_invoices(user), INVOICE_SEARCHED, words)
    return search.ranked(_with_client(invoices), "number", " ".join(words), "-issue_date")


def _invoice_hit(invoice, words):
    fapiao = f" · {invoice.fapiao_number}" if invoice.fapiao_number else ""
    return Hit(
        search.highlight(f"{invoice.number}{fapiao}", words),
        reverse("billing:invoice_detail", args=[invoice.pk]),
        f"{invoice.client_name} · {invoice.issue_date:%Y-%m-%d}",
    )


KINDS = [
    Kind("clients", _("Clients"), _clients, _client_hit, "accounts:client_list"),
    Kind("contacts", _("Contacts"), _contacts, _contact_hit),
    Kind("projects", _("Projects"), _projects, _project_hit, "projects:project_list"),
    Kind("reports", _("Contact reports"), _reports, _report_hit),
    Kind("proposals", _("Proposals"), _proposals, _proposal_hit),
    Kind("invoices", _("Invoices"), _invoices, _invoice_hit, "billing:invoice_list"),
]


def find(user, query: str) -> list[Group]:
    """The groups of rows holding every word of `query` that the user may see; a kind with
    none is left out."""
    words = search.words(query)
    if not words:
        return []
    groups = []
    for kind in KINDS:
        rows = list(kind.rows(user, words)[: SHOWN + 1])
        if not rows:
            continue
        group = Group(kind.key, kind.label, [kind.hit(row, words) for row in rows[:SHOWN]])
        if len(rows) > SHOWN:
            group.more = True
            if kind.list_name:
                group.more_url = f"{reverse(kind.list_name)}?{urlencode({'q': ' '.join(words)})}"
        groups.append(group)
    return groups
