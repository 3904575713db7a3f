"""Reminders about money: estimates and spend plans waiting for a director, a project's
burn crossing its warning percentage or 100 %."""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Kind
from projects.models import Stage

from . import overrun
from .models import Category, Estimate, ProjectMoney, SpendPlan


class EstimateWaiting(registry.Rule):
    name = "budgets.estimate_waiting"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        estimates = Estimate.objects.filter(
            status=Estimate.Status.SUBMITTED, updated_at__lte=now - registry.SIGN_OFF_WAIT
        ).exclude(project__client__account_director__isnull=True)
        if only is not None:
            estimates = estimates.filter(pk__in=only)
        rows = estimates.values(
            "pk",
            "version",
            "revision",
            "project_id",
            "project__job_number",
            "project__client__account_director_id",
        )
        for estimate in rows:
            yield registry.Due(
                registry.object_key("budgets.estimate", estimate["pk"]),
                f"rev{estimate['revision']}",
                [estimate["project__client__account_director_id"]],
                reverse("budgets:project_budget", args=[estimate["project_id"]]),
                {"job": estimate["project__job_number"], "version": estimate["version"]},
            )

    def message(self, due):
        return (
            _("Estimate v%(version)s of %(job)s has waited more than two days for your sign-off")
            % due.data,
            "",
        )


class SpendPlanWaiting(registry.Rule):
    name = "budgets.spend_plan_waiting"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        plans = SpendPlan.objects.filter(
            status=SpendPlan.Status.DRAFT, created_at__lte=now - registry.SIGN_OFF_WAIT
        ).exclude(client__account_director__isnull=True)
        if only is not None:
            plans = plans.filter(pk__in=only)
        for plan in plans.values("pk", "name", "client__name", "client__account_director_id"):
            yield registry.Due(
                registry.object_key("budgets.spendplan", plan["pk"]),
                "draft",
                [plan["client__account_director_id"]],
                reverse("budgets:spend_plan_detail", args=[plan["pk"]]),
                {"name": plan["name"], "client": plan["client__name"]},
            )

    def message(self, due):
        return (
            _("Spend plan %(name)s of %(client)s has waited more than two days for your sign-off")
            % due.data,
            "",
        )


class BudgetThreshold(registry.Rule):
    """A budget line, or the project as a whole, reaching the estimate's warning percentage
    or 100 % of its working budget (budgets.overrun): once per level, threshold and estimate
    version, to the AE and the account director. The money row keeps the thresholds
    reached; the cost entry that crosses one asks for this rule at once, and the sweep
    catches anything that could not be queued."""

    name = "budgets.threshold"
    kind = Kind.BUDGETS

    def due(self, now, *, only=None):
        money = (
            ProjectMoney.objects.filter(estimate_version__isnull=False)
            .exclude(thresholds_reached={})
            .exclude(project__stage=Stage.CLOSED)
        )
        if only is not None:
            money = money.filter(project__in=only)
        rows = money.values(
            "project",
            "project__job_number",
            "project__name",
            "project__owner_id",
            "project__client__account_director_id",
            "estimate_version",
            "thresholds_reached",
        )
        for row in rows:
            for level, threshold in row["thresholds_reached"].items():
                # The project's own key is the one it had before lines had theirs, so
                # that nothing already sent goes out again.
                step = f"{threshold}" if level == overrun.PROJECT else f"{level}:{threshold}"
                yield registry.Due(
                    registry.object_key("projects.project", row["project"]),
                    f"v{row['estimate_version']}:{step}",
                    [row["project__owner_id"], row["project__client__account_director_id"]],
                    reverse("budgets:project_budget", args=[row["project"]]),
                    {
                        "job": row["project__job_number"],
                        "name": row["project__name"],
                        "line": level,
                        "threshold": threshold,
                    },
                )

    def message(self, due):
        values = {**due.data}
        if not due.data["line"]:
            if due.data["threshold"] >= overrun.OVER:
                title = _("%(job)s %(name)s is over budget") % values
            else:
                title = _("%(job)s %(name)s has used %(threshold)s%% of its budget") % values
            return title, _("The project as a whole, all budget lines together.")
        values["line"] = Category(due.data["line"]).label
        if due.data["threshold"] >= overrun.OVER:
            title = _("%(job)s %(name)s: the %(line)s line is over budget") % values
        else:
            title = (
                _("%(job)s %(name)s: the %(line)s line has used %(threshold)s%% of its budget")
                % values
            )
        return title, _("One budget line, whatever the project as a whole has used.")


registry.register(EstimateWaiting())
registry.register(SpendPlanWaiting())
registry.register(BudgetThreshold())
