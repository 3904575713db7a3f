"""Estimates and their sign-off, and change orders (one from a re-pitch too)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Proposal, ProposalRound
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
) -> ChangeOrder:
    """A change order; with the client's approval date it counts in the working budget, and
    no line may then fall below zero."""
    keeps_budgets(created_by)
    lock_row(project)
    if not reason.strip():
        raise Refused(_("Say why the budget changes."), field="reason")
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
