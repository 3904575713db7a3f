"""The budgets app's writes, by concept: a project's money (working budget, the money row,
burn), estimates and change orders, costs, and spend plans. Callers use `budgets.services`."""

from common.errors import Refused

from .costs import cost_entry_create, cost_entry_decide, cost_entry_reverse
from .estimates import (
    change_order_approval_record,
    change_order_create,
    change_order_decided,
    change_order_from_repitch,
    change_order_send,
    change_order_superseded,
    estimate_approve,
    estimate_decided,
    estimate_return,
    estimate_send,
    estimate_start,
    estimate_submit,
    estimate_superseded,
    estimate_update,
)
from .money import (
    project_burn,
    project_money_rate,
    project_money_refresh,
    project_money_reorder,
    working_budget,
)
from .spend_plans import (
    spend_plan_against_actual,
    spend_plan_approve,
    spend_plan_return,
    spend_plan_save,
)

__all__ = [
    "Refused",
    "change_order_approval_record",
    "change_order_create",
    "change_order_decided",
    "change_order_from_repitch",
    "change_order_send",
    "change_order_superseded",
    "cost_entry_create",
    "cost_entry_decide",
    "cost_entry_reverse",
    "estimate_approve",
    "estimate_decided",
    "estimate_return",
    "estimate_send",
    "estimate_start",
    "estimate_submit",
    "estimate_superseded",
    "estimate_update",
    "project_burn",
    "project_money_rate",
    "project_money_refresh",
    "project_money_reorder",
    "spend_plan_against_actual",
    "spend_plan_approve",
    "spend_plan_return",
    "spend_plan_save",
    "working_budget",
]
