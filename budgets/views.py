from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pghistory.models import Events

from accounts.models import Client, Proposal, of_visible_clients
from accounts.selectors import attach_sendings, sendings_among, sent_pdf
from accounts.views import document_send_page
from common import exports
from common.charts import chart, series
from common.documents import pdf_response
from common.errors import Refused, StaleEdit
from common.forms import OPENED, merge_stale_edit, show_stale_edit
from common.history import HISTORY_LENGTH, history_rows
from common.paging import CountedPaginator
from common.views import filtered_page, reason_page, show_refusal
from projects.models import Project
from teams import permissions

from . import selectors, services
from .documents import change_order_number, change_order_pdf, estimate_pdf
from .forms import (
    MAX_PLAN_MONTHS,
    ChangeOrderApprovalForm,
    ChangeOrderForm,
    CostEntryForm,
    CostFilterForm,
    EstimateForm,
    EstimateReviewForm,
    SpendPlanForm,
    SpendPlanReviewForm,
)
from .models import Category, ChangeOrder, CostEntry, Estimate, SpendPlan


def _project(request, pk, *, editable=False):
    """The project whose money the page shows: only to those who see money at all (account
    service and finance, never department staff), and of those, only a project they see,
    or edit when `editable`."""
    if not permissions.can_see_budgets(request.user):
        raise Http404
    projects = (
        Project.objects.editable_by(request.user)
        if editable
        else Project.objects.visible_to(request.user)
    )
    return get_object_or_404(projects.select_related("client"), pk=pk)


def estimate_document(request, pk, estimate_pk):
    """A version of the estimate as the client receives it; ?download saves it."""
    project = _project(request, pk)
    estimate = get_object_or_404(
        project.estimates.select_related("project__client").prefetch_related("lines"),
        pk=estimate_pk,
    )
    return pdf_response(
        sent_pdf(estimate) or estimate_pdf(estimate),
        f"{project.job_number}-estimate-v{estimate.version}.pdf",
        download="download" in request.GET,
    )


def estimate_send(request, pk, estimate_pk):
    """The AE sends a signed-off estimate to the client for approval."""
    project = _project(request, pk, editable=True)
    estimate = get_object_or_404(
        project.estimates.filter(status=Estimate.Status.APPROVED), pk=estimate_pk
    )
    return document_send_page(
        request,
        document=estimate,
        client=project.client,
        title=_("Estimate v%(version)s") % {"version": estimate.version},
        back=reverse("budgets:project_budget", args=[pk]),
        preview=reverse("budgets:estimate_document", args=[pk, estimate.pk]),
        send=lambda **sent: services.estimate_send(estimate=estimate, sent_by=request.user, **sent),
    )


def change_order_send(request, pk, order_pk):
    """The AE sends a change order to the client, for approval while it waits for it."""
    project = _project(request, pk, editable=True)
    order = get_object_or_404(ChangeOrder.objects.filter(project=project), pk=order_pk)
    return document_send_page(
        request,
        document=order,
        client=project.client,
        title=_("Change order %(number)s") % {"number": change_order_number(order)},
        back=reverse("budgets:project_budget", args=[pk]),
        preview=reverse("budgets:change_order_document", args=[pk, order.pk]),
        send=lambda **sent: services.change_order_send(order=order, sent_by=request.user, **sent),
    )


def change_order_approval(request, pk, order_pk):
    """The client approved a change order some other way: the date, and how."""
    project = _project(request, pk, editable=True)
    order = get_object_or_404(
        ChangeOrder.objects.filter(project=project, client_approved_on__isnull=True), pk=order_pk
    )
    form = ChangeOrderApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_order_approval_record(
                order=order, recorded_by=request.user, **form.cleaned_data
            )
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("The client's approval is recorded."))
            return redirect("budgets:project_budget", pk=pk)
    return render(
        request,
        "budgets/changeorder_approval.html",
        {"form": form, "project": project, "order": order, "number": change_order_number(order)},
    )


def change_order_document(request, pk, order_pk):
    """A change order as the client receives it; ?download saves it."""
    project = _project(request, pk)
    order = get_object_or_404(
        ChangeOrder.objects.filter(project=project).select_related("project__client"),
        pk=order_pk,
    )
    return pdf_response(
        sent_pdf(order) or change_order_pdf(order),
        f"{project.job_number}-change-order-{change_order_number(order)}.pdf",
        download="download" in request.GET,
    )


def project_budget(request, pk):
    project = _project(request, pk)
    estimates = list(project.estimates.select_related("approved_by", "submitted_by", "updated_by"))
    approved = Estimate.objects.approved_for(project)
    approved_lines = (
        {line.category: line.amount for line in approved.lines.all()} if approved else {}
    )
    burn = services.project_burn(project, approved=approved)
    change_orders = list(
        project.change_orders.prefetch_related("lines").select_related("created_by")
    )
    rows = [
        {
            "label": line.label,
            "estimate": approved_lines.get(line.category, 0),
            "changes": line.budget - approved_lines.get(line.category, 0),
            "working": line.budget,
            "actual": line.actual,
            "pending": line.pending,
            "percent": line.percent,
        }
        for line in burn.lines
    ]
    attach_sendings(estimates, change_orders)
    return render(
        request,
        "budgets/project_budget.html",
        {
            "project": project,
            "client": project.client,
            "estimates": estimates,
            "current": estimates[0] if estimates else None,
            "rows": rows,
            "total": burn.budget,
            "burn": burn,
            "costs": project.cost_entries.select_related(
                "person", "entered_by", "reverses"
            ).annotate(reversed=Exists(CostEntry.objects.filter(reverses=OuterRef("pk"))))[:50],
            "can_correct": permissions.corrects_costs(request.user),
            "change_orders": change_orders,
            "can_edit": Project.objects.editable_by(request.user).filter(pk=pk).exists(),
            "can_sign_off": permissions.can_sign_off(request.user),
        },
    )


@require_POST
def estimate_start(request, pk):
    project = _project(request, pk, editable=True)
    try:
        estimate = services.estimate_start(project=project, author=request.user)
    except Refused as error:
        messages.error(request, str(error))
        return redirect("budgets:project_budget", pk=pk)
    return redirect("budgets:estimate_update", pk=pk, estimate_pk=estimate.pk)


def _estimate(request, pk, estimate_pk, *, editable=True):
    project = _project(request, pk, editable=editable)
    return get_object_or_404(project.estimates.select_related("project__client"), pk=estimate_pk)


def estimate_update(request, pk, estimate_pk):
    estimate = _estimate(request, pk, estimate_pk)
    if estimate.is_locked:
        messages.error(request, _("This version is locked; start a new version to change it."))
        return redirect("budgets:project_budget", pk=pk)
    form = EstimateForm(request.POST or None, instance=estimate, currency=estimate.project.currency)
    if request.method == "POST" and form.is_valid():
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if not name.startswith("line_") and name != OPENED
        }
        revision = fields.pop("revision")
        try:
            services.estimate_update(
                estimate=estimate,
                editor=request.user,
                revision=revision,
                lines=form.lines(),
                **fields,
            )
        except StaleEdit as refusal:
            estimate.refresh_from_db()
            saved = EstimateForm(instance=estimate, currency=estimate.project.currency)
            data, both = merge_stale_edit(form, saved)
            form = EstimateForm(data, instance=estimate, currency=estimate.project.currency)
            show_stale_edit(form, refusal, both=both, saved=saved)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("budgets:project_budget", pk=pk)
    return render(
        request,
        "budgets/estimate_form.html",
        {"form": form, "estimate": estimate, "project": estimate.project},
    )


@require_POST
def estimate_submit(request, pk, estimate_pk):
    estimate = _estimate(request, pk, estimate_pk)
    try:
        services.estimate_submit(estimate=estimate, submitted_by=request.user)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Submitted for sign-off."))
    return redirect("budgets:project_budget", pk=pk)


def estimate_review(request, pk, estimate_pk):
    """A director reads a submitted version, line by line against the one it would replace,
    with the fee and the margin it implies, then approves it (confirming) or returns it
    (saying what to change)."""
    if not permissions.can_sign_off(request.user):
        raise Http404
    estimate = _estimate(request, pk, estimate_pk, editable=False)
    own = request.user.pk in (estimate.author_id, estimate.submitted_by_id)
    decidable = estimate.status == Estimate.Status.SUBMITTED and not own
    form = EstimateReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.estimate_approve(estimate=estimate, approved_by=request.user)
                messages.success(request, _("Budget approved: it is the working budget now."))
            else:
                services.estimate_return(
                    estimate=estimate,
                    returned_by=request.user,
                    comments=form.cleaned_data["comments"],
                )
                messages.success(request, _("Budget returned to the AE with your comments."))
        except Refused as refusal:
            if decidable:
                show_refusal(form, refusal)
            else:
                messages.error(request, str(refusal))
        else:
            return redirect("budgets:project_budget", pk=pk)
    return render(
        request,
        "budgets/estimate_review.html",
        {
            "estimate": estimate,
            "project": estimate.project,
            "review": selectors.estimate_review(estimate),
            "form": form if decidable else None,
            "own": own,
        },
    )


def change_order_create(request, pk):
    project = _project(request, pk, editable=True)
    form = ChangeOrderForm(request.POST or None, currency=project.currency)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_order_create(
                project=project,
                created_by=request.user,
                reason=form.cleaned_data["reason"],
                deltas=form.deltas(),
                client_approved_on=form.cleaned_data["client_approved_on"],
                client_approval_note=form.cleaned_data["client_approval_note"],
            )
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Change order recorded."))
            return redirect("budgets:project_budget", pk=pk)
    return render(request, "budgets/changeorder_form.html", {"form": form, "project": project})


COSTS_PER_PAGE = 50


def _cost_filters(request):
    if not permissions.can_see_budgets(request.user):
        raise Http404
    costs = CostEntry.objects.all()
    if not permissions.sees_every_project(request.user):
        costs = costs.filter(project__in=Project.objects.visible_to(request.user))
    filters = CostFilterForm(
        request.GET or None, clients=Client.objects.visible_to(request.user).order_by("name")
    )
    return filters, costs.select_related("project__client", "person")


def cost_list(request):
    filters, costs = _cost_filters(request)
    page, query = filtered_page(request, filters, costs, COSTS_PER_PAGE)
    return render(
        request, "budgets/cost_list.html", {"page": page, "filters": filters, "query": query}
    )


COST_LIST_COLUMNS = [
    exports.day(gettext_lazy("Date")),
    exports.Column(gettext_lazy("Job")),
    exports.Column(gettext_lazy("Client")),
    exports.Column(gettext_lazy("Budget line")),
    exports.Column(gettext_lazy("Kind")),
    exports.Column(gettext_lazy("Vendor or person")),
    exports.Column(gettext_lazy("Reference")),
    exports.Column(gettext_lazy("Hours"), total=True, number_format=exports.MONEY_FORMAT),
    exports.money(gettext_lazy("Amount")),
    exports.Column(gettext_lazy("Currency")),
    exports.Column(gettext_lazy("Status")),
]
COST_LIST_CURRENCY_COLUMN = 9


def cost_list_export(request, file_format):
    filters, costs = _cost_filters(request)
    rows = (
        [
            cost.incurred_on,
            cost.project.job_number,
            cost.project.client.name,
            cost.get_category_display(),
            cost.get_kind_display(),
            cost.person.full_name if cost.person else cost.vendor,
            cost.reference,
            cost.hours,
            cost.amount,
            cost.project.currency,
            cost.get_status_display(),
        ]
        for cost in filters.filter(costs).iterator(chunk_size=1000)
    )
    return exports.download(
        filename=f"costs-{timezone.localdate():%Y-%m-%d}",
        file_format=file_format,
        sheet=_("Costs"),
        columns=COST_LIST_COLUMNS,
        rows=rows,
        group_by=COST_LIST_CURRENCY_COLUMN,
    )


def cost_entry_create(request, pk):
    project = _project(request, pk, editable=True)
    form = CostEntryForm(
        request.POST or None,
        initial={"incurred_on": timezone.localdate()},
        currency=project.currency,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            recorded = services.cost_entry_create(project=project, entered_by=request.user, **data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            _say_what_the_cost_did(request, recorded)
            return redirect("budgets:project_budget", pk=pk)
    return render(request, "budgets/costentry_form.html", {"form": form, "project": project})


def _say_what_the_cost_did(request, recorded):
    if recorded.entry.status == CostEntry.Status.PENDING:
        messages.warning(
            request,
            _(
                "This cost takes its line past the budget: it waits for a director's "
                "approval and does not count until then."
            ),
        )
    else:
        messages.success(request, _("Cost recorded."))
    for crossing in recorded.crossed:
        if crossing.is_project:
            text = _("The project has now used %(threshold)s%% of its working budget.") % {
                "threshold": crossing.threshold
            }
        else:
            text = _("%(line)s has now used %(threshold)s%% of its budget.") % {
                "line": Category(crossing.level).label,
                "threshold": crossing.threshold,
            }
        messages.warning(request, text)


def cost_entry_reverse(request, pk, cost_pk):
    """Reverses a mistaken cost, with the reason: the account team on the project, or
    finance."""
    if not permissions.corrects_costs(request.user):
        raise Http404
    project = _project(request, pk, editable=not permissions.handles_collections(request.user))
    entry = get_object_or_404(project.cost_entries.select_related("person"), pk=cost_pk)
    return reason_page(
        request,
        template="budgets/cost_reverse.html",
        context={"project": project, "cost": entry},
        act=lambda reason: services.cost_entry_reverse(
            entry=entry, reversed_by=request.user, reason=reason
        ),
        done=_("Cost reversed; it no longer counts."),
        then=reverse("budgets:project_budget", args=[pk]),
    )


@require_POST
def cost_entry_decide(request, pk, cost_pk):
    if not permissions.can_sign_off(request.user):
        raise Http404
    project = _project(request, pk)
    entry = get_object_or_404(project.cost_entries, pk=cost_pk)
    try:
        services.cost_entry_decide(
            entry=entry, decided_by=request.user, approve=request.POST.get("approve") == "1"
        )
    except Refused as error:
        messages.error(request, str(error))
    return redirect("budgets:project_budget", pk=pk)


# The review pages through the projects, most in need of a look first, and shows the clients
# with the thinnest margins.
REVIEW_LENGTH = 25
REVIEW_APPROVALS = 10


def budget_review(request):
    if not permissions.can_sign_off(request.user):
        raise Http404
    money = selectors.visible_money(request.user)
    clients = list(selectors.margin_by_client(money))
    page = CountedPaginator(
        selectors.budget_review(money),
        REVIEW_LENGTH,
        count=sum(client["projects"] for client in clients),
    ).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for row in page:
        row.elapsed = row.project.schedule_elapsed(today)
    return render(
        request,
        "budgets/budget_review.html",
        {
            "page": page,
            "rows": page.object_list,
            "clients": selectors.with_client_names(clients[:REVIEW_LENGTH]),
            "approvals": selectors.approvals(request.user, limit=REVIEW_APPROVALS),
        },
    )


def approvals(request):
    """The directors' inbox: everything waiting for sign-off, oldest first."""
    if not permissions.can_sign_off(request.user):
        raise Http404
    return render(
        request, "budgets/approvals.html", {"approvals": selectors.approvals(request.user)}
    )


def approvals_count(request):
    """The number in the navigation, fetched after the page has loaded."""
    if not permissions.can_sign_off(request.user):
        raise Http404
    return render(
        request,
        "budgets/partials/approvals_count.html",
        {"count": selectors.approvals_count(request.user)},
    )


def budget_history(request, pk):
    """Who changed what in the project's money, and when: estimates, their lines, change
    orders and costs, from the audit history kept in the database."""
    project = _project(request, pk)
    estimates = list(project.estimates.all())
    events = list(Events.objects.references(project).order_by("-pgh_created_at")[:HISTORY_LENGTH])
    if estimates:
        events += list(
            Events.objects.references(estimates)
            .filter(pgh_model="budgets.EstimateLineEvent")
            .order_by("-pgh_created_at")[:HISTORY_LENGTH]
        )
    sent = sendings_among(
        (Estimate, [estimate.pk for estimate in estimates]),
        (ChangeOrder, project.change_orders.values("pk")),
    )
    return render(
        request,
        "budgets/budget_history.html",
        {
            "project": project,
            "rows": history_rows(events),
            "sendings": sent[:HISTORY_LENGTH],
        },
    )


@require_POST
def proposal_change_order(request, pk):
    """Turns a proposal's re-pitch rounds into a change order on its project, in one step."""
    proposal = get_object_or_404(
        Proposal.objects.filter(client__in=Client.objects.editable_by(request.user)), pk=pk
    )
    try:
        order = services.change_order_from_repitch(proposal=proposal, created_by=request.user)
    except Refused as error:
        messages.error(request, str(error))
        return redirect(proposal)
    messages.success(request, _("Change order recorded: it waits for the client's approval."))
    return redirect("budgets:project_budget", pk=order.project_id)


# Spend plans


def _spend_plan_months(form, plan):
    """The months the grid shows: from what was typed, else from the plan."""
    try:
        first = (
            form.fields["first_month"].clean(form.data.get("first_month"))
            if form.is_bound
            else None
        )
        count = int(form.data.get("months")) if form.is_bound else None
    except (forms.ValidationError, TypeError, ValueError):
        first = count = None
    if first and count and 1 <= count <= MAX_PLAN_MONTHS:
        return SpendPlan(first_month=first.replace(day=1), months=count).month_starts()
    return plan.month_starts()


def spend_plan_form(request, pk, plan_pk=None):
    client = get_object_or_404(Client.objects.editable_by(request.user), pk=pk)
    plan = get_object_or_404(client.spend_plans, pk=plan_pk) if plan_pk else None
    if plan is not None and plan.status == SpendPlan.Status.APPROVED:
        messages.error(request, _("An approved plan is locked."))
        return redirect("budgets:spend_plan_detail", pk=plan.pk)
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    form = SpendPlanForm(
        request.POST or None,
        instance=plan,
        initial=None if plan else {"first_month": next_month, "months": 3},
        currency=plan.currency if plan else client.currency,
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SpendPlanForm.Meta.fields}
        try:
            plan = services.spend_plan_save(
                client=client,
                saved_by=request.user,
                plan=plan,
                allocations=form.allocations(),
                **fields,
            )
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Spend plan saved."))
            return redirect("budgets:spend_plan_detail", pk=plan.pk)
    months = _spend_plan_months(form, plan or SpendPlan(first_month=next_month, months=3))
    return render(
        request,
        "budgets/spendplan_form.html",
        {"form": form, "client": client, "plan": plan, "months": months, "grid": form.grid(months)},
    )


def spend_plan_detail(request, pk, *, review_form=None):
    plan = get_object_or_404(
        of_visible_clients(SpendPlan.objects.all(), request.user).select_related(
            "client", "approved_by", "returned_by"
        ),
        pk=pk,
    )
    if not permissions.can_see_budgets(request.user):
        raise Http404
    rows = services.spend_plan_against_actual(plan)
    return render(
        request,
        "budgets/spendplan_detail.html",
        {
            "plan": plan,
            "client": plan.client,
            "rows": rows,
            "chart": chart(
                "bar",
                [row["label"] for row in rows],
                series(_("Planned"), [row["planned"] for row in rows]),
                series(_("Spent"), [row["actual"] for row in rows]),
            ),
            "can_edit": Client.objects.editable_by(request.user).filter(pk=plan.client_id).exists(),
            "can_sign_off": permissions.can_sign_off(request.user),
            "review_form": review_form
            or SpendPlanReviewForm(action=reverse("budgets:spend_plan_decide", args=[pk])),
        },
    )


@require_POST
def spend_plan_decide(request, pk):
    """A director signs off a waiting plan (confirming that it locks) or returns it with
    what to change."""
    if not permissions.can_sign_off(request.user):
        raise Http404
    plan = get_object_or_404(SpendPlan, pk=pk)
    form = SpendPlanReviewForm(request.POST, action=reverse("budgets:spend_plan_decide", args=[pk]))
    if not form.is_valid():
        return spend_plan_detail(request, pk, review_form=form)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.spend_plan_approve(plan=plan, approved_by=request.user)
            messages.success(request, _("Spend plan signed off and locked."))
        else:
            services.spend_plan_return(
                plan=plan, returned_by=request.user, comments=form.cleaned_data["comments"]
            )
            messages.success(request, _("Spend plan returned to the AE with your comments."))
    except Refused as refusal:
        messages.error(request, str(refusal))
    return redirect("budgets:spend_plan_detail", pk=pk)
