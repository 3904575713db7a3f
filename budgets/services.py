from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Client, Proposal, ProposalRound
from common import locks
from common.counters import count_up
from notifications import services as notifications
from projects.models import Project
from teams import permissions
from teams.models import User

from . import selectors
from .models import (
    Category,
    ChangeOrder,
    ChangeOrderLine,
    Channel,
    ClientAging,
    CollectionNote,
    CostEntry,
    Estimate,
    EstimateLine,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
    ProjectMoney,
    SpendAllocation,
    SpendPlan,
)


class Refused(Exception):
    """A change the budget rules do not allow, with the reason to show."""


class StaleEdit(Refused):
    """Someone else saved the row since it was opened for editing. `revision` is the one
    they left it at: a form that starts from it saves over their change knowingly."""

    def __init__(self, message: str, *, changed_by: User, revision: int):
        super().__init__(message % {"name": changed_by.full_name})
        self.changed_by = changed_by
        self.revision = revision


def working_budget(project: Project) -> dict[str, Decimal]:
    """Per line: the latest approved estimate plus the change orders the client approved."""
    approved = (
        project.estimates.filter(status=Estimate.Status.APPROVED).order_by("-version").first()
    )
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
    orders and costs, in one statement each way. The projects are locked first, so two
    writers to one project's money take turns, and the second adds up what the first
    committed."""
    list(
        Project.objects.select_for_update()
        .filter(pk__in=project_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    approved = Estimate.objects.filter(
        project=OuterRef("pk"), status=Estimate.Status.APPROVED
    ).order_by("-version")
    rows = selectors.with_money(Project.objects.filter(pk__in=project_ids)).annotate(
        version=Subquery(approved.values("version")[:1]),
        warn_at=Subquery(approved.values("warn_at_percent")[:1]),
    )
    ProjectMoney.objects.bulk_create(
        [
            ProjectMoney(
                project_id=row.pk,
                budget=row.estimate_total + row.changes_total,
                cost=row.cost_total,
                pending=row.pending_total,
                fee=row.fee,
                estimate_version=row.version,
                warn_at_percent=row.warn_at or 80,
            )
            for row in rows
        ],
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
        ],
    )


def client_aging_refresh(*, client_ids=None, today=None) -> None:
    """Recomputes the aging rows of these clients (every client with an invoice when None)
    as of `today`, from their invoices and collection notes. The rows are locked first,
    created where missing, so that two writers to one client's invoices take turns and the
    second adds up what the first committed."""
    today = today or timezone.localdate()
    clients = Client.objects.filter(Exists(Invoice.objects.filter(client=OuterRef("pk"))))
    if client_ids is not None:
        clients = clients.filter(pk__in=client_ids)
    ids = list(clients.order_by("pk").values_list("pk", flat=True))
    ClientAging.objects.bulk_create(
        [ClientAging(client_id=pk, as_of=today) for pk in ids], ignore_conflicts=True
    )
    locks.lock_rows(ClientAging, ids)
    figures = (
        Client.objects.filter(pk__in=ids)
        .values("pk")
        .annotate(**selectors.aging_figures(today, prefix="invoices__"))
    )
    ClientAging.objects.bulk_create(
        [ClientAging(client_id=row.pop("pk"), as_of=today, **row) for row in figures],
        update_conflicts=True,
        unique_fields=["client"],
        update_fields=["as_of", *selectors.FIGURE_FIELDS],
    )


def client_aging_roll_over(today=None) -> None:
    """Each night: the aging rows of an earlier day recomputed for today, as their buckets
    and what is expected this month move with the date."""
    today = today or timezone.localdate()
    stale = ClientAging.objects.filter(as_of__lt=today).values_list("client_id", flat=True)
    client_aging_refresh(client_ids=list(stale), today=today)


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
    Project.objects.select_for_update().get(pk=project.pk)
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
    estimate = Estimate.objects.select_for_update().select_related("updated_by").get(pk=estimate.pk)
    if estimate.revision != revision:
        raise StaleEdit(
            _(
                "%(name)s changed this estimate while you were editing it. Check their changes, "
                "then save yours again."
            ),
            changed_by=estimate.updated_by,
            revision=estimate.revision,
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
    estimate = Estimate.objects.select_for_update().get(pk=estimate.pk)
    if estimate.status != Estimate.Status.DRAFT:
        raise Refused(_("Only a draft can be submitted."))
    if not estimate.lines.filter(amount__gt=0).exists():
        raise Refused(_("Give at least one line an amount before submitting."))
    estimate.status = Estimate.Status.SUBMITTED
    estimate.submitted_by = submitted_by
    estimate.updated_by = submitted_by
    estimate.revision += 1
    estimate.save()
    return estimate


@transaction.atomic
def estimate_approve(*, estimate: Estimate, approved_by: User) -> Estimate:
    estimate = Estimate.objects.select_for_update().get(pk=estimate.pk)
    if not permissions.can_sign_off(approved_by):
        raise Refused(_("Only an account director signs off a budget."))
    if estimate.status != Estimate.Status.SUBMITTED:
        raise Refused(_("Only a submitted version can be approved."))
    if approved_by.pk in (estimate.submitted_by_id, estimate.author_id):
        raise Refused(_("Nobody signs off their own budget."))
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
    Project.objects.select_for_update().get(pk=project.pk)
    if not reason.strip():
        raise Refused(_("Say why the budget changes."))
    deltas = {category: delta for category, delta in deltas.items() if delta}
    if not deltas:
        raise Refused(_("A change order changes at least one line."))
    if client_approved_on is not None:
        budget = working_budget(project)
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


def _elapsed_share(project: Project, today) -> Decimal:
    length = (project.deadline - project.start_date).days
    if length <= 0:
        return Decimal("1") if today >= project.deadline else Decimal("0")
    done = min(max((today - project.start_date).days, 0), length)
    return Decimal(done) / Decimal(length)


def _approved_estimate(project: Project):
    return project.estimates.filter(status=Estimate.Status.APPROVED).order_by("-version").first()


def project_burn(project: Project, today=None) -> ProjectBurn:
    today = today or timezone.localdate()
    budget = working_budget(project)
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
    estimate = _approved_estimate(project)
    return ProjectBurn(
        lines=lines,
        budget=sum((line.budget for line in lines), Decimal("0")),
        actual=sum((line.actual for line in lines), Decimal("0")),
        pending=sum((line.pending for line in lines), Decimal("0")),
        fee=estimate.fee if estimate else Decimal("0"),
        elapsed=_elapsed_share(project, today),
        warn_at_percent=estimate.warn_at_percent if estimate else 80,
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
    # One cost at a time per project, so that the threshold each one crosses is certain.
    Project.objects.select_for_update().get(pk=project.pk)
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
    line_budget = working_budget(project)[category]
    before = CostEntry.objects.counted().filter(project=project, category=category).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    estimate = _approved_estimate(project)
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
    entry = CostEntry.objects.select_for_update().get(pk=entry.pk)
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
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("client", "project")
        .get(pk=proposal.pk)
    )
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


# Invoices, payments and collections


def _next_invoice_number(year: int) -> str:
    return f"INV-{year}-{count_up(InvoiceCounter, 'last_number', year=year):05d}"


def _invoice_totals(tax_rate: Decimal, amounts: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    subtotal = sum(amounts, Decimal("0"))
    tax = (subtotal * tax_rate / 100).quantize(Decimal("0.01"))
    return subtotal, tax, subtotal + tax


@transaction.atomic
def invoice_create(
    *,
    client,
    created_by: User,
    issue_date,
    lines: list[tuple[str, Decimal]],
    tax_rate: Decimal = Decimal("6"),
    project: Project | None = None,
    fapiao_number: str = "",
) -> Invoice:
    """An invoice with its own number; due after the client's payment terms."""
    if project is not None and project.client_id != client.pk:
        raise Refused(_("An invoice bills a project of its own client."))
    if not lines:
        raise Refused(_("An invoice needs at least one line."))
    subtotal, tax, total = _invoice_totals(tax_rate, [amount for _, amount in lines])
    invoice = Invoice(
        number=_next_invoice_number(issue_date.year),
        client=client,
        project=project,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=client.payment_terms_days),
        tax_rate=tax_rate,
        subtotal=subtotal,
        tax=tax,
        total=total,
        fapiao_number=fapiao_number.strip(),
        created_by=created_by,
        updated_by=created_by,
    )
    invoice.full_clean()
    invoice.save()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, description=description, amount=amount)
        for description, amount in lines
    )
    client_aging_refresh(client_ids=[client.pk])
    return invoice


def _set_invoice_lines(invoice: Invoice, lines: list[tuple[str, Decimal]]) -> None:
    # Line by line in place, so that the history shows what really changed.
    existing = list(invoice.lines.order_by("pk"))
    for line, (description, amount) in zip(existing, lines, strict=False):
        if (line.description, line.amount) != (description, amount):
            line.description, line.amount = description, amount
            line.save(update_fields=["description", "amount"])
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, description=description, amount=amount)
        for description, amount in lines[len(existing) :]
    )
    InvoiceLine.objects.filter(pk__in=[line.pk for line in existing[len(lines) :]]).delete()


@transaction.atomic
def invoice_update(
    *,
    invoice: Invoice,
    editor: User,
    revision: int,
    fapiao_number: str,
    issue_date=None,
    tax_rate: Decimal | None = None,
    project: Project | None = None,
    lines: list[tuple[str, Decimal]] | None = None,
) -> Invoice:
    """Changes an invoice. The fapiao number can be added at any time; the lines, tax rate,
    issue date and project only until the invoice is sent. `revision` is the one the editor
    started from: if someone saved in between, the save is refused and names them."""
    if not permissions.handles_collections(editor):
        raise Refused(_("Invoices are changed by finance."))
    invoice = Invoice.objects.select_for_update().select_related("updated_by").get(pk=invoice.pk)
    if invoice.revision != revision:
        raise StaleEdit(
            _(
                "%(name)s changed this invoice while you were editing it. Check their changes, "
                "then save yours again."
            ),
            changed_by=invoice.updated_by,
            revision=invoice.revision,
        )
    if invoice.written_off_at:
        raise Refused(_("This invoice was written off; it no longer changes."))
    invoice.fapiao_number = fapiao_number.strip()
    if lines is not None:
        if invoice.sent_at:
            raise Refused(_("A sent invoice keeps its lines; only the fapiao number changes."))
        if not lines:
            raise Refused(_("An invoice needs at least one line."))
        if project is not None and project.client_id != invoice.client_id:
            raise Refused(_("An invoice bills a project of its own client."))
        invoice.project = project
        invoice.issue_date = issue_date
        invoice.due_date = issue_date + timedelta(days=invoice.client.payment_terms_days)
        invoice.tax_rate = tax_rate
        invoice.subtotal, invoice.tax, invoice.total = _invoice_totals(
            tax_rate, [amount for _, amount in lines]
        )
        if invoice.total < invoice.amount_paid:
            raise Refused(
                _("The new total is below the %(paid)s already paid.")
                % {"paid": invoice.amount_paid}
            )
        _set_invoice_lines(invoice, lines)
    invoice.revision += 1
    invoice.updated_by = editor
    invoice.full_clean()
    invoice.save()
    client_aging_refresh(client_ids=[invoice.client_id])
    return invoice


@transaction.atomic
def invoice_write_off(*, invoice: Invoice, written_off_by: User, reason: str) -> Invoice:
    """Gives up on what is still outstanding: the invoice leaves the aging and the overdue
    list, and keeps what was paid."""
    if not permissions.handles_collections(written_off_by):
        raise Refused(_("Invoices are written off by finance."))
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.written_off_at:
        raise Refused(_("This invoice was written off already."))
    if invoice.sent_at is None:
        raise Refused(_("A draft was never billed; change it instead of writing it off."))
    if invoice.outstanding <= 0:
        raise Refused(_("This invoice is paid; nothing is left to write off."))
    if not reason.strip():
        raise Refused(_("Say why the rest will not be collected."))
    invoice.written_off_at = timezone.now()
    invoice.write_off_reason = reason.strip()
    invoice.updated_by = written_off_by
    invoice.revision += 1
    invoice.save()
    client_aging_refresh(client_ids=[invoice.client_id])
    return invoice


@transaction.atomic
def invoice_send(*, invoice: Invoice, sent_by: User) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.sent_at is None:
        invoice.sent_at = timezone.now()
        invoice.updated_by = sent_by
        invoice.revision += 1
        invoice.save()
        client_aging_refresh(client_ids=[invoice.client_id])
    return invoice


@transaction.atomic
def payment_record(
    *, invoice: Invoice, recorded_by: User, paid_on, amount: Decimal, method: str
) -> Payment:
    """Records a payment under a lock on the invoice, so that two people recording the last
    payment at once cannot pay it twice; the database refuses a total paid above the invoice
    in any case."""
    if not permissions.is_finance(recorded_by):
        raise Refused(_("Payments are recorded by finance."))
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.written_off_at:
        raise Refused(_("This invoice was written off; it takes no more payments."))
    if amount <= 0:
        raise Refused(_("A payment is more than zero."))
    if paid_on < invoice.issue_date:
        raise Refused(_("A payment cannot come before its invoice was issued."))
    if amount > invoice.outstanding:
        raise Refused(
            _("That is more than the %(outstanding)s still outstanding.")
            % {"outstanding": invoice.outstanding}
        )
    payment = Payment.objects.create(
        invoice=invoice, paid_on=paid_on, amount=amount, method=method, recorded_by=recorded_by
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=F("amount_paid") + amount,
        revision=F("revision") + 1,
        updated_by=recorded_by,
    )
    client_aging_refresh(client_ids=[invoice.client_id])
    return payment


@transaction.atomic
def collection_note_add(
    *, invoice: Invoice, written_by: User, contacted: str, outcome: str, promised_on=None
) -> CollectionNote:
    note = CollectionNote(
        invoice=invoice,
        written_by=written_by,
        contacted=contacted.strip(),
        outcome=outcome.strip(),
        promised_on=promised_on,
    )
    note.full_clean()
    note.save()
    client_aging_refresh(client_ids=[invoice.client_id])
    return note


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
    if plan is not None:
        plan = SpendPlan.objects.select_for_update().get(pk=plan.pk)
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
            % {"allocated": allocated, "total": plan.total}
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
    plan = SpendPlan.objects.select_for_update().get(pk=plan.pk)
    if not permissions.can_sign_off(approved_by):
        raise Refused(_("Only an account director signs off a spend plan."))
    if approved_by.pk == plan.created_by_id:
        raise Refused(_("Nobody signs off their own spend plan."))
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
