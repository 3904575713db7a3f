import csv
import io
from datetime import timedelta

import openpyxl
from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.models import Events

from accounts.models import Client, Proposal
from common.paging import CountedPaginator
from projects.models import Project
from teams import permissions
from teams.models import User

from . import selectors, services
from .forms import (
    MAX_PLAN_MONTHS,
    ChangeOrderForm,
    CollectionNoteForm,
    CostEntryForm,
    EstimateForm,
    InvoiceForm,
    InvoiceLineFormSet,
    PaymentForm,
    SpendPlanForm,
    WriteOffForm,
)
from .models import CostEntry, Estimate, SpendPlan


def _project(request, pk, *, editable=False):
    projects = (
        Project.objects.editable_by(request.user)
        if editable
        else Project.objects.visible_to(request.user)
    )
    return get_object_or_404(projects.select_related("client"), pk=pk)


def project_budget(request, pk):
    project = _project(request, pk)
    estimates = list(project.estimates.select_related("approved_by", "submitted_by"))
    approved = next((e for e in estimates if e.status == Estimate.Status.APPROVED), None)
    approved_lines = (
        {line.category: line.amount for line in approved.lines.all()} if approved else {}
    )
    burn = services.project_burn(project)
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
            "costs": project.cost_entries.select_related("person", "entered_by")[:50],
            "change_orders": change_orders,
            "can_edit": Project.objects.editable_by(request.user).filter(pk=pk).exists(),
            "can_sign_off": permissions.can_sign_off(request.user),
        },
    )


def _post_only(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def estimate_start(request, pk):
    project = _project(request, pk, editable=True)
    if refusal := _post_only(request):
        return refusal
    try:
        estimate = services.estimate_start(project=project, author=request.user)
    except services.Refused as error:
        messages.error(request, str(error))
        return redirect("budgets:project_budget", pk=pk)
    return redirect("budgets:estimate_update", pk=pk, estimate_pk=estimate.pk)


def _estimate(request, pk, estimate_pk, *, editable=True):
    project = _project(request, pk, editable=editable)
    return get_object_or_404(project.estimates.select_related("project"), pk=estimate_pk)


def _keep_typed_after_stale_edit(form, refusal):
    """Shows the refusal and moves the form on to the revision that was saved, so the
    editor's next save, after checking, goes through with what they typed."""
    form.add_error(None, str(refusal))
    form.data = form.data.copy()
    form.data["revision"] = refusal.revision


def estimate_update(request, pk, estimate_pk):
    estimate = _estimate(request, pk, estimate_pk)
    if estimate.is_locked:
        messages.error(request, _("This version is locked; start a new version to change it."))
        return redirect("budgets:project_budget", pk=pk)
    form = EstimateForm(request.POST or None, instance=estimate)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if not k.startswith("line_")}
        revision = fields.pop("revision")
        try:
            services.estimate_update(
                estimate=estimate,
                editor=request.user,
                revision=revision,
                lines=form.lines(),
                **fields,
            )
        except services.StaleEdit as refusal:
            _keep_typed_after_stale_edit(form, refusal)
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("budgets:project_budget", pk=pk)
    return render(
        request,
        "budgets/estimate_form.html",
        {"form": form, "estimate": estimate, "project": estimate.project},
    )


def estimate_submit(request, pk, estimate_pk):
    estimate = _estimate(request, pk, estimate_pk)
    if refusal := _post_only(request):
        return refusal
    try:
        services.estimate_submit(estimate=estimate, submitted_by=request.user)
    except services.Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Submitted for sign-off."))
    return redirect("budgets:project_budget", pk=pk)


def estimate_approve(request, pk, estimate_pk):
    if not permissions.can_sign_off(request.user):
        raise Http404
    estimate = _estimate(request, pk, estimate_pk, editable=False)
    if refusal := _post_only(request):
        return refusal
    try:
        services.estimate_approve(estimate=estimate, approved_by=request.user)
    except services.Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Budget approved: it is the working budget now."))
    return redirect("budgets:project_budget", pk=pk)


def change_order_create(request, pk):
    project = _project(request, pk, editable=True)
    form = ChangeOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_order_create(
                project=project,
                created_by=request.user,
                reason=form.cleaned_data["reason"],
                deltas=form.deltas(),
                client_approved_on=form.cleaned_data["client_approved_on"],
            )
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Change order recorded."))
            return redirect("budgets:project_budget", pk=pk)
    return render(request, "budgets/changeorder_form.html", {"form": form, "project": project})


def cost_entry_create(request, pk):
    project = _project(request, pk, editable=True)
    form = CostEntryForm(request.POST or None, initial={"incurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        recorded = services.cost_entry_create(project=project, entered_by=request.user, **data)
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
        for threshold in recorded.crossed:
            messages.warning(
                request,
                _("%(line)s has now used %(threshold)s%% of its budget.")
                % {"line": recorded.entry.get_category_display(), "threshold": threshold},
            )
        return redirect("budgets:project_budget", pk=pk)
    return render(request, "budgets/costentry_form.html", {"form": form, "project": project})


def cost_entry_decide(request, pk, cost_pk):
    if not permissions.can_sign_off(request.user):
        raise Http404
    project = _project(request, pk)
    entry = get_object_or_404(project.cost_entries, pk=cost_pk)
    if refusal := _post_only(request):
        return refusal
    try:
        services.cost_entry_decide(
            entry=entry, decided_by=request.user, approve=request.POST.get("approve") == "1"
        )
    except services.Refused as error:
        messages.error(request, str(error))
    return redirect("budgets:project_budget", pk=pk)


# The review pages through the projects, most in need of a look first, and shows the clients
# with the thinnest margins.
REVIEW_LENGTH = 25
WAITING_SHOWN = 50


def budget_review(request):
    if not permissions.can_sign_off(request.user):
        raise Http404
    projects = Project.objects.visible_to(request.user)
    money = selectors.visible_money(request.user)
    page = Paginator(selectors.budget_review(money), REVIEW_LENGTH).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "budgets/budget_review.html",
        {
            "page": page,
            "rows": page.object_list,
            "clients": selectors.margin_by_client(money, limit=REVIEW_LENGTH),
            "estimates": Estimate.objects.filter(status=Estimate.Status.SUBMITTED)
            .filter(project__in=projects)
            .select_related("project__client", "submitted_by")[:WAITING_SHOWN],
            "pending_costs": CostEntry.objects.pending()
            .filter(project__in=projects)
            .select_related("project__client", "entered_by")[:WAITING_SHOWN],
            "spend_plans": SpendPlan.objects.filter(status=SpendPlan.Status.DRAFT)
            .exclude(created_by=request.user)
            .select_related("client", "created_by")[:WAITING_SHOWN],
        },
    )


HISTORY_LENGTH = 100
HIDDEN_FIELDS = {"id", "created_at", "updated_at", "revision", "pgh_obj"}


def _shown(field):
    # Keys to other rows say little to a reader; the who and what columns name them.
    return field not in HIDDEN_FIELDS and not field.endswith("_id")


def _readable(value):
    # The history keeps amounts as JSON numbers; show them as the pages show money.
    if isinstance(value, float):
        return floatformat(value, "-2g")
    return value


def _history_rows(events):
    """Rows for the history table, newest first: when, who (from the request that made the
    change), which row, and each field's before and after, named as the forms name them."""
    events = sorted(events, key=lambda event: (event.pgh_created_at, event.pgh_id), reverse=True)[
        :HISTORY_LENGTH
    ]
    user_ids = {(event.pgh_context or {}).get("user") for event in events} - {None}
    names = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "full_name"))
    rows = []
    for event in events:
        diff = event.pgh_diff or {}
        changes = [
            (field, before, after) for field, (before, after) in diff.items() if _shown(field)
        ]
        whole_row = event.pgh_label in ("insert", "delete")
        if whole_row:
            changes = [
                (field, None, value)
                for field, value in (event.pgh_data or {}).items()
                if _shown(field) and value not in (None, "")
            ]
        fields = apps.get_model(event.pgh_model).pgh_tracked_model._meta
        rows.append(
            {
                "when": event.pgh_created_at,
                "who": names.get((event.pgh_context or {}).get("user"), _("the system")),
                "what": fields.verbose_name,
                "object_id": event.pgh_obj_id,
                "created": event.pgh_label == "insert",
                "removed": event.pgh_label == "delete",
                "whole_row": whole_row,
                "changes": [
                    (fields.get_field(field).verbose_name, _readable(before), _readable(after))
                    for field, before, after in changes
                ],
            }
        )
    return rows


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
    return render(
        request,
        "budgets/budget_history.html",
        {"project": project, "rows": _history_rows(events)},
    )


def proposal_change_order(request, pk):
    """Turns a proposal's re-pitch rounds into a change order on its project, in one step."""
    proposal = get_object_or_404(
        Proposal.objects.filter(client__in=Client.objects.editable_by(request.user)), pk=pk
    )
    if refusal := _post_only(request):
        return refusal
    try:
        order = services.change_order_from_repitch(proposal=proposal, created_by=request.user)
    except services.Refused as error:
        messages.error(request, str(error))
        return redirect(proposal)
    messages.success(request, _("Change order recorded: it waits for the client's approval."))
    return redirect("budgets:project_budget", pk=order.project_id)


# Invoices and collections


def _visible_invoice(request, pk):
    return get_object_or_404(
        selectors.visible_invoices(request.user).select_related("client", "project"), pk=pk
    )


def invoice_detail(request, pk, *, payment_form=None, note_form=None, write_off_form=None):
    invoice = _visible_invoice(request, pk)
    handles = permissions.handles_collections(request.user)
    today = timezone.localdate()
    return render(
        request,
        "budgets/invoice_detail.html",
        {
            "invoice": invoice,
            "status": invoice.status(today),
            "lines": invoice.lines.all(),
            "payments": invoice.payments.select_related("recorded_by"),
            "notes": invoice.collection_notes.select_related("written_by"),
            "handles": handles,
            "payment_form": payment_form
            or (PaymentForm(invoice=invoice, initial={"paid_on": today}) if handles else None),
            "note_form": note_form or (CollectionNoteForm() if handles else None),
            "write_off_form": write_off_form or (WriteOffForm() if handles else None),
        },
    )


def _collections_invoice(request, pk):
    if not permissions.handles_collections(request.user):
        raise Http404
    invoice = _visible_invoice(request, pk)
    return invoice


def invoice_send(request, pk):
    invoice = _collections_invoice(request, pk)
    if refusal := _post_only(request):
        return refusal
    services.invoice_send(invoice=invoice, sent_by=request.user)
    messages.success(request, _("Invoice marked as sent."))
    return redirect("budgets:invoice_detail", pk=pk)


def payment_record(request, pk):
    invoice = _collections_invoice(request, pk)
    if refusal := _post_only(request):
        return refusal
    form = PaymentForm(request.POST, invoice=invoice)
    if not form.is_valid():
        return invoice_detail(request, pk, payment_form=form)
    try:
        services.payment_record(invoice=invoice, recorded_by=request.user, **form.cleaned_data)
    except services.Refused as refusal:
        form.add_error(None, str(refusal))
        return invoice_detail(request, pk, payment_form=form)
    messages.success(request, _("Payment recorded."))
    return redirect("budgets:invoice_detail", pk=pk)


def collection_note_add(request, pk):
    invoice = _collections_invoice(request, pk)
    if refusal := _post_only(request):
        return refusal
    form = CollectionNoteForm(request.POST)
    if not form.is_valid():
        return invoice_detail(request, pk, note_form=form)
    services.collection_note_add(invoice=invoice, written_by=request.user, **form.cleaned_data)
    messages.success(request, _("Note added."))
    return redirect("budgets:invoice_detail", pk=pk)


# The clients owing the most; the aging list export has them all.
AGING_ROWS = 25
OVERDUE_PER_PAGE = 25


def collections(request):
    if not permissions.can_see_collections(request.user):
        raise Http404
    today = timezone.localdate()
    aging = selectors.visible_aging(request.user)
    by_ae, totals = selectors.aging_by_ae(aging)
    buckets = [(name, label, totals[name]) for name, label, _ in selectors.buckets(today)]
    return render(
        request,
        "budgets/collections.html",
        {
            "buckets": buckets,
            "totals": totals,
            "by_client": selectors.aging_by_client(aging)[:AGING_ROWS],
            "by_ae": by_ae,
            "overdue": CountedPaginator(
                selectors.overdue(selectors.visible_invoices(request.user), today),
                OVERDUE_PER_PAGE,
                count=totals["overdue_invoices"],
            ).get_page(request.GET.get("page")),
            "dso_days": selectors.DSO_PERIOD_DAYS,
            "handles": permissions.handles_collections(request.user),
            "chart": {
                "labels": [str(label) for _, label, _ in buckets],
                "values": [float(amount) for _, _, amount in buckets],
            },
            "today": today,
        },
    )


EXPORT_COLUMNS = [
    gettext_lazy("Invoice"),
    gettext_lazy("Client"),
    gettext_lazy("AE"),
    gettext_lazy("Issued"),
    gettext_lazy("Due"),
    gettext_lazy("Days overdue"),
    gettext_lazy("Bucket"),
    gettext_lazy("Outstanding"),
    gettext_lazy("Currency"),
]


def _aging_rows(request):
    today = timezone.localdate()
    invoices = selectors.open_invoices(selectors.visible_invoices(request.user))
    buckets = selectors.buckets(today)
    for invoice in invoices.select_related("client__lead_ae").order_by("due_date", "number"):
        days = (today - invoice.due_date).days
        bucket = next(
            label
            for name, label, _ in buckets
            if (name == "current" and days <= 0)
            or (name == "days_1_30" and 1 <= days <= 30)
            or (name == "days_31_60" and 31 <= days <= 60)
            or (name == "days_61_90" and 61 <= days <= 90)
            or (name == "days_90_plus" and days > 90)
        )
        yield [
            invoice.number,
            invoice.client.name,
            invoice.client.lead_ae.full_name,
            invoice.issue_date,
            invoice.due_date,
            max(days, 0),
            str(bucket),
            invoice.outstanding,
            invoice.client.currency,
        ]


def collections_export(request, file_format):
    if not permissions.can_see_collections(request.user):
        raise Http404
    filename = f"aging-{timezone.localdate():%Y-%m-%d}"
    header = [str(column) for column in EXPORT_COLUMNS]
    if file_format == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")  # so that Excel reads the Chinese names as UTF-8
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(_aging_rows(request))
        return response
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Aging")))
    sheet.append(header)
    for row in _aging_rows(request):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# Spend plans


def _spend_plan_months(form, plan):
    """The months the grid shows: from what was typed, else from the plan."""
    try:
        first = forms.DateField().clean(form.data.get("first_month")) if form.is_bound else None
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
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Spend plan saved."))
            return redirect("budgets:spend_plan_detail", pk=plan.pk)
    months = _spend_plan_months(form, plan or SpendPlan(first_month=next_month, months=3))
    return render(
        request,
        "budgets/spendplan_form.html",
        {"form": form, "client": client, "plan": plan, "months": months, "grid": form.grid(months)},
    )


def spend_plan_detail(request, pk):
    plan = get_object_or_404(
        SpendPlan.objects.filter(client__in=Client.objects.visible_to(request.user)).select_related(
            "client", "approved_by"
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
            "chart": {
                "labels": [str(row["label"]) for row in rows],
                "planned": [float(row["planned"]) for row in rows],
                "actual": [float(row["actual"]) for row in rows],
            },
            "can_edit": Client.objects.editable_by(request.user).filter(pk=plan.client_id).exists(),
            "can_sign_off": permissions.can_sign_off(request.user),
        },
    )


def spend_plan_approve(request, pk):
    if not permissions.can_sign_off(request.user):
        raise Http404
    plan = get_object_or_404(SpendPlan, pk=pk)
    if refusal := _post_only(request):
        return refusal
    try:
        services.spend_plan_approve(plan=plan, approved_by=request.user)
    except services.Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Spend plan signed off and locked."))
    return redirect("budgets:spend_plan_detail", pk=pk)


def invoice_form(request, pk=None):
    """A new invoice, or changes to one: finance only."""
    if not permissions.handles_collections(request.user):
        raise Http404
    invoice = _visible_invoice(request, pk) if pk else None
    if invoice is not None and invoice.written_off_at:
        messages.error(request, _("This invoice was written off; it no longer changes."))
        return redirect("budgets:invoice_detail", pk=pk)
    form = InvoiceForm(
        request.POST or None, invoice=invoice, initial={"issue_date": timezone.localdate()}
    )
    editing_lines = invoice is None or invoice.sent_at is None
    lines = None
    if editing_lines:
        lines = InvoiceLineFormSet(
            request.POST or None,
            prefix="lines",
            initial=[
                {"description": line.description, "amount": line.amount}
                for line in (invoice.lines.all() if invoice else [])
            ],
        )
    if request.method == "POST" and form.is_valid() and (lines is None or lines.is_valid()):
        billed = None
        if lines is not None:
            billed = [
                (line["description"], line["amount"])
                for line in lines.cleaned_data
                if line.get("description")
            ]
        if billed == []:
            form.add_error(None, _("An invoice needs at least one line."))
        else:
            try:
                if invoice is None:
                    invoice = services.invoice_create(
                        created_by=request.user, lines=billed, **form.cleaned_data
                    )
                    done = _("Invoice %(number)s created.")
                else:
                    services.invoice_update(
                        invoice=invoice, editor=request.user, lines=billed, **form.cleaned_data
                    )
                    done = _("Invoice %(number)s saved.")
            except services.StaleEdit as refusal:
                _keep_typed_after_stale_edit(form, refusal)
            except services.Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, done % {"number": invoice.number})
                return redirect("budgets:invoice_detail", pk=invoice.pk)
    return render(
        request, "budgets/invoice_form.html", {"form": form, "lines": lines, "invoice": invoice}
    )


def invoice_write_off(request, pk):
    invoice = _collections_invoice(request, pk)
    if refusal := _post_only(request):
        return refusal
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        return invoice_detail(request, pk, write_off_form=form)
    try:
        services.invoice_write_off(
            invoice=invoice, written_off_by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.Refused as refusal:
        form.add_error(None, str(refusal))
        return invoice_detail(request, pk, write_off_form=form)
    messages.success(request, _("Invoice written off."))
    return redirect("budgets:invoice_detail", pk=pk)


def invoice_history(request, pk):
    """Who changed the invoice, its lines and its payments, and when."""
    invoice = _visible_invoice(request, pk)
    events = Events.objects.references(invoice).order_by("-pgh_created_at")[:HISTORY_LENGTH]
    return render(
        request,
        "budgets/invoice_history.html",
        {"invoice": invoice, "rows": _history_rows(events)},
    )


INVOICES_PER_PAGE = 25


def invoice_list(request):
    if not permissions.can_see_budgets(request.user):
        raise Http404
    invoices = selectors.visible_invoices(request.user).select_related("client")
    client_id = request.GET.get("client")
    if client_id and client_id.isdigit():
        invoices = invoices.filter(client_id=client_id)
    page = Paginator(invoices.order_by("-issue_date", "-number"), INVOICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    for invoice in page:
        invoice.current_status = invoice.status(today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "budgets/invoice_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "handles": permissions.handles_collections(request.user),
        },
    )
