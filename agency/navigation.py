"""The sections of the portal and who may use them. The navigation bar and the desk show
a signed-in user the sections their role allows, asked through teams.permissions."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from teams import permissions


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    allowed: Callable[..., bool]
    description: str = ""
    # A count shown beside the label, fetched after the page has loaded.
    count_url_name: str = ""
    # Folded under "More" when a person has more sections than the bar holds.
    foldable: bool = False


SECTIONS = [
    Section(_("My desk"), "home", _everyone),
    Section(
        _("Clients"),
        "accounts:client_list",
        permissions.can_use_clients,
        _("Client accounts, their contacts and account teams."),
    ),
    Section(
        _("Projects"),
        "projects:project_list",
        permissions.can_use_projects,
        _("Jobs, their briefs, strategy sign-off and tasks."),
    ),
    Section(
        _("Meetings"),
        "accounts:meeting_list",
        _everyone,
        _("Client meetings and calls: coming up, held and waiting for their report."),
    ),
    Section(
        _("Traffic"),
        "projects:board",
        permissions.can_use_projects,
        _("Every task by department and status; late and at-risk hand-offs flagged."),
    ),
    Section(
        _("Approvals"),
        "budgets:approvals",
        permissions.can_sign_off,
        _("Briefs, estimates, spend plans and costs waiting for your sign-off, oldest first."),
        count_url_name="budgets:approvals_count",
    ),
    Section(
        _("Budget review"),
        "budgets:budget_review",
        permissions.can_sign_off,
        _("Projects burning ahead of schedule, margin per client, sign-offs waiting."),
    ),
    Section(
        _("Invoices"),
        "billing:invoice_list",
        permissions.can_see_budgets,
        _("Invoices with what is paid and what is outstanding."),
    ),
    Section(
        _("Costs"),
        "budgets:cost_list",
        permissions.can_see_budgets,
        _("Vendor bills and staff time booked against the projects."),
    ),
    Section(
        _("Collections"),
        "billing:collections",
        permissions.can_see_collections,
        _("Money owed by aging bucket, overdue invoices, DSO and what to expect this month."),
    ),
    Section(
        _("Exchange rates"),
        "billing:exchange_rates",
        permissions.can_see_collections,
        _("What each client currency is worth in the base currency, from which day."),
        foldable=True,
    ),
    Section(
        _("My tasks"),
        "projects:my_tasks",
        _everyone,
        _("The work handed to you, with what it waits on."),
        foldable=True,
    ),
    Section(
        _("My action items"),
        "accounts:my_action_items",
        _everyone,
        _("What you promised in client meetings, overdue first."),
        foldable=True,
    ),
    Section(
        _("Administration"),
        "admin:index",
        permissions.can_use_admin,
        _("Manage users, departments and settings."),
        foldable=True,
    ),
]


# The sections the bar shows in a line on a laptop's screen, beside the search box.
BAR_HOLDS = 9


def bar_for(user, current_path: str = "") -> tuple[list[dict], list[dict]]:
    """The sections on the bar, and those folded under "More" when there are too many."""
    sections = sections_for(user, current_path)
    if len(sections) <= BAR_HOLDS:
        return sections, []
    return (
        [section for section in sections if not section["foldable"]],
        [section for section in sections if section["foldable"]],
    )


def sections_for(user, current_path: str = "") -> list[dict]:
    sections = []
    for section in SECTIONS:
        if not section.allowed(user):
            continue
        url = reverse(section.url_name)
        sections.append(
            {
                "label": section.label,
                "url": url,
                "description": section.description,
                "count_url": reverse(section.count_url_name) if section.count_url_name else "",
                "foldable": section.foldable,
                "active": current_path == url or (url != "/" and current_path.startswith(url)),
            }
        )
    return sections
