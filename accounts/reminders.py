"""Reminders about action items (due soon to their owner, overdue to the owner and the
client's lead AE) and about meetings whose report is not logged the day after (to the
organiser)."""

from datetime import timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Kind

from .models import ActionItem, AttendeeResponse, ClientDecision, Meeting, ProposalRound
from .selectors import start_of


def _open_items(only):
    items = ActionItem.objects.open()
    if only is not None:
        items = items.filter(pk__in=only)
    return items.values(
        "pk", "description", "due_on", "owner_id", "report_id", "report__client__lead_ae_id"
    )


class ActionItemDueSoon(registry.Rule):
    name = "accounts.action_item_due"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        soon = today + timedelta(days=registry.DUE_SOON_DAYS)
        for item in _open_items(only).filter(due_on__gte=today, due_on__lte=soon):
            yield registry.Due(
                registry.object_key("accounts.actionitem", item["pk"]),
                f"due:{item['due_on']}",
                [item["owner_id"]],
                reverse("accounts:report_detail", args=[item["report_id"]]),
                {"description": item["description"], "due_on": item["due_on"].isoformat()},
            )

    def message(self, due):
        return (
            _("Action item due %(day)s: %(what)s")
            % {"day": due.data["due_on"], "what": due.data["description"]},
            "",
        )


class ActionItemOverdue(registry.Rule):
    name = "accounts.action_item_overdue"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        oldest = today - timedelta(days=registry.OVERDUE_WINDOW_DAYS)
        for item in _open_items(only).filter(due_on__lt=today, due_on__gte=oldest):
            yield registry.Due(
                registry.object_key("accounts.actionitem", item["pk"]),
                f"overdue:{item['due_on']}",
                [item["owner_id"], item["report__client__lead_ae_id"]],
                reverse("accounts:report_detail", args=[item["report_id"]]),
                {"description": item["description"], "due_on": item["due_on"].isoformat()},
            )

    def message(self, due):
        return (
            _("Action item overdue since %(day)s: %(what)s")
            % {"day": due.data["due_on"], "what": due.data["description"]},
            "",
        )


class MeetingNotReported(registry.Rule):
    """The day after a meeting, its organiser is reminded while no report is logged from it.
    Keyed by the meeting's day: a meeting moved to another day is a new reminder."""

    name = "accounts.meeting_unreported"
    kind = Kind.DEADLINES

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        start_of_today = start_of(today)
        oldest = start_of_today - timedelta(days=registry.OVERDUE_WINDOW_DAYS)
        meetings = Meeting.objects.scheduled().filter(
            report__isnull=True, starts_at__lt=start_of_today, starts_at__gte=oldest
        )
        if only is not None:
            meetings = meetings.filter(pk__in=only)
        for meeting in meetings.values("pk", "starts_at", "kind", "client__name", "organiser_id"):
            day = timezone.localdate(meeting["starts_at"])
            yield registry.Due(
                registry.object_key("accounts.meeting", meeting["pk"]),
                f"unreported:{day}",
                [meeting["organiser_id"]],
                reverse("accounts:meeting_detail", args=[meeting["pk"]]),
                {"day": day.isoformat(), "client": meeting["client__name"]},
            )

    def message(self, due):
        return (
            _("No report yet of the meeting with %(client)s on %(day)s")
            % {"client": due.data["client"], "day": due.data["day"]},
            _("Log what was discussed and agreed while it is fresh."),
        )


class RecapAnswered(registry.Rule):
    """A client attendee confirms or corrects a recap: to the client's lead AE and the
    report's author, at once."""

    name = "accounts.recap_answered"
    kind = Kind.CLIENT_ANSWERS

    def due(self, now, *, only=None):
        responses = AttendeeResponse.objects.filter(answered_at__gte=now - registry.EVENT_WINDOW)
        if only is not None:
            responses = responses.filter(pk__in=only)
        rows = responses.values(
            "pk",
            "answer",
            "correction",
            "contact__name",
            "report_id",
            "report__occurred_at",
            "report__author_id",
            "report__client__name",
            "report__client__lead_ae_id",
        )
        for response in rows:
            yield registry.Due(
                registry.object_key("accounts.attendeeresponse", response["pk"]),
                response["answer"],
                [response["report__client__lead_ae_id"], response["report__author_id"]],
                reverse("accounts:report_detail", args=[response["report_id"]]),
                {
                    "answer": response["answer"],
                    "contact": response["contact__name"],
                    "client": response["report__client__name"],
                    "day": timezone.localdate(response["report__occurred_at"]).isoformat(),
                    "correction": response["correction"][:1000],
                },
            )

    def message(self, due):
        if due.data["answer"] == AttendeeResponse.Answer.CORRECTED:
            title = _("%(contact)s of %(client)s corrected the recap of %(day)s") % due.data
            return title, due.data["correction"]
        return _("%(contact)s of %(client)s confirmed the recap of %(day)s") % due.data, ""


class RevisionRequested(registry.Rule):
    """The client asks for a revision of a proposal round: to the account team, at once."""

    name = "accounts.revision_requested"
    kind = Kind.CLIENT_ANSWERS

    def due(self, now, *, only=None):
        rounds = ProposalRound.objects.filter(
            status=ProposalRound.Status.REVISION_REQUESTED,
            status_changed_at__gte=now - registry.EVENT_WINDOW,
        )
        if only is not None:
            rounds = rounds.filter(pk__in=only)
        rows = rounds.values(
            "pk",
            "number",
            "revision_reasons",
            "proposal_id",
            "proposal__title",
            "proposal__client__name",
        ).annotate(team=ArrayAgg("proposal__client__memberships__user", default=[]))
        for round_ in rows:
            yield registry.Due(
                registry.object_key("accounts.proposalround", round_["pk"]),
                "revision_requested",
                round_["team"],
                reverse("accounts:proposal_detail", args=[round_["proposal_id"]]),
                {
                    "title": round_["proposal__title"],
                    "number": round_["number"],
                    "client": round_["proposal__client__name"],
                    "reasons": round_["revision_reasons"][:1000],
                },
            )

    def message(self, due):
        return (
            _("%(client)s asked for a revision of “%(title)s” (round %(number)s)") % due.data,
            due.data["reasons"],
        )


class ClientDecided(registry.Rule):
    """A client contact approves a document sent to them, or asks for changes: to the
    client's lead AE, its account director and whoever sent it, at once."""

    name = "accounts.client_decided"
    kind = Kind.CLIENT_ANSWERS

    def due(self, now, *, only=None):
        decisions = ClientDecision.objects.filter(decided_at__gte=now - registry.EVENT_WINDOW)
        if only is not None:
            decisions = decisions.filter(pk__in=only)
        rows = decisions.values(
            "pk",
            "decision",
            "signed_name",
            "comment",
            "contact__name",
            "sending__title",
            "sending__link",
            "sending__sent_by_id",
            "sending__client__name",
            "sending__client__lead_ae_id",
            "sending__client__account_director_id",
        )
        for row in rows:
            yield registry.Due(
                registry.object_key("accounts.clientdecision", row["pk"]),
                row["decision"],
                [
                    row["sending__client__lead_ae_id"],
                    row["sending__client__account_director_id"],
                    row["sending__sent_by_id"],
                ],
                row["sending__link"],
                {
                    "decision": row["decision"],
                    "contact": row["contact__name"],
                    "client": row["sending__client__name"],
                    "document": row["sending__title"],
                    "signed": row["signed_name"],
                    "comment": row["comment"][:1000],
                },
            )

    def message(self, due):
        if due.data["decision"] == ClientDecision.Decision.APPROVED:
            title = _("%(contact)s of %(client)s approved %(document)s") % due.data
            return title, _("Signed “%(signed)s”.") % due.data
        title = _("%(contact)s of %(client)s asks for changes to %(document)s") % due.data
        return title, due.data["comment"]


registry.register(ActionItemDueSoon())
registry.register(ActionItemOverdue())
registry.register(MeetingNotReported())
registry.register(RecapAnswered())
registry.register(RevisionRequested())
registry.register(ClientDecided())
