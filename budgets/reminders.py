"""Reminders about money: estimates and spend plans waiting for a director, a project's
burn crossing its warning percentage or 100 %."""

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Kind
from projects.models import Stage

from . import overrun
from .models import Category, CostEntry, Estimate, ProjectMoney, SpendPlan


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
            status=SpendPlan.Status.DRAFT, submitted_at__lte=now - registry.SIGN_OFF_WAIT
        ).exclude(client__account_director__isnull=True)
        if only is not None:
            plans = plans.filter(pk__in=only)
        rows = plans.values(
            "pk",
            "name",
            "submitted_at",
            "returned_by_id",
            "client__name",
            "client__account_director_id",
        )
        for plan in rows:
            # A plan saved again after a return waits anew; one never returned keeps the
            # key its reminder always had.
            waiting = "draft"
            if plan["returned_by_id"]:
                waiting = f"draft:{registry.stamp(plan['submitted_at'])}"
            yield registry.Due(
                registry.object_key("budgets.spendplan", plan["pk"]),
                waiting,
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


class EstimateSubmitted(registry.Rule):
    """An estimate submitted for sign-off, to the client's account director at once."""

    name = "budgets.estimate_submitted"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        estimates = Estimate.objects.filter(
            status=Estimate.Status.SUBMITTED,
            updated_at__gte=now - registry.EVENT_WINDOW,
            project__client__account_director__isnull=False,
        )
        if only is not None:
            estimates = estimates.filter(pk__in=only)
        rows = estimates.values(
            "pk",
            "version",
            "revision",
            "submitted_by_id",
            "project_id",
            "project__job_number",
            "project__client__account_director_id",
        )
        for estimate in rows:
            yield registry.Due(
                registry.object_key("budgets.estimate", estimate["pk"]),
                f"rev{estimate['revision']}",
                registry.others(
                    [estimate["project__client__account_director_id"]],
                    besides=estimate["submitted_by_id"],
                ),
                reverse("budgets:estimate_review", args=[estimate["project_id"], estimate["pk"]]),
                {"job": estimate["project__job_number"], "version": estimate["version"]},
            )

    def message(self, due):
        return _("Estimate v%(version)s of %(job)s is waiting for your sign-off") % due.data, ""


class SpendPlanSubmitted(registry.Rule):
    """A spend plan drawn up, which waits for sign-off from then on: to the client's account
    director at once."""

    name = "budgets.spend_plan_submitted"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        plans = SpendPlan.objects.filter(
            status=SpendPlan.Status.DRAFT,
            submitted_at__gte=now - registry.EVENT_WINDOW,
            client__account_director__isnull=False,
        )
        if only is not None:
            plans = plans.filter(pk__in=only)
        rows = plans.values(
            "pk",
            "name",
            "submitted_at",
            "created_by_id",
            "client__name",
            "client__account_director_id",
        )
        for plan in rows:
            yield registry.Due(
                registry.object_key("budgets.spendplan", plan["pk"]),
                f"submitted:{registry.stamp(plan['submitted_at'])}",
                registry.others(
                    [plan["client__account_director_id"]], besides=plan["created_by_id"]
                ),
                reverse("budgets:spend_plan_detail", args=[plan["pk"]]),
                {"name": plan["name"], "client": plan["client__name"]},
            )

    def message(self, due):
        return (
            _("Spend plan %(name)s of %(client)s is waiting for your sign-off") % due.data,
            "",
        )


class CostWaiting(registry.Rule):
    """A cost past the budget, held for a director's decision: to the client's account
    director at once."""

    name = "budgets.cost_waiting"
    kind = Kind.BUDGETS

    def due(self, now, *, only=None):
        entries = CostEntry.objects.filter(
            status=CostEntry.Status.PENDING,
            created_at__gte=now - registry.EVENT_WINDOW,
            project__client__account_director__isnull=False,
        )
        if only is not None:
            entries = entries.filter(pk__in=only)
        rows = entries.values(
            "pk",
            "amount",
            "category",
            "entered_by_id",
            "project_id",
            "project__job_number",
            "project__currency",
            "project__client__account_director_id",
        )
        for entry in rows:
            yield registry.Due(
                registry.object_key("budgets.costentry", entry["pk"]),
                "pending",
                registry.others(
                    [entry["project__client__account_director_id"]],
                    besides=entry["entered_by_id"],
                ),
                reverse("budgets:approvals"),
                {
                    "job": entry["project__job_number"],
                    "amount": f"{entry['amount']:,.2f}",
                    "currency": entry["project__currency"],
                    "line": entry["category"],
                },
            )

    def message(self, due):
        values = {**due.data, "line": Category(due.data["line"]).label}
        return (
            _(
                "A cost of %(currency)s %(amount)s on the %(line)s line of %(job)s is past the "
                "budget and waits for your decision"
            )
            % values,
            "",
        )


class EstimateDecided(registry.Rule):
    """A director approves or returns an estimate: its author and whoever submitted it are
    told at once, with the comments of a return."""

    name = "budgets.estimate_decided"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        since = now - registry.EVENT_WINDOW
        estimates = Estimate.objects.filter(
            Q(status=Estimate.Status.APPROVED, approved_at__gte=since)
            | Q(status=Estimate.Status.DRAFT, returned_at__gte=since)
        )
        if only is not None:
            estimates = estimates.filter(pk__in=only)
        # A busy day signs off hundreds: the sweeps after it read only what is not yet told.
        moment = Case(
            When(status=Estimate.Status.APPROVED, then=F("approved_at")),
            default=F("returned_at"),
        )
        key = Concat(F("status"), Value(":"), registry.stamp_sql(moment))
        estimates = registry.unsent(estimates, self.name, "budgets.estimate", key)
        rows = estimates.values(
            "pk",
            "status",
            "version",
            "approved_at",
            "returned_at",
            "review_comments",
            "author_id",
            "submitted_by_id",
            "approved_by__full_name",
            "returned_by__full_name",
            "project_id",
            "project__job_number",
        )
        for estimate in rows:
            approved = estimate["status"] == Estimate.Status.APPROVED
            moment = estimate["approved_at"] if approved else estimate["returned_at"]
            # Nobody decides on their own estimate: the director is never among these.
            yield registry.Due(
                registry.object_key("budgets.estimate", estimate["pk"]),
                f"{estimate['status']}:{registry.stamp(moment)}",
                [estimate["author_id"], estimate["submitted_by_id"]],
                reverse("budgets:project_budget", args=[estimate["project_id"]]),
                {
                    "approved": approved,
                    "director": estimate["approved_by__full_name"]
                    if approved
                    else estimate["returned_by__full_name"],
                    "job": estimate["project__job_number"],
                    "version": estimate["version"],
                    "comments": "" if approved else estimate["review_comments"][:1000],
                },
            )

    def message(self, due):
        if due.data["approved"]:
            return _("%(director)s approved estimate v%(version)s of %(job)s") % due.data, ""
        return (
            _("%(director)s returned estimate v%(version)s of %(job)s") % due.data,
            due.data["comments"],
        )


class SpendPlanDecided(registry.Rule):
    """A director signs off or returns a spend plan: whoever drew it up is told at once,
    with the comments of a return."""

    name = "budgets.spend_plan_decided"
    kind = Kind.SIGN_OFFS

    def due(self, now, *, only=None):
        plans = SpendPlan.objects.filter(
            status__in=[SpendPlan.Status.APPROVED, SpendPlan.Status.RETURNED],
            decided_at__gte=now - registry.EVENT_WINDOW,
        )
        if only is not None:
            plans = plans.filter(pk__in=only)
        rows = plans.values(
            "pk",
            "name",
            "status",
            "decided_at",
            "review_comments",
            "created_by_id",
            "approved_by__full_name",
            "returned_by__full_name",
            "client__name",
        )
        for plan in rows:
            approved = plan["status"] == SpendPlan.Status.APPROVED
            # Nobody decides on their own plan: the director is never its maker.
            yield registry.Due(
                registry.object_key("budgets.spendplan", plan["pk"]),
                f"{plan['status']}:{registry.stamp(plan['decided_at'])}",
                [plan["created_by_id"]],
                reverse("budgets:spend_plan_detail", args=[plan["pk"]]),
                {
                    "approved": approved,
                    "director": plan["approved_by__full_name"]
                    if approved
                    else plan["returned_by__full_name"],
                    "name": plan["name"],
                    "client": plan["client__name"],
                    "comments": "" if approved else plan["review_comments"][:1000],
                },
            )

    def message(self, due):
        if due.data["approved"]:
            title = _("%(director)s signed off spend plan %(name)s of %(client)s")
        else:
            title = _("%(director)s returned spend plan %(name)s of %(client)s")
        return title % due.data, due.data["comments"]


registry.register(EstimateWaiting())
registry.register(SpendPlanWaiting())
registry.register(BudgetThreshold())
registry.register(EstimateSubmitted())
registry.register(SpendPlanSubmitted())
registry.register(CostWaiting())
registry.register(EstimateDecided())
registry.register(SpendPlanDecided())
