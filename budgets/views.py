from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from projects.models import Project
from teams import permissions

from . import services
from .forms import ChangeOrderForm, EstimateForm
from .models import Category, Estimate


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
    working = services.working_budget(project)
    change_orders = list(
        project.change_orders.prefetch_related("lines").select_related("created_by")
    )
    rows = [
        {
            "label": label,
            "estimate": approved_lines.get(value, 0),
            "changes": working[value] - approved_lines.get(value, 0),
            "working": working[value],
        }
        for value, label in Category.choices
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
            "total": sum(working.values()),
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
