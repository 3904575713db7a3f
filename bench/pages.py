"""The pages the benchmark drives, and who is signed in for each (None: signed out)."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str | None
    # A list of 25 rows, whose CPU target is lower than a page's.
    list_of_25: bool = False

    def resolve(self) -> str:
        """The path with each {client name}, {proposal:title}, {project:name}, {plan:name},
        {report:client name} (its latest contact report), {meeting:client name} (its last
        meeting), {calendar:email} (that person's calendar feed key, made if missing),
        {invoice:client name} (its
        largest invoice), {estimate:project name} (its latest estimate),
        {cost:project name} (its latest cost) replaced by that demo object's id, or
        {approval:project name} by the token of a client's link to approve its signed-off
        estimate (sent to the client's first contact if it was not yet)."""
        from accounts.models import Client, ContactReport, Meeting, Proposal
        from billing.models import Invoice
        from budgets.models import CostEntry, Estimate, SpendPlan
        from projects.models import Project
        from teams.models import User
        from teams.services import calendar_token_replace

        def object_id(match):
            kind, _, title = match.group(1).partition(":")
            if kind == "proposal":
                return str(Proposal.objects.get(title=title).pk)
            if kind == "project":
                return str(Project.objects.get(name=title).pk)
            if kind == "plan":
                return str(SpendPlan.objects.get(name=title).pk)
            if kind == "report":
                return str(
                    ContactReport.objects.filter(client__name=title).latest("occurred_at").pk
                )
            if kind == "cost":
                return str(CostEntry.objects.filter(project__name=title).latest("pk").pk)
            if kind == "estimate":
                return str(Estimate.objects.filter(project__name=title).latest("version").pk)
            if kind == "approval":
                return approval_token(title)
            if kind == "calendar":
                person = User.objects.get(email=title)
                return person.calendar_token or calendar_token_replace(user=person)
            if kind == "meeting":
                return str(Meeting.objects.filter(client__name=title).latest("starts_at").pk)
            if kind == "invoice":
                return str(Invoice.objects.filter(client__name=title).order_by("-total").first().pk)
            return str(Client.objects.get(name=match.group(1)).pk)

        return re.sub(r"\{([^}]+)\}", object_id, self.path)


def approval_token(project_name: str) -> str:
    from accounts.models import SentDocument
    from accounts.services import document_token
    from budgets import services
    from budgets.models import Estimate

    estimate = (
        Estimate.objects.filter(project__name=project_name, status=Estimate.Status.APPROVED)
        .select_related("project__client", "project__owner")
        .latest("version")
    )
    sending = (
        SentDocument.objects.filter(object_id=estimate.pk, asks_approval=True, decisions=None)
        .filter(content_type__model="estimate")
        .first()
    )
    if sending is None:
        contact = estimate.project.client.contacts.exclude(email="").first()
        services.estimate_send(
            estimate=estimate, sent_by=estimate.project.owner, contacts=[contact]
        )
        sending = SentDocument.objects.filter(object_id=estimate.pk).latest("pk")
    contact = sending.client.contacts.get(pk=sending.recipients[0]["contact"])
    return document_token(sending=sending, contact=contact)


AE = "chen.jing@agency.example"
DIRECTOR = "zhang.wei@agency.example"
DESIGNER = "zhao.min@agency.example"
FINANCE = "liu.yang@agency.example"

PAGES = [
    Page("healthz", "/healthz", None),
    Page("my desk (AE)", "/", AE),
    Page("my desk (director)", "/", DIRECTOR),
    Page("my desk (designer)", "/", DESIGNER),
    Page("my desk (finance)", "/", FINANCE),
    Page("approvals (director)", "/approvals/", DIRECTOR),
    Page("approvals count (director)", "/approvals/count/", DIRECTOR),
    Page("client list (AE)", "/clients/", AE, list_of_25=True),
    Page("client list (director)", "/clients/", DIRECTOR, list_of_25=True),
    Page("client page (AE)", "/clients/{Qinghe Dairy}/", AE),
    Page("contact report (AE)", "/reports/{report:Qinghe Dairy}/", AE),
    Page("my action items (AE)", "/action-items/", AE),
    Page("meeting page (AE)", "/meetings/{meeting:Qinghe Dairy}/", AE),
    Page(
        "proposal page (AE)", "/proposals/{proposal:Chilled yoghurt launch: creative routes}/", AE
    ),
    Page("project list (director)", "/projects/", DIRECTOR, list_of_25=True),
    Page("project page (AE)", "/projects/{project:Chilled yoghurt launch}/", AE),
    Page("my tasks (designer)", "/my-tasks/", DESIGNER, list_of_25=True),
    Page("traffic board (director)", "/traffic/", DIRECTOR),
    Page("project budget (AE)", "/projects/{project:Chilled yoghurt launch}/budget/", AE),
    Page("budget history (AE)", "/projects/{project:Chilled yoghurt launch}/budget/history/", AE),
    Page(
        "cost reversal (AE)",
        "/projects/{project:Chilled yoghurt launch}/costs/{cost:Chilled yoghurt launch}/reverse/",
        AE,
    ),
    Page("budget review (director)", "/budgets/review/", DIRECTOR),
    Page("collections (finance)", "/collections/", FINANCE),
    Page("invoice list (finance)", "/invoices/", FINANCE, list_of_25=True),
    Page("exchange rates (finance)", "/exchange-rates/", FINANCE),
    Page("invoice page (finance)", "/invoices/{invoice:Qinghe Dairy}/", FINANCE),
    Page("invoice history (finance)", "/invoices/{invoice:Qinghe Dairy}/history/", FINANCE),
    Page("spend plan (AE)", "/spend-plans/{plan:Chilled yoghurt launch season}/", AE),
    Page("notification bell (AE)", "/notifications/bell/", AE),
    Page("notification inbox (AE)", "/notifications/", AE),
    Page("notification preferences (AE)", "/notifications/preferences/", AE),
    Page("calendar feed (AE)", "/calendar/{calendar:chen.jing@agency.example}.ics", None),
    Page("calendar feed (finance)", "/calendar/{calendar:liu.yang@agency.example}.ics", None),
    Page("cost list (director)", "/costs/", DIRECTOR),
    Page(
        "cost list, one line, largest (director)", "/costs/?category=media&sort=-amount", DIRECTOR
    ),
    Page("meeting list (AE)", "/meetings/", AE, list_of_25=True),
    Page(
        "project list, late (director)",
        "/projects/?late=on&sort=-deadline",
        DIRECTOR,
        list_of_25=True,
    ),
    Page(
        "client list, searched (director)",
        "/clients/?q=a&sort=repitch",
        DIRECTOR,
        list_of_25=True,
    ),
    Page(
        "invoice export, one client (finance)",
        "/invoices/export/csv/?client={Qinghe Dairy}",
        FINANCE,
    ),
    Page("invoice PDF (finance)", "/invoices/{invoice:Qinghe Dairy}/pdf/", FINANCE),
    Page(
        "client approval page, estimate (signed out)",
        "/documents/{approval:Chilled yoghurt launch}/",
        None,
    ),
    Page(
        "client approval PDF, estimate (signed out)",
        "/documents/{approval:Chilled yoghurt launch}/pdf/",
        None,
    ),
    Page(
        "estimate PDF (AE)",
        "/projects/{project:Chilled yoghurt launch}/budget/{estimate:Chilled yoghurt launch}/pdf/",
        AE,
    ),
    # Search, as a director who sees every account: two Chinese characters of a name and of
    # a note, a Chinese phrase, English words, a job number.
    Page("search: 王芳 (director)", "/search/?q=%E7%8E%8B%E8%8A%B3", DIRECTOR),
    Page("search: 冷泡 (director)", "/search/?q=%E5%86%B7%E6%B3%A1", DIRECTOR),
    Page(
        "search: 春节前上市 (director)",
        "/search/?q=%E6%98%A5%E8%8A%82%E5%89%8D%E4%B8%8A%E5%B8%82",
        DIRECTOR,
    ),
    Page("search: key visual (director)", "/search/?q=key+visual", DIRECTOR),
    Page("search: job number (director)", "/search/?q=S0420-2", DIRECTOR),
    Page("search: qinghe (AE)", "/search/?q=qinghe", AE),
]
