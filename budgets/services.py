from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Proposal, ProposalRound
from common.errors import Refused, check_revision
from common.locks import lock_row, lock_rows
from notifications import services as notifications
from projects.models import Project
from teams import permissions, sign_off
from teams.models import User

from . import selectors
from .models import (
    Category,
    ChangeOrder,
    ChangeOrderLine,
    Channel,
    CostEntry,
    Estimate,
    EstimateLine,
    ProjectMoney,
    SpendAllocation,
    SpendPlan,
)


def _keeps_budgets(user: User) -> None:
    if not permissions.can_edit_budgets(user):
        raise Refused(_("Budgets are kept by the account team."))


def working_budget(project: Project, *, approved: Estimate | None) -> dict[str, Decimal]:
    """Per line: the approved estimate (Estimate.objects.approved_for) plus the change orders
    the client approved."""
    budget = {category: Decimal("0") for category in Category.values}
    if approved is None:
        return budget
    for line in approved.lines.all():
        budget[line.category] += line.amount
    changes = (
        ChangeOrderLine.objects.filter(
            change_order__project=project, change_order__client_approved_on__isnull=False
        )
        .values("category")
        .annotate(total=Sum("delta"))
    )
    for change in changes:
        budget[change["category"]] += change["total"]
    return budget


def project_money_refresh(project_ids) -> None:
    """Recomputes the ProjectMoney rows of these projects from their estimates, change
    orders and costs, in one statement each way, with their place in the budget review as
    of today. The projects are locked first, so two writers to one project's money take
    turns, and the second adds up what the first committed."""
    lock_rows(Project, project_ids)
    today = timezone.localdate()
    approved = Estimate.objects.approved().filter(project=OuterRef("pk"))
    rows = (
        selectors.with_money(Project.objects.filter(pk__in=project_ids))
        .annotate(
            version=Subquery(approved.values("version")[:1]),
            warn_at=Subquery(approved.values("warn_at_percent")[:1]),
        )
        .order_by("pk")
    )
    money = []
    for row in rows:
        row_money = ProjectMoney(
            project_id=row.pk,
            budget=row.estimate_total + row.changes_total,
            cost=row.cost_total,
            pending=row.pending_total,
            fee=row.fee,
            estimate_version=row.version,
            warn_at_percent=row.warn_at or 80,
        )
        row_money.place_in_review(row, today)
        money.append(row_money)
    ProjectMoney.objects.bulk_create(
        money,
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=[
            "budget",
            "cost",
            "pending",
            "fee",
            "estimate_version",
            "warn_at_percent",
            "updated_at",
            *REVIEW_ORDER_FIELDS,
        ],
    )


REVIEW_ORDER_FIELDS = ["over_budget", "ahead", "ordered_on"]


def project_money_reorder(today=None, *, batch=1000) -> int:
    """Every hour: the review's order set again for the money rows of an earlier day, and for
    those whose project changed since (its dates, say). Returns how many rows it set."""
    today = today or timezone.localdate()
    stale = list(
        ProjectMoney.objects.filter(
            Q(ordered_on__lt=today)
            | Q(ordered_on__isnull=True)
            | Q(project__updated_at__gt=F("updated_at"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), batch):
        with transaction.atomic():
            ids = lock_rows(ProjectMoney, stale[start : start + batch])
            rows = list(
                ProjectMoney.objects.filter(pk__in=ids)
                .select_related("project")
                .only(
                    *(field.name for field in ProjectMoney._meta.concrete_fields),
                    "project__start_date",
                    "project__deadline",
                )
            )
            for row in rows:
                row.place_in_review(row.project, today)
            # An upsert of the rows just read: one statement, where bulk_update would build
            # a CASE per field over a thousand rows.
            ProjectMoney.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["project"],
                update_fields=[*REVIEW_ORDER_FIELDS, "updated_at"],
            )
    return len(stale)


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
    _keeps_budgets(author)
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
    _keeps_budgets(editor)
    estimate = lock_row(estimate)
    check_revision(
        estimate,
        revision,
        _(
            "%(name)s changed this estimate while you were editing it. Check their changes, "
            "then save yours again."
        ),
    )
    if estimate.is_locked:
        raise Refused(_("This version is locked; start a new version to change it."))
    for name, value in fields.items():
        if name in ESTIMATE_FIELDS:
            setattr(estimate, name, value)
    estimate.revision += 1
    estimate.updated_by = editor
    estimate.full_clean()
    estimate.save()
    _set_lines(estimate, lines)
    return estimate


@transaction.atomic
def estimate_submit(*, estimate: Estimate, submitted_by: User) -> Estimate:
    _keeps_budgets(submitted_by)
    estimate = lock_row(estimate)
    if (
        estimate.status == Estimate.Status.DRAFT
        and not estimate.lines.filter(amount__gt=0).exists()
    ):
        raise Refused(_("Give at least one line an amount before submitting."))
    sign_off.submit(estimate, by=submitted_by)
    estimate.updated_by = submitted_by
    estimate.revision += 1
    estimate.save()
    return estimate


@transaction.atomic
def estimate_approve(*, estimate: Estimate, approved_by: User) -> Estimate:
    estimate = lock_row(estimate)
    sign_off.check_decision(
        estimate,
        by=approved_by,
        waiting=Estimate.Status.SUBMITTED,
        makers=(estimate.submitted_by_id, estimate.author_id),
        wording=sign_off.Wording(
            director_only=_("Only an account director signs off a budget."),
            not_own=_("Nobody signs off their own budget."),
        ),
    )
    estimate.status = Estimate.Status.APPROVED
    estimate.approved_by = approved_by
    estimate.approved_at = timezone.now()
    estimate.updated_by = approved_by
    estimate.revision += 1
    estimate.save()
    project_money_refresh([estimate.project_id])
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
    _keeps_budgets(created_by)
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


# Costs and burn


@dataclass(frozen=True)
class LineBurn:
    category: str
    label: str
    budget: Decimal
    actual: Decimal
    pending: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.actual / self.budget * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProjectBurn:
    lines: list[LineBurn]
    budget: Decimal
    actual: Decimal
    pending: Decimal
    fee: Decimal
    elapsed: Decimal  # share of the schedule behind us, 0 to 1
    warn_at_percent: int

    @property
    def percent(self) -> Decimal | None:
        return (self.actual / self.budget * 100).quantize(Decimal("0.1")) if self.budget else None

    @property
    def forecast(self) -> Decimal:
        """Cost at completion if spending goes on at the pace so far: cost so far divided by
        the share of the schedule elapsed (never below the cost so far)."""
        if self.elapsed <= 0:
            return self.actual
        return max(self.actual, (self.actual / self.elapsed).quantize(Decimal("0.01")))

    @property
    def margin(self) -> Decimal:
        return self.fee - self.actual

    @property
    def forecast_margin(self) -> Decimal:
        return self.fee - self.forecast


def project_burn(project: Project, *, approved: Estimate | None, today=None) -> ProjectBurn:
    """The project's burn per line and in all, on its `approved` estimate
    (Estimate.objects.approved_for)."""
    today = today or timezone.localdate()
    budget = working_budget(project, approved=approved)
    sums = {
        (row["category"], row["status"]): row["total"]
        for row in CostEntry.objects.filter(project=project)
        .exclude(status=CostEntry.Status.REJECTED)
        .values("category", "status")
        .annotate(total=Sum("amount"))
    }
    lines = [
        LineBurn(
            category=value,
            label=label,
            budget=budget[value],
            actual=sums.get((value, CostEntry.Status.COUNTED), Decimal("0")),
            pending=sums.get((value, CostEntry.Status.PENDING), Decimal("0")),
        )
        for value, label in Category.choices
    ]
    return ProjectBurn(
        lines=lines,
        budget=sum((line.budget for line in lines), Decimal("0")),
        actual=sum((line.actual for line in lines), Decimal("0")),
        pending=sum((line.pending for line in lines), Decimal("0")),
        fee=approved.fee if approved else Decimal("0"),
        elapsed=project.schedule_elapsed(today),
        warn_at_percent=approved.warn_at_percent if approved else 80,
    )


def thresholds_crossed(*, budget: Decimal, before: Decimal, after: Decimal, warn_at: int):
    """The burn thresholds (the warning percentage, then 100) that a cost moved past."""
    if budget <= 0:
        return [100] if after > before else []
    return [
        threshold
        for threshold in (warn_at, 100)
        if before * 100 < budget * threshold <= after * 100
    ]


@dataclass(frozen=True)
class CostRecorded:
    entry: CostEntry
    crossed: list[int]


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
    until approved."""
    _keeps_budgets(entered_by)
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
    if kind == CostEntry.Kind.STAFF_TIME:
        if person is None or not hours:
            raise Refused(_("Staff time needs the person and the hours."))
        entry.person, entry.hours, entry.cost_rate = person, hours, person.cost_rate
        entry.amount = (hours * person.cost_rate).quantize(Decimal("0.01"))
    else:
        entry.amount = amount
    estimate = Estimate.objects.approved_for(project)
    line_budget = working_budget(project, approved=estimate)[category]
    before = CostEntry.objects.counted().filter(project=project, category=category).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    if (
        estimate is not None
        and estimate.director_approval_past_budget
        and before + entry.amount > line_budget
    ):
        entry.status = CostEntry.Status.PENDING
    entry.full_clean()
    entry.save()
    project_money_refresh([project.pk])
    crossed = []
    if entry.status == CostEntry.Status.COUNTED:
        notifications.check_soon("budgets.threshold", [project.pk])
        crossed = thresholds_crossed(
            budget=line_budget,
            before=before,
            after=before + entry.amount,
            warn_at=estimate.warn_at_percent if estimate else 80,
        )
    return CostRecorded(entry=entry, crossed=crossed)


@transaction.atomic
def cost_entry_decide(*, entry: CostEntry, decided_by: User, approve: bool) -> CostEntry:
    if not permissions.can_sign_off(decided_by):
        raise Refused(_("Only an account director approves costs past the budget."))
    entry = lock_row(entry)
    if entry.status != CostEntry.Status.PENDING:
        raise Refused(_("This cost is not waiting for a decision."))
    entry.status = CostEntry.Status.COUNTED if approve else CostEntry.Status.REJECTED
    entry.decided_by = decided_by
    entry.save()
    project_money_refresh([entry.project_id])
    if approve:
        notifications.check_soon("budgets.threshold", [entry.project_id])
    return entry


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


# Spend plans


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
    _keeps_budgets(saved_by)
    if plan is not None:
        plan = lock_row(plan)
        if plan.status == SpendPlan.Status.APPROVED:
            raise Refused(_("An approved plan is locked."))
    else:
        plan = SpendPlan(client=client, created_by=saved_by)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.first_month = plan.first_month.replace(day=1)
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
    plan.full_clean()
    plan.save()
    plan.allocations.all().delete()
    SpendAllocation.objects.bulk_create(
        SpendAllocation(plan=plan, channel=channel, month=month, amount=amount)
        for (channel, month), amount in allocations.items()
        if amount
    )
    return plan


@transaction.atomic
def spend_plan_approve(*, plan: SpendPlan, approved_by: User) -> SpendPlan:
    """A spend plan goes to a director as soon as it is drafted: it has no submit step."""
    plan = lock_row(plan)
    sign_off.check_decision(
        plan,
        by=approved_by,
        waiting=SpendPlan.Status.DRAFT,
        makers=(plan.created_by_id,),
        wording=sign_off.Wording(
            director_only=_("Only an account director signs off a spend plan."),
            not_own=_("Nobody signs off their own spend plan."),
        ),
    )
    plan.status = SpendPlan.Status.APPROVED
    plan.approved_by = approved_by
    plan.save()
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
