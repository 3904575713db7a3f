from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from common.paging import first_and_more

from .models import (
    ActionItem,
    Attachment,
    Client,
    ContactReport,
    Meeting,
    Proposal,
    ProposalRound,
    SentDocument,
    of_visible_clients,
)

DESK_WEEK = timedelta(days=7)
# How far back a meeting waiting for its report still shows on its organiser's desk: as far
# as its reminder goes.
REPORT_WAIT_SHOWN = timedelta(days=30)


def start_of(day):
    """The first moment of a day, in the portal's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class DeskMeetings:
    to_report: list = field(default_factory=list)
    today: list = field(default_factory=list)
    week: list = field(default_factory=list)

    @property
    def any(self):
        return bool(self.to_report or self.today or self.week)


def desk_meetings(user, today) -> DeskMeetings:
    """The meetings `user` attends today and in the next seven days, and those they organised
    that still wait for a report: one query."""
    morning = start_of(today)
    tomorrow = start_of(today + timedelta(days=1))
    meetings = (
        Meeting.objects.scheduled()
        .attended_by(user)
        .filter(
            Q(starts_at__gte=morning, starts_at__lt=morning + DESK_WEEK)
            | Q(
                organiser=user,
                report__isnull=True,
                starts_at__gte=morning - REPORT_WAIT_SHOWN,
                starts_at__lt=morning,
            )
        )
        .select_related("client")
        .order_by("starts_at", "pk")
    )
    desk = DeskMeetings()
    for meeting in meetings:
        if meeting.starts_at < morning:
            desk.to_report.append(meeting)
        elif meeting.starts_at < tomorrow:
            desk.today.append(meeting)
        else:
            desk.week.append(meeting)
    return desk


DESK_ROWS = 30


def desk_action_items(user, today) -> tuple[list, bool]:
    """The first DESK_ROWS open action items due within the week or overdue, the user's own
    and those of their clients' reports (they lead the account), and whether there are
    more."""
    return first_and_more(
        ActionItem.objects.open()
        .filter(Q(owner=user) | Q(report__client__lead_ae=user))
        .filter(due_on__lt=today + DESK_WEEK)
        .select_related("report__client", "owner")
        .overdue_first(),
        DESK_ROWS,
    )


IN_FLIGHT = [
    ProposalRound.Status.DRAFT,
    ProposalRound.Status.INTERNAL_REVIEW,
    ProposalRound.Status.PRESENTED,
    ProposalRound.Status.REVISION_REQUESTED,
]


def proposals_in_flight(clients):
    """The proposals for these clients whose latest round is neither accepted nor rejected,
    with that round's number, status and the day it was presented; the longest waiting
    first."""
    latest = ProposalRound.objects.filter(proposal=OuterRef("pk")).order_by("-number")
    return list(
        Proposal.objects.filter(client__in=clients)
        .annotate(
            round_number=Subquery(latest.values("number")[:1]),
            round_status=Subquery(latest.values("status")[:1]),
            presented_on=Subquery(latest.values("presented_on")[:1]),
        )
        .filter(round_status__in=IN_FLIGHT)
        .select_related("client")
        .order_by("presented_on", "created_at")[:DESK_ROWS]
    )


def clients_for_health(user):
    """The clients whose account team `user` is on, with their re-pitch rounds and the day of
    their last contact report."""
    last_contact = (
        ContactReport.objects.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(last=Max("occurred_at"))
        .values("last")
    )
    return (
        Client.objects.filter(memberships__user=user)
        .exclude(status=Client.Status.LOST)
        .with_repitch()
        .annotate(last_contact=Subquery(last_contact))
        .order_by("name")
    )


def _of_kind(model) -> Q:
    # By the content type's natural key, joined: no query of its own, cached or not.
    meta = model._meta
    return Q(content_type__app_label=meta.app_label, content_type__model=meta.model_name)


def sendings_of(document):
    """The sendings of a document to its client, newest first, with their decisions."""
    return (
        SentDocument.objects.filter(_of_kind(document), object_id=document.pk)
        .select_related("sent_by")
        .prefetch_related("decisions__contact")
        .order_by("-sent_at", "-pk")
    )


def sendings_among(*kinds):
    """The sendings of documents of several kinds, each given as (model, ids: a list or a
    subquery), newest first, with their decisions: one query, and two more once any of
    them is answered."""
    among = Q(pk__in=[])
    for model, ids in kinds:
        among |= _of_kind(model) & Q(object_id__in=ids)
    return (
        SentDocument.objects.filter(among)
        .select_related("sent_by", "content_type")
        .prefetch_related("decisions__contact")
        .order_by("-sent_at", "-pk")
    )


def attach_sendings(*groups) -> None:
    """Gives each document of these lists (each of one kind) its sendings, newest first, as
    `.sendings`, read with sendings_among."""
    groups = [list(documents) for documents in groups if documents]
    by_document = {}
    kinds = [(type(docs[0]), [document.pk for document in docs]) for docs in groups]
    for sending in sendings_among(*kinds) if kinds else ():
        kind = sending.content_type
        by_document.setdefault((kind.app_label, kind.model, sending.object_id), []).append(sending)
    for documents in groups:
        meta = documents[0]._meta
        for document in documents:
            document.sendings = by_document.get((meta.app_label, meta.model_name, document.pk), [])


def sent_pdf(document) -> bytes | None:
    """The PDF of `document` as it was last sent, or None if it never was."""
    sent = (
        SentDocument.objects.filter(_of_kind(document), object_id=document.pk)
        .order_by("-sent_at", "-pk")
        .only("file")
        .first()
    )
    if sent is None:
        return None
    with sent.file.open("rb") as kept:
        return kept.read()


# How far back a document put to the client still shows on the desks, and how many do.
CLIENT_ANSWERS_SHOWN = timedelta(days=30)
DESK_SENDINGS = 8


def desk_client_answers(user, today):
    """What the user's clients were asked to approve lately, newest first, each with the
    answers it has had (none: still waiting): two queries, three once any is answered."""
    since = start_of(today) - CLIENT_ANSWERS_SHOWN
    sendings = SentDocument.objects.filter(asks_approval=True, sent_at__gte=since)
    return list(
        of_visible_clients(sendings, user)
        .select_related("client")
        .prefetch_related("decisions__contact")
        .order_by("-sent_at", "-pk")[:DESK_SENDINGS]
    )


def attachments_of(*groups) -> None:
    """Gives each object of these lists (each of one kind) its attachments, oldest first, as
    `.attachment_list`: one query."""
    groups = [list(objects) for objects in groups if objects]
    if not groups:
        return
    among = Q(pk__in=[])
    for objects in groups:
        among |= _of_kind(type(objects[0])) & Q(object_id__in=[o.pk for o in objects])
    found = {}
    for attachment in (
        Attachment.objects.filter(among)
        .select_related("content_type", "uploaded_by")
        .order_by("uploaded_at", "pk")
    ):
        kind = attachment.content_type
        key = (kind.app_label, kind.model, attachment.object_id)
        found.setdefault(key, []).append(attachment)
    for objects in groups:
        meta = objects[0]._meta
        for obj in objects:
            obj.attachment_list = found.get((meta.app_label, meta.model_name, obj.pk), [])
