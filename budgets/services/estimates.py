"""Estimates and their sign-off, and change orders (one from a re-pitch too)."""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import services as accounts
from accounts.models import ClientDecision, Proposal, ProposalRound
from budgets.documents import change_order_number, change_order_pdf, estimate_pdf
from common.errors import Refused, check_revision
from common.locks import lock_row
from common.models import assign, validate
from notifications import services as notifications
from projects.models import Project
from teams import sign_off
from teams.models import User

from ..models import (
    Category,
    ChangeOrder,
    ChangeOrderLine,
    Estimate,
    EstimateLine,
)
from .money import keeps_budgets, project_money_refresh, working_budget


def _set_lines(estimate: Estimate, amounts: dict[str, Decimal]) -> None:
    for category, amount in amounts.items():
        if category not in Category.values:
            raise Refused(_("There is no budget line called %(name)s.") % {"name": category})
        EstimateLine.objects.update_or_create(
            estimate=estimate, category=category, defaults={"amount": amount}
        )


@transaction.atomic
def estimate_start(*, project: Project, author: User) -> Estimate:
    """A new version as a copy of the last one; one open version at a time."""
    keeps_budgets(author)
    lock_row(project)
    last = project.estimates.order_by("-version").first()
    if last is not None and last.status != Estimate.Status.APPROVED:
        raise Refused(_("Version %(version)s is still open.") % {"version": last.version})
    estimate = Estimate.objects.create(
        project=project,
        version=(last.version + 1) if last else 1,
        author=author,
        updated_by=author,
        **(
            {
                "fee": last.fee,
                "target_margin_percent": last.target_margin_percent,
                "warn_at_percent": last.warn_at_percent,
                "director_approval_past_budget": last.director_approval_past_budget,
            }
            if last
            else {}
        ),
    )
    if last is not None:
        _set_lines(estimate, {line.category: line.amount for line in last.lines.all()})
    return estimate


ESTIMATE_FIELDS = {
    "fee",
    "target_margin_percent",
    "warn_at_percent",
    "director_approval_past_budget",
}


@transaction.atomic
def estimate_update(
    *, estimate: Estimate, editor: User, revision: int, lines: dict[str, Decimal], **fields
) -> Estimate:
    """Saves a draft. `revision` is the one the editor started from: if someone saved in
    between, the save is refused and names them."""
    keeps_budgets(editor)
    estimate = lock_row(estimate)
    check_revision(
        estimate,
        revision,
        _("%(name)s changed this estimate while you were editing it."),
    )
    if estimate.is_locked:
        raise Refused(_("This version is locked; start a new version to change it."))
    assign(estimate, fields, ESTIMATE_FIELDS)
    estimate.revision += 1
    estimate.updated_by = editor
    validate(estimate)
    estimate.save()
    _set_lines(estimate, lines)
    return estimate


@transaction.atomic
def estimate_submit(*, estimate: Estimate, submitted_by: User) -> Estimate:
    keeps_budgets(submitted_by)
    estimate = lock_row(estimate)
    if (
        estimate.status == Estimate.Status.DRAFT
        and not estimate.lines.filter(amount__gt=0).exists()
    ):
        raise Refused(_("Give at least one line an amount before submitting."))
    sign_off.submit(estimate, by=submitted_by)
    estimate.review_comments = ""
    estimate.updated_by = submitted_by
    estimate.revision += 1
    estimate.save()
    notifications.check_soon("budgets.estimate_submitted", [estimate.pk])
    return estimate


def _check_decision(estimate: Estimate, by: User) -> None:
    sign_off.check_decision(
        estimate,
        by=by,
        waiting=Estimate.Status.SUBMITTED,
        makers=(estimate.submitted_by_id, estimate.author_id),
        wording=sign_off.Wording(
            director_only=_("Only an account director signs off a budget."),
            not_own=_("Nobody signs off their own budget."),
        ),
    )


@transaction.atomic
def estimate_approve(*, estimate: Estimate, approved_by: User) -> Estimate:
    estimate = lock_row(estimate)
    _check_decision(estimate, approved_by)
    estimate.status = Estimate.Status.APPROVED
    estimate.approved_by = approved_by
    estimate.approved_at = timezone.now()
    estimate.updated_by = approved_by
    estimate.revision += 1
    estimate.save()
    project_money_refresh([estimate.project_id])
    notifications.check_soon("budgets.estimate_decided", [estimate.pk])
    return estimate


@transaction.atomic
def estimate_return(*, estimate: Estimate, returned_by: User, comments: str) -> Estimate:
    """Sends a submitted version back to its AE as a draft, with what to change."""
    estimate = lock_row(estimate)
    _check_decision(estimate, returned_by)
    if not comments.strip():
        raise Refused(_("Say what to change when returning a budget."), field="comments")
    estimate.status = Estimate.Status.DRAFT
    estimate.review_comments = comments.strip()
    estimate.returned_at = timezone.now()
    estimate.returned_by = returned_by
    estimate.updated_by = returned_by
    estimate.revision += 1
    validate(estimate)
    estimate.save()
    notifications.check_soon("budgets.estimate_decided", [estimate.pk])
    return estimate


@transaction.atomic
def change_order_create(
    *,
    project: Project,
    created_by: User,
    reason: str,
    deltas: dict[str, Decimal],
    client_approved_on=None,
    client_approval_note: str = "",
) -> ChangeOrder:
    """A change order. It usually waits for the client's approval through its link; with
    the date the client approved it some other way, and how, it counts in the working
    budget at once, and no line may then fall below zero."""
    keeps_budgets(created_by)
    lock_row(project)
    if not reason.strip():
        raise Refused(_("Say why the budget changes."), field="reason")
    if client_approved_on is not None and not client_approval_note.strip():
        raise Refused(_("Say how the client approved it."), field="client_approval_note")
    deltas = {category: delta for category, delta in deltas.items() if delta}
    if not deltas:
        raise Refused(_("A change order changes at least one line."))
    if client_approved_on is not None:
        budget = working_budget(project, approved=Estimate.objects.approved_for(project))
        for category, delta in deltas.items():
            if budget[category] + delta < 0:
                raise Refused(
                    _("That would take the %(line)s line below zero.")
                    % {"line": Category(category).label.lower()}
                )
    order = ChangeOrder.objects.create(
        project=project,
        created_by=created_by,
        reason=reason.strip(),
        client_approved_on=client_approved_on,
        client_approval_note=" ".join(client_approval_note.split()) if client_approved_on else "",
    )
    ChangeOrderLine.objects.bulk_create(
        ChangeOrderLine(change_order=order, category=category, delta=delta)
        for category, delta in deltas.items()
    )
    project_money_refresh([project.pk])
    return order


@transaction.atomic
def change_order_from_repitch(*, proposal, created_by: User) -> ChangeOrder:
    """One step from re-pitch to budget: the staff time of the proposal's rounds past the
    client's allowance, not charged yet, becomes a change order on its project's staff-time
    line, waiting for the client's approval."""
    lock_row(proposal)
    proposal = Proposal.objects.select_related("client", "project").get(pk=proposal.pk)
    if proposal.project is None:
        raise Refused(_("Link the proposal to a project first: change orders belong to one."))
    charged = {number for order in proposal.change_orders.all() for number in order.repitch_rounds}
    rounds = [
        round_
        for round_ in ProposalRound.objects.filter(proposal=proposal).repitch().with_cost()
        if round_.number not in charged and round_.cost > 0
    ]
    if not rounds:
        raise Refused(_("No re-pitch round is left to charge."))
    numbers = sorted(round_.number for round_ in rounds)
    order = change_order_create(
        project=proposal.project,
        created_by=created_by,
        reason=_("Re-pitch of “%(title)s”: rounds %(rounds)s past the %(allowed)s agreed.")
        % {
            "title": proposal.title,
            "rounds": ", ".join(str(number) for number in numbers),
            "allowed": proposal.client.allowed_proposal_rounds,
        },
        deltas={Category.STAFF_TIME: sum((round_.cost for round_ in rounds), Decimal("0"))},
    )
    order.proposal = proposal
    order.repitch_rounds = numbers
    order.save(update_fields=["proposal", "repitch_rounds"])
    return order


def _project_title(project: Project) -> str:
    return f"{project.job_number} {project.name}"


@transaction.atomic
def estimate_send(*, estimate: Estimate, sent_by: User, contacts, message: str = "") -> Estimate:
    """Sends a signed-off estimate to the client's contacts for their approval."""
    keeps_budgets(sent_by)
    estimate = lock_row(estimate)
    project = Project.objects.select_related("client").get(pk=estimate.project_id)
    if estimate.status != Estimate.Status.APPROVED:
        raise Refused(_("An estimate goes to the client once a director has signed it off."))
    if project.estimates.filter(version__gt=estimate.version, status=Estimate.Status.APPROVED):
        raise Refused(_("A later version is signed off: send that one."))
    with translation.override(project.client.language):
        title = _("Estimate v%(version)s · %(project)s") % {
            "version": estimate.version,
            "project": _project_title(project),
        }
    accounts.document_send(
        document=estimate,
        client=project.client,
        revision=estimate.revision,
        title=title,
        link=reverse("budgets:project_budget", args=[project.pk]),
        pdf=estimate_pdf(estimate),
        filename=f"{project.job_number}-estimate-v{estimate.version}.pdf",
        sent_by=sent_by,
        contacts=contacts,
        message=message,
        asks_approval=True,
    )
    return estimate


def estimate_superseded(estimate: Estimate, sending) -> bool:
    """A link to an estimate is out of date once the version is changed or a later one is
    signed off."""
    return (
        estimate.revision != sending.revision
        or Estimate.objects.filter(
            project_id=estimate.project_id,
            version__gt=estimate.version,
            status=Estimate.Status.APPROVED,
        ).exists()
    )


def estimate_decided(estimate: Estimate, decision: ClientDecision) -> None:
    """The client's answer is kept with the sending and shown on the budget; the estimate
    itself, signed off and locked, does not change."""


@transaction.atomic
def change_order_send(
    *, order: ChangeOrder, sent_by: User, contacts, message: str = ""
) -> ChangeOrder:
    """Sends a change order to the client's contacts: for their approval while it waits
    for it, for their records once approved."""
    keeps_budgets(sent_by)
    order = lock_row(order)
    project = Project.objects.select_related("client").get(pk=order.project_id)
    number = change_order_number(order)
    with translation.override(project.client.language):
        title = _("Change order %(number)s · %(project)s") % {
            "number": number,
            "project": _project_title(project),
        }
    accounts.document_send(
        document=order,
        client=project.client,
        revision=1,
        title=title,
        link=reverse("budgets:project_budget", args=[project.pk]),
        pdf=change_order_pdf(order),
        filename=f"{project.job_number}-change-order-{number}.pdf",
        sent_by=sent_by,
        contacts=contacts,
        message=message,
        asks_approval=not order.is_approved,
    )
    return order


def change_order_superseded(order: ChangeOrder, sending) -> bool:
    """A change order never changes; once approved, its other links have nothing to ask."""
    return order.is_approved


def _approve(order: ChangeOrder, *, on, decision=None, note="") -> None:
    project = lock_row(order.project)
    budget = working_budget(project, approved=Estimate.objects.approved_for(project))
    for line in order.lines.all():
        if budget[line.category] + line.delta < 0:
            raise Refused(
                _("That would take the %(line)s line below zero.")
                % {"line": Category(line.category).label.lower()}
            )
    order.client_approved_on = on
    order.client_approval = decision
    order.client_approval_note = note
    validate(order)
    order.save(update_fields=["client_approved_on", "client_approval", "client_approval_note"])
    project_money_refresh([project.pk])


def change_order_decided(order: ChangeOrder, decision: ClientDecision) -> None:
    """The client's approval through the link raises the working budget at once."""
    if decision.approved:
        _approve(order, on=timezone.localdate(decision.decided_at), decision=decision)


@transaction.atomic
def change_order_approval_record(
    *, order: ChangeOrder, recorded_by: User, approved_on, note: str
) -> ChangeOrder:
    """The client approved some other way (a signed letter, an email): the team types the
    date and how, and the change counts from then."""
    keeps_budgets(recorded_by)
    order = lock_row(order)
    if order.is_approved:
        raise Refused(_("The client has approved this change order already."))
    if not note.strip():
        raise Refused(_("Say how the client approved it."), field="note")
    _approve(order, on=approved_on, note=" ".join(note.split()))
    return order
