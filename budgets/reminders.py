"""Reminders about money: estimates and spend plans waiting for a director, a project's
burn crossing its warning percentage or 100 %."""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Kind
from projects.models import Stage

from .models import Estimate, ProjectMoney, SpendPlan


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


PERCENT = DecimalField(max_digits=12, decimal_places=1)


class BudgetThreshold(registry.Rule):
    """A project's counted cost reaching the warning percentage of its approved estimate, or
    100 % of its working budget: once per threshold and estimate version, to the AE and the
    account director. The cost entry that crosses a threshold asks for this rule at once;
    the sweep catches anything that could not be queued."""

    name = "budgets.threshold"
    kind = Kind.BUDGETS

    def due(self, now, *, only=None):
        money = ProjectMoney.objects.filter(budget__gt=0, estimate_version__isnull=False).exclude(
            project__stage=Stage.CLOSED
        )
        if only is not None:
            money = money.filter(project__in=only)
        rows = (
            money.annotate(
                burn=ExpressionWrapper(F("cost") * 100 / F("budget"), output_field=PERCENT)
            )
            .filter(burn__gte=F("warn_at_percent"))
            .values(
                "project",
                "project__job_number",
                "project__name",
                "project__owner_id",
                "project__client__account_director_id",
                "estimate_version",
                "warn_at_percent",
                "burn",
            )
        )
        for row in rows:
            threshold = 100 if row["burn"] >= 100 else row["warn_at_percent"]
            yield registry.Due(
                registry.object_key("projects.project", row["project"]),
                f"v{row['estimate_version']}:{threshold}",
                [row["project__owner_id"], row["project__client__account_director_id"]],
                reverse("budgets:project_budget", args=[row["project"]]),
                {
                    "job": row["project__job_number"],
                    "name": row["project__name"],
                    "threshold": threshold,
                    "burn": str(Decimal(row["burn"]).quantize(Decimal("0.1"))),
                },
            )

    def message(self, due):
        values = {**due.data}
        if due.data["threshold"] >= 100:
            title = _("%(job)s %(name)s is over budget") % values
        else:
            title = _("%(job)s %(name)s has used %(threshold)s%% of its budget") % values
        return title, _("Spent so far: %(burn)s%% of the working budget.") % values


registry.register(EstimateWaiting())
registry.register(SpendPlanWaiting())
registry.register(BudgetThreshold())
