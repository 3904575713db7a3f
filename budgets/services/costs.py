"""Costs against a project's budget, and the director's decision on one past it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ExchangeRate
from common.errors import Refused
from common.locks import lock_row
from common.models import validate
from notifications import services as notifications
from projects.models import Project
from teams import permissions
from teams.models import User

from .. import overrun, selectors
from ..models import (
    CostEntry,
    Estimate,
)
from .money import keeps_budgets, project_money_refresh


@dataclass(frozen=True)
class CostRecorded:
    entry: CostEntry
    crossed: list[overrun.Crossing]


@transaction.atomic
def cost_entry_create(
    *,
    project: Project,
    entered_by: User,
    category: str,
    incurred_on,
    kind: str,
    amount: Decimal | None = None,
    vendor: str = "",
    reference: str = "",
    person: User | None = None,
    hours: Decimal | None = None,
    channel: str = "",
) -> CostRecorded:
    """Records a cost. Staff time is priced at the person's cost rate now. Where the estimate
    asks for it, a cost that takes its line past 100% waits for a director and does not count
    until approved; a director's own such cost waits for another director."""
    keeps_budgets(entered_by)
    # One cost at a time per project, so that the threshold each one crosses is certain.
    lock_row(project)
    entry = CostEntry(
        project=project,
        entered_by=entered_by,
        category=category,
        incurred_on=incurred_on,
        kind=kind,
        vendor=vendor.strip(),
        reference=reference.strip(),
        channel=channel,
    )
    _price(entry, amount=amount, person=person, hours=hours)
    if incurred_on > timezone.localdate():
        raise Refused(_("Record a cost once it is incurred."), field="incurred_on")
    estimate = Estimate.objects.approved().filter(project=project).first()
    warn_at = estimate.warn_at_percent if estimate else overrun.DEFAULT_WARN_AT_PERCENT
    before = selectors.line_figures([project.pk])[project.pk]
    line_budget, line_spent = before.get(category, (Decimal("0"), Decimal("0")))
    if (
        estimate is not None
        and estimate.director_approval_past_budget
        and line_spent + entry.amount > line_budget
    ):
        entry.status = CostEntry.Status.PENDING
    validate(entry)
    entry.save()
    project_money_refresh([project.pk])
    crossed = []
    if entry.status == CostEntry.Status.PENDING:
        notifications.check_soon("budgets.cost_waiting", [entry.pk])
    if entry.status == CostEntry.Status.COUNTED:
        notifications.check_soon("budgets.threshold", [project.pk])
        after = {**before, category: (line_budget, line_spent + entry.amount)}
        crossed = overrun.crossed(before, after, warn_at)
    return CostRecorded(entry=entry, crossed=crossed)


def _price(entry: CostEntry, *, amount, person, hours) -> None:
    """A cost is either a vendor's bill (vendor and amount) or staff time (person and hours,
    priced at the person's cost rate): the parts of the other kind stay empty."""
    if entry.kind == CostEntry.Kind.STAFF_TIME:
        if entry.vendor or amount is not None:
            raise Refused(
                _("Staff time is priced from the hours: leave the vendor and the amount empty."),
                field="amount",
            )
        if not hours or hours <= 0:
            raise Refused(_("Enter the hours, more than zero."), field="hours")
        if person is None:
            raise Refused(_("Who spent the time?"), field="person")
        entry.person, entry.hours, entry.cost_rate = person, hours, person.cost_rate
        entry.amount = _in_project_currency(entry, hours * person.cost_rate)
    elif entry.kind == CostEntry.Kind.VENDOR:
        if person is not None or hours is not None:
            raise Refused(
                _(
                    "Hours are for staff time: choose Staff time, or leave the person and the "
                    "hours empty."
                ),
                field="hours",
            )
        if not entry.vendor:
            raise Refused(_("Name the vendor."), field="vendor")
        if amount is None or amount <= 0:
            raise Refused(_("Enter the amount, more than zero."), field="amount")
        entry.amount = amount
    else:
        raise Refused(_("Choose a vendor cost or staff time."), field="kind")


def _in_project_currency(entry: CostEntry, base_amount: Decimal) -> Decimal:
    """Staff cost rates are in the base currency; a project in another currency counts the
    time at the rate in force on the day it was spent."""
    currency = entry.project.currency
    rate = ExchangeRate.objects.rate_on(currency, entry.incurred_on)
    if rate is None:
        raise Refused(
            _(
                "No %(currency)s rate for %(month)s yet: finance records one before staff "
                "time is priced on this project."
            )
            % {"currency": currency, "month": entry.incurred_on.strftime("%Y-%m")},
            field="hours",
        )
    return (base_amount / rate).quantize(Decimal("0.01"))


@transaction.atomic
def cost_entry_decide(*, entry: CostEntry, decided_by: User, approve: bool) -> CostEntry:
    if not permissions.can_sign_off(decided_by):
        raise Refused(_("Only an account director approves costs past the budget."))
    entry = lock_row(entry)
    if entry.status != CostEntry.Status.PENDING:
        raise Refused(_("This cost is not waiting for a decision."))
    if entry.entered_by_id == decided_by.pk:
        raise Refused(_("Another director decides on a cost you entered."))
    entry.status = CostEntry.Status.COUNTED if approve else CostEntry.Status.REJECTED
    entry.decided_by = decided_by
    entry.save()
    project_money_refresh([entry.project_id])
    if approve:
        notifications.check_soon("budgets.threshold", [entry.project_id])
    return entry


@transaction.atomic
def cost_entry_reverse(*, entry: CostEntry, reversed_by: User, reason: str) -> CostEntry:
    """Corrects a counted cost by its reversal: the same entry negated, on the same day and
    line, linked to it and with the reason. The cost stays, its history too, and the
    project's money nets them out."""
    if not permissions.corrects_costs(reversed_by):
        raise Refused(_("Costs are corrected by the account team or finance."))
    lock_row(entry.project)
    entry = lock_row(entry)
    reason = reason.strip()
    if not reason:
        raise Refused(_("Say why the cost is reversed."), field="reason")
    if entry.reverses_id is not None:
        raise Refused(_("This entry is a reversal itself; record the cost again instead."))
    if CostEntry.objects.filter(reverses=entry).exists():
        raise Refused(_("This cost was reversed already."))
    if entry.status != CostEntry.Status.COUNTED:
        raise Refused(_("Only a counted cost is reversed; a director rejects one that waits."))
    reversal = CostEntry(
        project_id=entry.project_id,
        category=entry.category,
        incurred_on=entry.incurred_on,
        kind=entry.kind,
        vendor=entry.vendor,
        reference=entry.reference,
        person_id=entry.person_id,
        hours=-entry.hours if entry.hours is not None else None,
        cost_rate=entry.cost_rate,
        amount=-entry.amount,
        channel=entry.channel,
        entered_by=reversed_by,
        reverses=entry,
        reason=reason,
    )
    validate(reversal)
    reversal.save()
    project_money_refresh([entry.project_id])
    return reversal
