from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from common import exports
from common.documents import letterhead, pdf_response
from common.errors import Refused
from common.views import back_to, filtered_page, show_refusal
from teams import permissions
from teams.models import User

from . import attachments, services
from .forms import (
    AccountTeamMemberForm,
    ActionItemFilterForm,
    ActionItemFormSet,
    AttachmentForm,
    AttendeeResponseForm,
    ClientDecisionForm,
    ClientFilterForm,
    ClientForm,
    ContactForm,
    ContactReportForm,
    DocumentSendForm,
    MeetingFilterForm,
    MeetingForm,
    ProposalForm,
    RoundHoursForm,
    RoundStatusForm,
    action_items_from,
)
from .models import (
    AccountTeamMember,
    ActionItem,
    Attachment,
    Client,
    Contact,
    ContactReport,
    Meeting,
    Proposal,
    ProposalRound,
    RoundHours,
    of_visible_clients,
)
from .selectors import attach_sendings, attachments_of, sendings_of, start_of

CLIENTS_PER_PAGE = 25


def _visible_client(request, pk):
    return get_object_or_404(Client.objects.visible_to(request.user), pk=pk)


def _editable_client(request, pk):
    return get_object_or_404(Client.objects.editable_by(request.user), pk=pk)


def _client_filters(request):
    if not permissions.can_use_clients(request.user):
        raise Http404
    return ClientFilterForm(request.GET or None), Client.objects.visible_to(request.user).for_list()


def client_list(request):
    filters, clients = _client_filters(request)
    page, query = filtered_page(request, filters, clients, CLIENTS_PER_PAGE)
    return render(
        request,
        "accounts/client_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "can_open": permissions.can_open_clients(request.user),
        },
    )


CLIENT_LIST_COLUMNS = [
    exports.Column(gettext_lazy("Client")),
    exports.Column(gettext_lazy("Code")),
    exports.Column(gettext_lazy("Status")),
    exports.Column(gettext_lazy("Industry")),
    exports.Column(gettext_lazy("Lead AE")),
    exports.Column(gettext_lazy("Account director")),
    exports.Column(gettext_lazy("Currency")),
    exports.day(gettext_lazy("Opened")),
    exports.Column(gettext_lazy("Re-pitch rounds"), total=True),
    exports.money(gettext_lazy("Re-pitch cost")),
]


def client_list_export(request, file_format):
    filters, clients = _client_filters(request)
    rows = (
        [
            client.name,
            client.code,
            client.get_status_display(),
            client.industry,
            client.lead_ae.full_name,
            client.account_director.full_name if client.account_director else "",
            client.currency,
            timezone.localdate(client.created_at),
            client.repitch_rounds,
            client.repitch_cost,
        ]
        for client in filters.filter(clients).iterator(chunk_size=1000)
    )
    return exports.download(
        filename=f"clients-{timezone.localdate():%Y-%m-%d}",
        file_format=file_format,
        sheet=_("Clients"),
        columns=CLIENT_LIST_COLUMNS,
        rows=rows,
    )


def client_create(request):
    if not permissions.can_open_clients(request.user):
        raise Http404
    form = ClientForm(request.POST or None, initial={"lead_ae": request.user})
    if request.method == "POST" and form.is_valid():
        client = services.client_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Client %(name)s opened.") % {"name": client.name})
        return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form})


def client_detail(request, pk):
    client = get_object_or_404(Client.objects.visible_to(request.user).for_list(), pk=pk)
    # Of the people who see a client, its team's AEs and the directors may edit it.
    can_edit = permissions.can_open_clients(request.user)
    members = client.memberships.select_related("user__department").order_by("user__full_name")
    return render(
        request,
        "accounts/client_detail.html",
        {
            "client": client,
            "can_edit": can_edit,
            "members": members,
            "contacts": client.contacts.all(),
            "timeline": _timeline(client, reader=request.user),
            "meetings": _meetings_ahead(client),
            "now": timezone.now(),
            "proposals": client.proposals.for_client_page(),
            # Spend plans sit above accounts; read through the reverse relation.
            "show_spend_plans": permissions.can_see_budgets(request.user),
            "spend_plans": client.spend_plans.all(),
        },
    )


TIMELINE_LENGTH = 30
MEETINGS_SHOWN = 10


def _meetings_ahead(client):
    """The meetings still to come and those of the last weeks still waiting for a report."""
    since = timezone.now() - timedelta(days=30)
    return client.meetings.scheduled().filter(report__isnull=True, starts_at__gte=since)[
        :MEETINGS_SHOWN
    ]


def _timeline(client, *, reader):
    """Contact reports, proposal rounds, the projects the reader may open and, for those who
    see the money, invoices and the documents sent to the client; newest first."""
    reports = client.contact_reports.for_timeline()[:TIMELINE_LENGTH]
    rounds = (
        ProposalRound.objects.filter(proposal__client=client)
        .select_related("proposal")
        .order_by("-created_at")[:TIMELINE_LENGTH]
    )
    # Projects sit above accounts; the client page reads them through the reverse relation.
    projects = client.projects.visible_to(reader).order_by("-start_date")[:TIMELINE_LENGTH]
    entries = [(report.occurred_at, "report", report) for report in reports]
    entries += [(start_of(project.start_date), "project", project) for project in projects]
    if permissions.can_see_budgets(reader):
        # Invoices sit above accounts too, read through the same kind of reverse relation.
        today = timezone.localdate()
        for invoice in client.invoices.order_by("-issue_date", "-number")[:TIMELINE_LENGTH]:
            invoice.current_status = invoice.status(today)
            entries.append((start_of(invoice.issue_date), "invoice", invoice))
        sent = client.sent_documents.select_related("sent_by").prefetch_related(
            "decisions__contact"
        )
        entries += [(sending.sent_at, "sent", sending) for sending in sent[:TIMELINE_LENGTH]]
    for round_ in rounds:
        when = round_.created_at
        if round_.presented_on:
            when = start_of(round_.presented_on)
        entries.append((when, "round", round_))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return [{"when": when, "kind": kind, "item": item} for when, kind, item in entries][
        :TIMELINE_LENGTH
    ]


def client_update(request, pk):
    client = _editable_client(request, pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.client_update(client=client, updated_by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form, "client": client})


def team_member_add(request, pk):
    client = _editable_client(request, pk)
    if request.method != "POST":
        # The form is fetched when someone asks for it, to keep the client page light.
        form = AccountTeamMemberForm(client=client)
        return render(
            request, "accounts/partials/team_member_form.html", {"client": client, "form": form}
        )
    form = AccountTeamMemberForm(request.POST, client=client)
    if form.is_valid():
        services.account_team_add(client=client, by=request.user, **form.cleaned_data)
        messages.success(
            request, _("%(name)s joined the team.") % {"name": form.cleaned_data["user"]}
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(client)


@require_POST
def team_member_remove(request, pk, member_pk):
    client = _editable_client(request, pk)
    member = get_object_or_404(
        AccountTeamMember.objects.select_related("client"), pk=member_pk, client=client
    )
    try:
        services.account_team_remove(member=member, by=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(name)s left the team.") % {"name": member.user})
    return redirect(client)


def contact_create(request, pk):
    client = _editable_client(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.contact_create(client=client, by=request.user, **form.cleaned_data)
        messages.success(request, _("Contact added."))
        return redirect(client)
    return render(request, "accounts/contact_form.html", {"form": form, "client": client})


def contact_update(request, pk):
    contact = get_object_or_404(
        Contact.objects.filter(client__in=Client.objects.editable_by(request.user)), pk=pk
    )
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_update(contact=contact, by=request.user, **form.cleaned_data)
        messages.success(request, _("Contact saved."))
        return redirect(contact.client)
    return render(
        request,
        "accounts/contact_form.html",
        {"form": form, "client": contact.client, "contact": contact},
    )


def _report_initial(request, meeting):
    """A new report starts from now and its author, or from the meeting it reports."""
    if meeting is None:
        return {
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
            "staff_attendees": [request.user],
        }
    return {
        "occurred_at": timezone.localtime(meeting.starts_at),
        "kind": meeting.kind,
        "client_attendees": list(meeting.client_attendees.all()),
        "staff_attendees": list(meeting.staff_attendees.all()),
        "agenda": meeting.agenda,
    }


def _report_form_page(request, *, client, report=None, meeting=None):
    form = ContactReportForm(
        request.POST or None,
        instance=report,
        client=client,
        initial=None if report else _report_initial(request, meeting),
    )
    formset = ActionItemFormSet(request.POST or None, instance=report, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = dict(form.cleaned_data)
        attendees = {
            "client_attendees": fields.pop("client_attendees"),
            "staff_attendees": fields.pop("staff_attendees"),
        }
        items = action_items_from(formset)
        if report is None:
            try:
                report = services.contact_report_create(
                    client=client,
                    author=request.user,
                    action_items=items,
                    meeting=meeting,
                    **attendees,
                    **fields,
                )
            except Refused as refusal:
                messages.error(request, str(refusal))
                return redirect(meeting)
            messages.success(request, _("Contact report saved."))
        else:
            try:
                services.contact_report_update(
                    report=report, editor=request.user, action_items=items, **attendees, **fields
                )
            except Refused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, _("Contact report saved."))
        return redirect(report)
    return render(
        request,
        "accounts/contactreport_form.html",
        {
            "form": form,
            "formset": formset,
            "client": client,
            "report": report,
            "meeting": meeting,
        },
    )


def report_create(request, pk):
    client = _editable_client(request, pk)
    return _report_form_page(request, client=client)


def meeting_report_create(request, pk):
    """ "Log the report": the report form, filled from the meeting."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    client = _editable_client(request, meeting.client_id)
    if meeting.report_id:
        messages.info(request, _("The report of this meeting has been logged already."))
        return redirect(meeting.report)
    if meeting.is_cancelled:
        messages.error(request, _("This meeting was cancelled; log a report without it."))
        return redirect(meeting)
    if not meeting.has_taken_place:
        messages.error(request, _("This meeting has not taken place yet."))
        return redirect(meeting)
    return _report_form_page(request, client=client, meeting=meeting)


def _meeting_form_page(request, *, client, meeting=None):
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        client=client,
        initial=None if meeting else {"staff_attendees": [request.user]},
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        attendees = {
            "client_attendees": fields.pop("client_attendees"),
            "staff_attendees": fields.pop("staff_attendees"),
        }
        if meeting is None:
            meeting = services.meeting_schedule(
                client=client, organiser=request.user, **attendees, **fields
            )
        else:
            try:
                services.meeting_update(meeting=meeting, editor=request.user, **attendees, **fields)
            except Refused as refusal:
                messages.error(request, str(refusal))
                return redirect(meeting)
        messages.success(request, _("Meeting saved."))
        return redirect(meeting)
    return render(
        request,
        "accounts/meeting_form.html",
        {"form": form, "client": client, "meeting": meeting},
    )


def meeting_create(request, pk):
    client = _editable_client(request, pk)
    return _meeting_form_page(request, client=client)


def meeting_update(request, pk):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    if not Meeting.objects.editable_by(request.user).filter(pk=pk).exists():
        messages.error(request, _("This meeting can no longer be changed."))
        return redirect(meeting)
    return _meeting_form_page(request, client=meeting.client, meeting=meeting)


MEETINGS_PER_PAGE = 25


def _meeting_filters(request):
    meetings = Meeting.objects.visible_to(request.user)
    filters = MeetingFilterForm(
        request.GET or None,
        clients=Client.objects.filter(pk__in=meetings.values("client")).order_by("name"),
        organisers=User.objects.filter(pk__in=meetings.values("organiser")).order_by("full_name"),
    )
    return filters, meetings.select_related("client", "organiser")


def meeting_list(request):
    filters, meetings = _meeting_filters(request)
    page, query = filtered_page(request, filters, meetings, MEETINGS_PER_PAGE)
    now = timezone.now()
    for meeting in page:
        meeting.current_state = meeting.state(now)
    return render(
        request,
        "accounts/meeting_list.html",
        {"page": page, "filters": filters, "query": query},
    )


MEETING_COLUMNS = [
    exports.moment(gettext_lazy("When")),
    exports.Column(gettext_lazy("Minutes"), total=True),
    exports.Column(gettext_lazy("Kind")),
    exports.Column(gettext_lazy("Client")),
    exports.Column(gettext_lazy("Organiser")),
    exports.Column(gettext_lazy("Place")),
    exports.Column(gettext_lazy("Agenda")),
    exports.Column(gettext_lazy("Status")),
]


def meeting_list_export(request, file_format):
    filters, meetings = _meeting_filters(request)
    now = timezone.now()
    rows = (
        [
            exports.local_moment(meeting.starts_at),
            meeting.minutes,
            meeting.get_kind_display(),
            meeting.client.name,
            meeting.organiser.full_name,
            meeting.place,
            meeting.agenda,
            str(meeting.state(now)),
        ]
        for meeting in filters.filter(meetings).iterator(chunk_size=1000)
    )
    return exports.download(
        filename=f"meetings-{timezone.localdate():%Y-%m-%d}",
        file_format=file_format,
        sheet=_("Meetings"),
        columns=MEETING_COLUMNS,
        rows=rows,
    )


def meeting_detail(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("client", "organiser", "report"),
        pk=pk,
    )
    can_edit = Meeting.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "accounts/meeting_detail.html",
        {
            "meeting": meeting,
            "client": meeting.client,
            "client_attendees": meeting.client_attendees.all(),
            "staff_attendees": meeting.staff_attendees.all(),
            "can_edit": can_edit,
            "can_log_report": can_edit
            and meeting.has_taken_place
            and Client.objects.editable_by(request.user).filter(pk=meeting.client_id).exists(),
        },
    )


def meeting_cancel(request, pk):
    """Asks first, then cancels: a cancelled meeting leaves its attendees' desks."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    if request.method != "POST":
        if not Meeting.objects.editable_by(request.user).filter(pk=pk).exists():
            messages.error(request, _("This meeting can no longer be changed."))
            return redirect(meeting)
        return render(
            request,
            "accounts/meeting_cancel.html",
            {"meeting": meeting, "client": meeting.client},
        )
    try:
        services.meeting_cancel(meeting=meeting, by=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Meeting cancelled."))
    return redirect(meeting)


def report_update(request, pk):
    report = get_object_or_404(ContactReport.objects.visible_to(request.user), pk=pk)
    if not ContactReport.objects.editable_by(request.user).filter(pk=pk).exists():
        messages.error(
            request, _("This report is read-only now; action items can still be ticked done.")
        )
        return redirect(report)
    return _report_form_page(request, client=report.client, report=report)


def action_item_row(request):
    """An empty action-item row for the report form, added without a page reload."""
    formset = ActionItemFormSet(prefix="items")
    try:
        index = int(request.GET.get("items-TOTAL_FORMS", ""))
    except ValueError:
        return HttpResponseBadRequest()
    form = formset.form(prefix=f"items-{index}", empty_permitted=True, use_required_attribute=False)
    return render(
        request,
        "accounts/partials/action_item_row.html",
        {"item_form": form, "total_forms": index + 1, "oob": True},
    )


def report_detail(request, pk):
    report = get_object_or_404(
        ContactReport.objects.visible_to(request.user).select_related("client", "author"), pk=pk
    )
    attachments_of([report])
    return render(
        request,
        "accounts/contactreport_detail.html",
        {
            "report": report,
            "client": report.client,
            "client_attendees": report.client_attendees.all(),
            "staff_attendees": report.staff_attendees.all(),
            "items": report.action_items.select_related("owner"),
            "sendings": report.recap_sendings.select_related("sent_by"),
            "responses": report.attendee_responses.select_related("contact"),
            "can_edit": ContactReport.objects.editable_by(request.user).filter(pk=pk).exists(),
            # Of the people who see a report, its client's team AEs and the directors tick items.
            "can_tick": permissions.can_open_clients(request.user),
            "today": timezone.localdate(),
        },
    )


def _can_tick_on(user, report):
    return (
        ContactReport.objects.visible_to(user)
        .filter(pk=report.pk, client__in=Client.objects.editable_by(user))
        .exists()
    )


def _tickable_items(user):
    """Owners tick their own items; the client's team ticks any item of its reports."""
    return ActionItem.objects.filter(
        Q(owner=user) | Q(report__client__in=Client.objects.editable_by(user))
    )


@require_POST
def action_item_toggle(request, pk):
    item = get_object_or_404(_tickable_items(request.user), pk=pk)
    item = services.action_item_set_done(
        item=item, done=request.POST.get("done") == "1", by=request.user
    )
    template = (
        "accounts/partials/my_action_item.html"
        if request.POST.get("view") == "mine"
        else "accounts/partials/action_item.html"
    )
    if request.htmx:
        return render(
            request,
            template,
            {
                "item": ActionItem.objects.select_related("owner", "report__client").get(
                    pk=item.pk
                ),
                "can_tick": True,
                "today": timezone.localdate(),
            },
        )
    return back_to(request, item.report)


ACTION_ITEMS_PER_PAGE = 50


def _action_item_filters(request):
    items = ActionItem.objects.owned_by(request.user)
    filters = ActionItemFilterForm(
        request.GET or None,
        clients=Client.objects.filter(pk__in=items.values("report__client")).order_by("name"),
    )
    return filters, items.select_related("report__client", "owner")


def my_action_items(request):
    filters, items = _action_item_filters(request)
    page, query = filtered_page(request, filters, items, ACTION_ITEMS_PER_PAGE)
    return render(
        request,
        "accounts/actionitem_list.html",
        {
            "page": page,
            "items": page,
            "filters": filters,
            "query": query,
            "today": timezone.localdate(),
            "can_tick": True,
        },
    )


ACTION_ITEM_COLUMNS = [
    exports.Column(gettext_lazy("What")),
    exports.Column(gettext_lazy("Client")),
    exports.moment(gettext_lazy("Agreed on")),
    exports.day(gettext_lazy("Due")),
    exports.moment(gettext_lazy("Done")),
]


def my_action_items_export(request, file_format):
    filters, items = _action_item_filters(request)
    rows = (
        [
            item.description,
            item.report.client.name,
            exports.local_moment(item.report.occurred_at),
            item.due_on,
            exports.local_moment(item.done_at),
        ]
        for item in filters.filter(items).iterator(chunk_size=1000)
    )
    return exports.download(
        filename=f"action-items-{timezone.localdate():%Y-%m-%d}",
        file_format=file_format,
        sheet=_("Action items"),
        columns=ACTION_ITEM_COLUMNS,
        rows=rows,
    )


@require_POST
def report_send_recap(request, pk):
    report = get_object_or_404(
        ContactReport.objects.filter(client__in=Client.objects.editable_by(request.user)), pk=pk
    )
    last = report.recap_sendings.select_related("sent_by").first()
    if last is not None and request.POST.get("again") != "1":
        return render(request, "accounts/recap_send_again.html", {"report": report, "last": last})
    try:
        sending = services.recap_send(
            report=report,
            sent_by=request.user,
            link_for=lambda token: request.build_absolute_uri(
                reverse("accounts:recap_respond", args=[token])
            ),
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            ngettext(
                "Recap sent to %(count)d person.",
                "Recap sent to %(count)d people.",
                sending.recipient_count,
            )
            % {"count": sending.recipient_count},
        )
    return redirect(report)


@login_not_required
def recap_respond(request, token):
    """Where a client attendee confirms a recap or corrects it, without signing in."""
    try:
        report, contact = services.recap_link_open(token)
    except services.RecapLinkRefused as refusal:
        return render(
            request,
            "accounts/recap_refused.html",
            {"reason": refusal.reason, "response": refusal.response},
            status=410 if refusal.reason in ("expired", "used") else 400,
        )
    form = AttendeeResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.attendee_respond(
                report=report, contact=contact, **form.cleaned_data
            )
        except services.RecapLinkRefused as refusal:
            response = refusal.response
        return render(request, "accounts/recap_thanks.html", {"response": response})
    return render(
        request,
        "accounts/recap_respond.html",
        {
            "form": form,
            "report": report,
            "contact": contact,
            "items": report.action_items.select_related("owner"),
        },
    )


def proposal_create(request, pk):
    client = _editable_client(request, pk)
    form = ProposalForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        proposal = services.proposal_create(
            client=client, created_by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Proposal opened with its first round."))
        return redirect(proposal)
    return render(request, "accounts/proposal_form.html", {"form": form, "client": client})


def _visible_proposal(request, pk):
    return get_object_or_404(
        of_visible_clients(Proposal.objects.all(), request.user).select_related("client"),
        pk=pk,
    )


def _editable_round(request, pk, round_pk):
    return get_object_or_404(
        ProposalRound.objects.filter(
            proposal__client__in=Client.objects.editable_by(request.user)
        ).select_related("proposal__client"),
        pk=round_pk,
        proposal_id=pk,
    )


def proposal_detail(request, pk, *, status_form=None, hours_form=None, form_round=None):
    proposal = _visible_proposal(request, pk)
    rounds = list(
        # Ordered here: Django leaves Meta.ordering out of a query that adds up per row.
        proposal.rounds.with_cost()
        .order_by("number")
        .prefetch_related(Prefetch("hours", queryset=RoundHours.objects.select_related("person")))
    )
    attach_sendings(rounds)
    attachments_of(rounds)
    allowance = proposal.client.allowed_proposal_rounds
    repitch = [r for r in rounds if r.number > allowance]
    latest = rounds[-1]
    can_edit = permissions.can_open_clients(request.user)
    if hours_form is not None:
        # The form just posted keeps its errors, on the round it was for.
        form_round = next(r for r in rounds if r.pk == form_round.pk)
        form_round.hours_form = hours_form
    elif can_edit and not latest.is_locked:
        # Hours go to the round in progress. Their form, with a choice of every person in
        # the agency, is fetched when someone logs hours, to keep the proposal page light.
        latest.takes_hours = True
    return render(
        request,
        "accounts/proposal_detail.html",
        {
            "proposal": proposal,
            "client": proposal.client,
            "rounds": rounds,
            "latest": latest,
            "repitch_rounds": len(repitch),
            "repitch_cost": sum((r.cost for r in repitch), Decimal("0")),
            "can_edit": can_edit,
            "can_open_round": can_edit and latest.status == ProposalRound.Status.REVISION_REQUESTED,
            "status_form": status_form
            or (RoundStatusForm(round_=latest) if can_edit and latest.next_statuses else None),
        },
    )


def round_send(request, pk, round_pk):
    """The AE puts a presented round to the client for their decision."""
    round_ = _editable_round(request, pk, round_pk)
    if round_.status != ProposalRound.Status.PRESENTED:
        raise Http404
    proposal = round_.proposal
    return document_send_page(
        request,
        document=round_,
        client=proposal.client,
        title=_("Round %(number)s") % {"number": round_.number},
        back=proposal.get_absolute_url(),
        preview=None,
        send=lambda **sent: services.proposal_round_send(
            round_=round_, sent_by=request.user, **sent
        ),
    )


@require_POST
def round_set_status(request, pk, round_pk):
    round_ = _editable_round(request, pk, round_pk)
    form = RoundStatusForm(request.POST, round_=round_)
    if not form.is_valid():
        return proposal_detail(request, pk, status_form=form, form_round=round_)
    try:
        services.proposal_round_set_status(
            round_=round_, changed_by=request.user, **form.cleaned_data
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Round %(number)s is now %(status)s.")
            % {
                "number": round_.number,
                "status": ProposalRound.Status(form.cleaned_data["status"]).label.lower(),
            },
        )
    return redirect(round_.proposal)


def round_log_hours(request, pk, round_pk):
    round_ = _editable_round(request, pk, round_pk)
    if request.method == "GET" and request.htmx:
        return render(
            request,
            "accounts/partials/hours_form.html",
            {"proposal": round_.proposal, "round": round_, "form": RoundHoursForm()},
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RoundHoursForm(request.POST)
    if not form.is_valid():
        return proposal_detail(request, pk, hours_form=form, form_round=round_)
    try:
        services.proposal_round_log_hours(
            round_=round_, logged_by=request.user, **form.cleaned_data
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Hours logged."))
    return redirect(round_.proposal)


@require_POST
def round_open_next(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.filter(client__in=Client.objects.editable_by(request.user)), pk=pk
    )
    try:
        new_round = services.proposal_round_open_next(proposal=proposal, opened_by=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Round %(number)s opened.") % {"number": new_round.number})
    return redirect(proposal)


SENDINGS_SHOWN = 5


def document_send_page(
    request, *, document, client, title, back, preview, send, initial_contacts=None
):
    """The page that sends a document to the client: the contacts to send it to, a message,
    and what went before. `send(contacts=..., message=...)` sends it through the service
    of the document's app; `back` is where the page returns, `preview` the document's PDF."""
    sendings = list(sendings_of(document)[:SENDINGS_SHOWN])
    form = DocumentSendForm(
        request.POST if request.method == "POST" else None,
        client=client,
        initial_contacts=initial_contacts,
    )
    if form.is_bound and form.is_valid():
        try:
            send(**form.cleaned_data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            count = len(form.cleaned_data["contacts"])
            sent = ngettext("Sent to %(count)d contact.", "Sent to %(count)d contacts.", count) % {
                "count": count
            }
            if sendings:
                sent += " " + _("It went again, as it stands now.")
            messages.success(request, sent)
            return redirect(back)
    return render(
        request,
        "accounts/document_send.html",
        {
            "form": form,
            "client": client,
            "title": title,
            "back": back,
            "preview": preview,
            "sendings": sendings,
            "has_contacts": form.fields["contacts"].queryset.exists(),
        },
    )


def _refused_link(request, refusal, *, language=None):
    with translation.override(language or translation.get_language()):
        return render(
            request,
            "accounts/document_refused.html",
            {
                "reason": refusal.reason,
                "decision": refusal.decision,
                "link_days": settings.CLIENT_LINK_DAYS,
            },
            status=400 if refusal.reason == "invalid" else 410,
        )


@login_not_required
def document_link(request, token):
    """Where a client contact reads a document sent to them and approves it or asks for
    changes, without signing in, in the client's language."""
    try:
        sending, contact = services.document_link_open(token)
    except services.DocumentLinkRefused as refusal:
        language = refusal.decision.sending.client.language if refusal.decision else None
        return _refused_link(request, refusal, language=language)
    with translation.override(sending.client.language):
        form = ClientDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                decision = services.client_decide(
                    sending=sending,
                    contact=contact,
                    ip_address=request.META.get("REMOTE_ADDR") or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    **form.cleaned_data,
                )
            except services.DocumentLinkRefused as refusal:
                return _refused_link(request, refusal)
            except Refused as refusal:
                show_refusal(form, refusal)
            else:
                return render(request, "accounts/document_thanks.html", {"decision": decision})
        return render(
            request,
            "accounts/document_link.html",
            {
                "form": form,
                "sending": sending,
                "contact": contact,
                "token": token,
                "agency_name": letterhead(sending.client.language)["name"],
                "attachments": Attachment.objects.filter(
                    content_type_id=sending.content_type_id, object_id=sending.object_id
                ),
            },
        )


@login_not_required
def document_link_pdf(request, token):
    """The document a link is for, as it was sent: while the link may still be answered."""
    try:
        sending, _contact = services.document_link_open(token)
    except services.DocumentLinkRefused as refusal:
        return _refused_link(request, refusal)
    if not sending.file:
        raise Http404
    with sending.file.open("rb") as kept:
        return pdf_response(kept.read(), sending.filename, download="download" in request.GET)


def attachments_block(request, *, kind, owner, form=None, status=200):
    """The attachments of `owner` with, for those who may add to them, the upload form: the
    fragment htmx swaps in after an upload."""
    attachments_of([owner])
    return render(
        request,
        "partials/attachments.html",
        {"owner": owner, "kind": kind, "can_attach": True, "form": form},
        status=status,
    )


@require_POST
def attachment_add(request, kind, pk):
    """Uploads a file to an object of a kind that takes attachments, for those who may."""
    attachable = attachments.kind(kind)
    if attachable is None:
        raise Http404
    owner = get_object_or_404(attachable.editable(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                kind=kind, owner=owner, upload=form.cleaned_data["file"], uploaded_by=request.user
            )
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            if request.htmx:
                return attachments_block(request, kind=kind, owner=owner)
            messages.success(request, _("%(name)s attached.") % {"name": attachment.name})
            return redirect(attachable.url(owner))
    if request.htmx:
        return attachments_block(request, kind=kind, owner=owner, form=form, status=422)
    for error in form.errors.get("file", []):
        messages.error(request, error)
    return redirect(attachable.url(owner))


def _attachment_response(attachment, *, download=False):
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type,
        as_attachment=download or not attachment.shown_inline,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_download(request, pk):
    """An attachment, to those who may open what it is attached to: images and PDFs shown
    in the browser (or saved with ?download), anything else saved."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    kind = attachments.kind_of(attachment.content_type.model_class())
    if not attachments.kind(kind).visible(request.user).filter(pk=attachment.object_id).exists():
        raise Http404
    return _attachment_response(attachment, download="download" in request.GET)


@login_not_required
def document_link_attachment(request, token, pk):
    """A file attached to what a client's link asks them to approve, through that link."""
    try:
        sending, _contact = services.document_link_open(token)
    except services.DocumentLinkRefused as refusal:
        return _refused_link(request, refusal)
    attachment = get_object_or_404(
        Attachment.objects.filter(
            content_type_id=sending.content_type_id, object_id=sending.object_id
        ),
        pk=pk,
    )
    return _attachment_response(attachment, download="download" in request.GET)
