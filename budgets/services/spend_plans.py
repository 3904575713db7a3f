"""Spend plans: the client's advertising budget by channel and month, signed off by a
director."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Refused
from common.locks import lock_row
from common.models import assign, validate
from notifications import services as notifications
from teams import sign_off
from teams.models import User

from ..models import (
    Channel,
    CostEntry,
    SpendAllocation,
    SpendPlan,
)
from .money import keeps_budgets

SPEND_PLAN_FIELDS = {
    "name",
    "first_month",
    "months",
    "total",
    "expected_reach",
    "expected_leads",
    "expected_sales",
    "expected_roi_percent",
}


@transaction.atomic
def spend_plan_save(
    *,
    client,
    saved_by: User,
    allocations: dict[tuple[str, object], Decimal],
    plan: SpendPlan | None = None,
    **fields,
) -> SpendPlan:
    """Creates or updates a draft plan with its grid. The allocations must add up to the
    total; an approved plan is locked."""
    keeps_budgets(saved_by)
    if plan is not None:
        plan = lock_row(plan)
        if plan.status == SpendPlan.Status.APPROVED:
            raise Refused(_("An approved plan is locked."))
    else:
        plan = SpendPlan(client=client, created_by=saved_by, currency=client.currency)
    assign(plan, fields, SPEND_PLAN_FIELDS)
    plan.first_month = plan.first_month.replace(day=1)
    # Saved, it waits for sign-off (again, after a return).
    plan.status = SpendPlan.Status.DRAFT
    plan.submitted_at = timezone.now()
    plan.review_comments = ""
    # The plan's own fields first: a month count of 13 is refused as such, not as a grid
    # that does not add up.
    validate(plan, exclude=["client", "created_by"])
    allocated = sum(allocations.values(), Decimal("0"))
    if allocated != plan.total:
        raise Refused(
            _("The allocations add up to %(allocated)s, not the total of %(total)s.")
            % {"allocated": allocated, "total": plan.total},
            field="total",
        )
    months = set(plan.month_starts())
    if any(month not in months for _, month in allocations):
        raise Refused(_("An allocation falls outside the plan's months."))
    validate(plan)
    plan.save()
    plan.allocations.all().delete()
    SpendAllocation.objects.bulk_create(
        SpendAllocation(plan=plan, channel=channel, month=month, amount=amount)
        for (channel, month), amount in allocations.items()
        if amount
    )
    notifications.check_soon("budgets.spend_plan_submitted", [plan.pk])
    return plan


def _check_plan_decision(plan: SpendPlan, by: User) -> None:
    sign_off.check_decision(
        plan,
        by=by,
        waiting=SpendPlan.Status.DRAFT,
        makers=(plan.created_by_id,),
        wording=sign_off.Wording(
            director_only=_("Only an account director signs off a spend plan."),
            not_own=_("Nobody signs off their own spend plan."),
        ),
    )


@transaction.atomic
def spend_plan_approve(*, plan: SpendPlan, approved_by: User) -> SpendPlan:
    """A spend plan goes to a director as soon as it is drafted: it has no submit step."""
    plan = lock_row(plan)
    _check_plan_decision(plan, approved_by)
    plan.status = SpendPlan.Status.APPROVED
    plan.approved_by = approved_by
    plan.decided_at = timezone.now()
    plan.save()
    notifications.check_soon("budgets.spend_plan_decided", [plan.pk])
    return plan


@transaction.atomic
def spend_plan_return(*, plan: SpendPlan, returned_by: User, comments: str) -> SpendPlan:
    """Sends a waiting plan back to the AE, with what to change; saving it again puts it
    back in the director's inbox."""
    plan = lock_row(plan)
    _check_plan_decision(plan, returned_by)
    if not comments.strip():
        raise Refused(_("Say what to change when returning a spend plan."), field="comments")
    plan.status = SpendPlan.Status.RETURNED
    plan.returned_by = returned_by
    plan.review_comments = comments.strip()
    plan.decided_at = timezone.now()
    validate(plan)
    plan.save()
    notifications.check_soon("budgets.spend_plan_decided", [plan.pk])
    return plan


def spend_plan_against_actual(plan: SpendPlan) -> list[dict]:
    """Per channel: planned, and spent in the plan's months on the client's projects (cost
    entries tagged with that channel)."""
    months = plan.month_starts()
    end = (months[-1] + timedelta(days=32)).replace(day=1)
    planned = {
        row["channel"]: row["total"]
        for row in plan.allocations.values("channel").annotate(total=Sum("amount"))
    }
    actual = {
        row["channel"]: row["total"]
        for row in CostEntry.objects.counted()
        .filter(project__client=plan.client_id, incurred_on__gte=months[0], incurred_on__lt=end)
        .exclude(channel="")
        .values("channel")
        .annotate(total=Sum("amount"))
    }
    return [
        {
            "channel": value,
            "label": label,
            "planned": planned.get(value, Decimal("0")),
            "actual": actual.get(value, Decimal("0")),
        }
        for value, label in Channel.choices
    ]
