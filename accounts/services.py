from datetime import timedelta
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.documents import PDF
from common.errors import Refused
from common.locks import lock_row
from common.models import assign, validate
from notifications import services as notifications
from notifications.models import one_line
from teams import permissions
from teams.models import User

from . import approvals, attachments
from .models import (
    AccountTeamMember,
    ActionItem,
    Attachment,
    AttendeeResponse,
    Client,
    ClientDecision,
    Contact,
    ContactReport,
    Meeting,
    Proposal,
    ProposalRound,
    RecapSending,
    RoundHours,
    SentDocument,
)

CONTACT_FIELDS = {"name", "title", "email", "phone", "is_decision_maker", "receives_invoices"}
REPORT_FIELDS = {"occurred_at", "kind", "agenda", "discussion", "decisions", "client_feedback"}
MEETING_FIELDS = {"starts_at", "minutes", "kind", "place", "agenda"}
CLIENT_FIELDS = {
    "name",
    "code",
    "industry",
    "status",
    "lead_ae",
    "account_director",
    "payment_terms_days",
    "currency",
    "language",
    "needs",
    "difficulties",
    "allowed_proposal_rounds",
}


def _keeps_accounts(user: User) -> None:
    if not permissions.works_in_account_service(user):
        raise Refused(_("Client accounts are kept by the account team."))


def _keep_leads_on_the_team(client: Client) -> None:
    """The lead AE and the account director are always on the account team."""
    AccountTeamMember.objects.get_or_create(
        client=client, user=client.lead_ae, defaults={"role_on_account": _("Lead AE")}
    )
    if client.account_director_id:
        AccountTeamMember.objects.get_or_create(
            client=client,
            user=client.account_director,
            defaults={"role_on_account": _("Account director")},
        )


@transaction.atomic
def client_create(*, created_by: User, **fields) -> Client:
    _keeps_accounts(created_by)
    client = Client(**{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    validate(client)
    client.save()
    _keep_leads_on_the_team(client)
    return client


@transaction.atomic
def client_update(*, client: Client, updated_by: User, **fields) -> Client:
    _keeps_accounts(updated_by)
    assign(client, fields, CLIENT_FIELDS)
    validate(client)
    client.save()
    _keep_leads_on_the_team(client)
    return client


@transaction.atomic
def account_team_add(
    *, client: Client, user: User, role_on_account: str, by: User
) -> AccountTeamMember:
    _keeps_accounts(by)
    if not permissions.can_join_account_teams(user):
        raise Refused(
            _("Only AEs, account directors and department staff sit on an account team."),
            field="user",
        )
    member, created = AccountTeamMember.objects.get_or_create(
        client=client, user=user, defaults={"role_on_account": role_on_account}
    )
    if not created:
        member.role_on_account = role_on_account
        member.save(update_fields=["role_on_account"])
    return member


@transaction.atomic
def account_team_remove(*, member: AccountTeamMember, by: User) -> None:
    _keeps_accounts(by)
    client = member.client
    if member.user_id in (client.lead_ae_id, client.account_director_id):
        raise Refused(
            _("The lead AE and the account director stay on the team; change them first.")
        )
    member.delete()


@transaction.atomic
def contact_create(*, client: Client, by: User, **fields) -> Contact:
    _keeps_accounts(by)
    contact = Contact(client=client, **fields)
    validate(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by: User, **fields) -> Contact:
    _keeps_accounts(by)
    assign(contact, fields, CONTACT_FIELDS)
    validate(contact)
    contact.save()
    return contact


def _save_action_items(report: ContactReport, action_items: list[dict]) -> None:
    for item in action_items:
        existing = item.get("id")
        if existing is not None and existing.report_id != report.pk:
            raise Refused(_("That action item belongs to another report."))
        if item.get("delete"):
            if existing is not None:
                existing.delete()
            continue
        target = existing or ActionItem(report=report)
        target.description = item["description"]
        target.owner = item["owner"]
        target.due_on = item["due_on"]
        validate(target)
        target.save()


def _save_report(report, client_attendees, staff_attendees, action_items) -> ContactReport:
    validate(report)
    report.save()
    report.client_attendees.set(client_attendees)
    report.staff_attendees.set(staff_attendees)
    _save_action_items(report, action_items)
    return report


@transaction.atomic
def contact_report_create(
    *,
    client: Client,
    author: User,
    client_attendees,
    staff_attendees,
    action_items: list[dict],
    meeting: Meeting | None = None,
    **fields,
) -> ContactReport:
    """Logs a report; logged from a meeting, the meeting links to it, and a second report
    of the same meeting (two people pressing Save at once) is refused."""
    _keeps_accounts(author)
    if meeting is not None:
        meeting = lock_row(meeting)
        if meeting.report_id is not None:
            raise Refused(_("The report of this meeting has been logged already."))
        if meeting.is_cancelled:
            raise Refused(_("This meeting was cancelled; log a report without it."))
        if meeting.client_id != client.pk:
            raise Refused(_("That meeting is with another client."))
    report = ContactReport(client=client, author=author, **fields)
    report = _save_report(report, client_attendees, staff_attendees, action_items)
    if meeting is not None:
        meeting.report = report
        meeting.save(update_fields=["report", "updated_at"])
    return report


@transaction.atomic
def contact_report_update(
    *,
    report: ContactReport,
    editor: User,
    client_attendees,
    staff_attendees,
    action_items: list[dict],
    **fields,
) -> ContactReport:
    _keeps_accounts(editor)
    # Locked against a concurrent edit while the window is checked and the items change.
    lock_row(report)
    if not ContactReport.objects.editable_by(editor).filter(pk=report.pk).exists():
        raise Refused(_("This report can no longer be edited."))
    assign(report, fields, REPORT_FIELDS)
    return _save_report(report, client_attendees, staff_attendees, action_items)


@transaction.atomic
def action_item_set_done(*, item: ActionItem, done: bool, by: User) -> ActionItem:
    item = lock_row(item)
    if done and item.done_at is None:
        item.done_at = timezone.now()
    elif not done:
        item.done_at = None
    item.save(update_fields=["done_at"])
    return item


RECAP_SALT = "accounts.recap"
RECAP_LINK_MAX_AGE = timedelta(days=14)


class RecapLinkRefused(Refused):
    """A recap link that is tampered with, expired or already answered."""

    def __init__(self, reason, response=None):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "used": the page says which
        self.response = response


def recap_token(*, report: ContactReport, contact: Contact) -> str:
    return signing.dumps({"r": report.pk, "c": contact.pk}, salt=RECAP_SALT)


def recap_link_open(token: str) -> tuple[ContactReport, Contact]:
    """The report and attendee a recap link was made for, if it may still be answered."""
    try:
        payload = signing.loads(token, salt=RECAP_SALT, max_age=RECAP_LINK_MAX_AGE)
    except signing.SignatureExpired as expired:
        raise RecapLinkRefused("expired") from expired
    except signing.BadSignature as tampered:
        raise RecapLinkRefused("invalid") from tampered
    report = ContactReport.objects.select_related("client").filter(pk=payload.get("r")).first()
    contact = report and report.client_attendees.filter(pk=payload.get("c")).first()
    if report is None or contact is None:
        raise RecapLinkRefused("invalid")
    response = AttendeeResponse.objects.filter(report=report, contact=contact).first()
    if response is not None:
        raise RecapLinkRefused("used", response)
    return report, contact


def _recap_message(*, report, items, to, link=None, greeting_name) -> EmailMultiAlternatives:
    context = {
        "report": report,
        "items": items,
        "link": link,
        "greeting_name": greeting_name,
        "valid_days": RECAP_LINK_MAX_AGE.days,
    }
    subject = render_to_string("accounts/email/recap_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject,
        render_to_string("accounts/email/recap.txt", context),
        to=to,
        reply_to=[report.author.email],
    )
    message.attach_alternative(render_to_string("accounts/email/recap.html", context), "text/html")
    return message


@transaction.atomic
def recap_send(*, report: ContactReport, sent_by: User, link_for) -> RecapSending:
    """Emails the recap: each client attendee gets a personal link to confirm or correct it;
    the agency's attendees get a copy. Recorded only if the mail goes out."""
    _keeps_accounts(sent_by)
    items = list(report.action_items.select_related("owner"))
    messages = [
        _recap_message(
            report=report,
            items=items,
            to=[contact.email],
            link=link_for(recap_token(report=report, contact=contact)),
            greeting_name=contact.name,
        )
        for contact in report.client_attendees.exclude(email="")
    ]
    staff = [person.email for person in report.staff_attendees.filter(is_active=True)]
    if staff:
        messages.append(_recap_message(report=report, items=items, to=staff, greeting_name=None))
    if not messages:
        raise Refused(_("Nobody to send to: add attendees with an email address."))
    sending = RecapSending.objects.create(
        report=report, sent_by=sent_by, recipient_count=sum(len(m.to) for m in messages)
    )
    get_connection().send_messages(messages)
    return sending


@transaction.atomic
def attendee_respond(
    *, report: ContactReport, contact: Contact, answer: str, correction: str = ""
) -> AttendeeResponse:
    response = AttendeeResponse(
        report=report, contact=contact, answer=answer, correction=correction.strip()
    )
    validate(response, validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as taken:
        raise RecapLinkRefused(
            "used", AttendeeResponse.objects.get(report=report, contact=contact)
        ) from taken
    notifications.check_soon("accounts.recap_answered", [response.pk])
    return response


@transaction.atomic
def proposal_create(
    *, client: Client, created_by: User, title: str, kind: str, project=None
) -> Proposal:
    _keeps_accounts(created_by)
    if project is not None and project.client_id != client.pk:
        raise Refused(_("A proposal serves a project of its own client."), field="project")
    proposal = Proposal(
        client=client, created_by=created_by, title=title, kind=kind, project=project
    )
    validate(proposal)
    proposal.save()
    ProposalRound.objects.create(proposal=proposal, number=1)
    return proposal


def _locked_round(round_: ProposalRound) -> ProposalRound:
    return lock_row(round_)


@transaction.atomic
def proposal_round_set_status(
    *,
    round_: ProposalRound,
    status: str,
    changed_by: User,
    presented_on=None,
    revision_reasons: str = "",
) -> ProposalRound:
    _keeps_accounts(changed_by)
    current = _locked_round(round_)
    if status not in current.next_statuses:
        raise Refused(
            _("A round that is %(current)s cannot become %(wanted)s.")
            % {
                "current": current.get_status_display().lower(),
                "wanted": ProposalRound.Status(status).label.lower(),
            }
        )
    if status == ProposalRound.Status.PRESENTED:
        current.presented_on = presented_on or timezone.localdate()
    if status == ProposalRound.Status.REVISION_REQUESTED:
        if not revision_reasons.strip():
            raise Refused(_("Write down why the client wants a revision."))
        current.revision_reasons = revision_reasons.strip()
    current.status = status
    current.status_changed_at = timezone.now()
    validate(current)
    current.save()
    if status == ProposalRound.Status.REVISION_REQUESTED:
        notifications.check_soon("accounts.revision_requested", [current.pk])
    return current


@transaction.atomic
def proposal_round_open_next(*, proposal: Proposal, opened_by: User) -> ProposalRound:
    _keeps_accounts(opened_by)
    # Locking the proposal makes two people opening the next round at once get one round.
    lock_row(proposal)
    last = proposal.rounds.order_by("-number").first()
    if last.status != ProposalRound.Status.REVISION_REQUESTED:
        raise Refused(_("A new round opens only from a round the client returned for revision."))
    return ProposalRound.objects.create(proposal=proposal, number=last.number + 1)


@transaction.atomic
def proposal_round_send(
    *, round_: ProposalRound, sent_by: User, contacts, message: str = ""
) -> ProposalRound:
    """Puts a presented round to the client's contacts for their decision, by email with a
    personal link: accept it, or ask for a revision, saying why."""
    _keeps_accounts(sent_by)
    current = _locked_round(round_)
    if current.status != ProposalRound.Status.PRESENTED:
        raise Refused(_("A round goes to the client for a decision once it is presented."))
    proposal = Proposal.objects.select_related("client").get(pk=current.proposal_id)
    with translation.override(proposal.client.language):
        title = _("“%(title)s”, round %(number)s") % {
            "title": proposal.title,
            "number": current.number,
        }
    document_send(
        document=current,
        client=proposal.client,
        revision=current.number,
        title=title,
        link=proposal.get_absolute_url(),
        sent_by=sent_by,
        contacts=contacts,
        message=message,
        asks_approval=True,
    )
    return current


def proposal_round_superseded(round_: ProposalRound, sending) -> bool:
    """A round takes the client's decision while it stands presented."""
    return round_.status != ProposalRound.Status.PRESENTED


def proposal_round_decided(round_: ProposalRound, decision) -> None:
    """The client accepts the round, which locks it; or asks for a revision, whose reasons
    the whole team reads, and the next round opens (past the allowance, a re-pitch)."""
    round_.status_changed_at = decision.decided_at
    if decision.approved:
        round_.status = ProposalRound.Status.ACCEPTED
    else:
        round_.status = ProposalRound.Status.REVISION_REQUESTED
        round_.revision_reasons = decision.comment
    validate(round_)
    round_.save()
    if not decision.approved:
        ProposalRound.objects.create(proposal_id=round_.proposal_id, number=round_.number + 1)
        notifications.check_soon("accounts.revision_requested", [round_.pk])


@transaction.atomic
def proposal_round_log_hours(
    *, round_: ProposalRound, person: User, hours, logged_by: User
) -> RoundHours:
    _keeps_accounts(logged_by)
    current = _locked_round(round_)
    if current.is_locked:
        raise Refused(_("An accepted round is locked."))
    entry = RoundHours(round=current, person=person, hours=hours, cost_rate=person.cost_rate)
    validate(entry)
    entry.save()
    return entry


def _save_meeting(meeting: Meeting, client_attendees, staff_attendees) -> Meeting:
    validate(meeting)
    meeting.save()
    meeting.client_attendees.set(client_attendees)
    meeting.staff_attendees.set(staff_attendees)
    return meeting


@transaction.atomic
def meeting_schedule(
    *, client: Client, organiser: User, client_attendees, staff_attendees, **fields
) -> Meeting:
    _keeps_accounts(organiser)
    meeting = Meeting(client=client, organiser=organiser, **fields)
    return _save_meeting(meeting, client_attendees, staff_attendees)


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, editor: User, client_attendees, staff_attendees, **fields
) -> Meeting:
    _keeps_accounts(editor)
    lock_row(meeting)
    if not Meeting.objects.editable_by(editor).filter(pk=meeting.pk).exists():
        raise Refused(_("This meeting can no longer be changed: it was cancelled or reported."))
    assign(meeting, fields, MEETING_FIELDS)
    return _save_meeting(meeting, client_attendees, staff_attendees)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    _keeps_accounts(by)
    lock_row(meeting)
    if not Meeting.objects.editable_by(by).filter(pk=meeting.pk).exists():
        raise Refused(_("This meeting can no longer be cancelled: it was cancelled or reported."))
    meeting.cancelled_at = timezone.now()
    meeting.save(update_fields=["cancelled_at", "updated_at"])
    return meeting


DOCUMENT_SALT = "accounts.document"


def document_link_max_age() -> timedelta:
    return timedelta(days=settings.CLIENT_LINK_DAYS)


def document_token(*, sending: SentDocument, contact: Contact) -> str:
    """The personal link of one contact to one sending of a document."""
    return signing.dumps({"s": sending.pk, "c": contact.pk}, salt=DOCUMENT_SALT)


def document_link(sending: SentDocument, contact: Contact) -> str:
    token = document_token(sending=sending, contact=contact)
    return notifications.absolute(reverse("accounts:document_link", args=[token]))


def _document_message(*, sending, pdf, contact, link, previous) -> EmailMultiAlternatives:
    context = {
        "sending": sending,
        "contact": contact,
        "link": link,
        "previous": previous,
        "valid_days": settings.CLIENT_LINK_DAYS,
    }
    with translation.override(sending.client.language):
        subject = render_to_string("accounts/email/document_subject.txt", context)
        text = render_to_string("accounts/email/document.txt", context)
        html = render_to_string("accounts/email/document.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()), text, to=[contact.email], reply_to=[sending.sent_by.email]
    )
    message.attach_alternative(html, "text/html")
    if pdf is not None:
        message.attach(sending.filename, pdf, PDF)
    return message


def document_send(
    *,
    document,
    client: Client,
    revision: int,
    title: str,
    link: str,
    sent_by: User,
    pdf: bytes | None = None,
    filename: str = "",
    contacts=(),
    message: str = "",
    asks_approval: bool = False,
) -> SentDocument:
    """Keeps the PDF of `document` (an estimate, a change order, an invoice) as the client
    receives it and emails it to each contact chosen, with the message and, when it asks
    for approval (accounts.approvals knows its kind), a personal link. Without contacts it
    records a document that went some other way. `title` names it for the client, `link`
    is its page for the team; `pdf` is None for work put to the client that is no document
    of the agency's (a proposal round, a deliverable). The caller holds the document's lock:
    all of it is kept, or, when the mail server cannot take the emails, none of it."""
    contacts = list(contacts)
    for contact in contacts:
        if contact.client_id != client.pk:
            raise Refused(_("Send the document to this client's contacts."), field="contacts")
        if not contact.email:
            raise Refused(
                _("%(name)s has no email address.") % {"name": contact.name}, field="contacts"
            )
    kind = ContentType.objects.get_for_model(document)
    previous = (
        SentDocument.objects.filter(content_type=kind, object_id=document.pk)
        .order_by("-sent_at", "-pk")
        .first()
    )
    sending = SentDocument(
        client=client,
        content_type=kind,
        object_id=document.pk,
        revision=revision,
        title=title,
        link=link,
        filename=filename,
        sent_by=sent_by,
        recipients=[
            {"contact": contact.pk, "name": contact.name, "email": contact.email}
            for contact in contacts
        ],
        message=message.strip(),
        asks_approval=asks_approval and bool(contacts),
        again=previous is not None,
    )
    if pdf is not None:
        sending.file.save(filename, ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            validate(sending, exclude=["file"])
            sending.save()
            emails = [
                _document_message(
                    sending=sending,
                    pdf=pdf,
                    contact=contact,
                    link=sending.asks_approval and document_link(sending, contact),
                    previous=previous,
                )
                for contact in contacts
            ]
            if emails:
                get_connection().send_messages(emails)
    except notifications.MAIL_SERVER_TROUBLE as trouble:
        if sending.file:
            sending.file.delete(save=False)
        raise Refused(
            _("The mail server could not be reached, so nothing was sent. Try again shortly.")
        ) from trouble
    except BaseException:
        if sending.file:
            sending.file.delete(save=False)
        raise
    return sending


class DocumentLinkRefused(Refused):
    """A document link that is tampered with, expired, for a superseded version or already
    answered."""

    def __init__(self, reason, decision=None):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired", "superseded" or "used": the page says
        self.decision = decision


def document_link_open(token: str) -> tuple[SentDocument, Contact]:
    """The sending and the contact a document link was made for, if it may be answered."""
    try:
        payload = signing.loads(token, salt=DOCUMENT_SALT, max_age=document_link_max_age())
    except signing.SignatureExpired as expired:
        raise DocumentLinkRefused("expired") from expired
    except signing.BadSignature as tampered:
        raise DocumentLinkRefused("invalid") from tampered
    if not isinstance(payload, dict):
        raise DocumentLinkRefused("invalid")
    sending = (
        SentDocument.objects.select_related("client", "sent_by", "content_type")
        .filter(pk=payload.get("s"), asks_approval=True)
        .first()
    )
    sent_to = {recipient["contact"] for recipient in sending.recipients} if sending else set()
    contact_id = payload.get("c")
    contact = contact_id in sent_to and Contact.objects.filter(pk=contact_id).first()
    if not contact:
        raise DocumentLinkRefused("invalid")
    decision = ClientDecision.objects.filter(sending=sending, contact=contact).first()
    if decision is not None:
        raise DocumentLinkRefused("used", decision)
    if _superseded(sending):
        raise DocumentLinkRefused("superseded")
    return sending, contact


def _superseded(sending: SentDocument, document=None) -> bool:
    document = document or sending.document
    return document is None or approvals.of(document).superseded(document, sending)


@transaction.atomic
def client_decide(
    *,
    sending: SentDocument,
    contact: Contact,
    decision: str,
    signed_name: str = "",
    comment: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> ClientDecision:
    """Records a contact's answer through their link, under the document's lock, and lets
    it act on the document (approvals.py): once per link, never on a superseded version."""
    document = sending.document
    if document is None:
        raise DocumentLinkRefused("superseded")
    document = lock_row(document)
    if _superseded(sending, document):
        raise DocumentLinkRefused("superseded")
    answer = ClientDecision(
        sending=sending,
        contact=contact,
        decision=decision,
        signed_name=" ".join(signed_name.split()) if decision == "approved" else "",
        comment=comment.strip(),
        ip_address=ip_address,
        user_agent=one_line(user_agent, 400),
    )
    validate(answer, validate_constraints=False)
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as taken:
        raise DocumentLinkRefused(
            "used", ClientDecision.objects.get(sending=sending, contact=contact)
        ) from taken
    approvals.of(document).decided(document, answer)
    notifications.check_soon("accounts.client_decided", [answer.pk])
    return answer


def _attachment_name(name: str) -> str:
    """The uploaded name, to show and to download under: its last part only, printable."""
    name = PurePosixPath(str(name).replace("\\", "/")).name
    name = "".join(character for character in name if character.isprintable()).strip()
    return name[:255] or "file"


def attachment_add(*, kind: str, owner, upload, uploaded_by: User) -> Attachment:
    """Attaches an uploaded file to `owner`, an object of a kind registered in
    accounts.attachments that `uploaded_by` may attach files to: within the size allowed,
    of a type allowed as read from its first bytes. The file is kept under a name of the
    portal's own."""
    attachable = attachments.kind(kind)
    if attachable is None or not attachable.editable(uploaded_by).filter(pk=owner.pk).exists():
        raise Refused(_("You cannot attach files here."))
    if not upload.size:
        raise Refused(_("The file is empty."), field="file")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise Refused(
            _("The file is larger than the %(limit)s MB allowed.")
            % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    upload.seek(0)
    mime_type = filetype.guess_mime(upload.read(8192))
    upload.seek(0)
    if mime_type not in settings.ATTACHMENT_TYPES:
        raise Refused(
            _(
                "This kind of file is not taken: attach a PDF, an image, an Office document, "
                "a ZIP archive or an MP4 video."
            ),
            field="file",
        )
    attachment = Attachment(
        client=attachable.client(owner),
        content_type=ContentType.objects.get_for_model(owner),
        object_id=owner.pk,
        name=_attachment_name(upload.name),
        mime_type=mime_type,
        size=upload.size,
        uploaded_by=uploaded_by,
    )
    attachment.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            validate(attachment, exclude=["file"])
            attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment
