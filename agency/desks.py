"""The AE's desk, which reads every app: meetings, action items and proposals (accounts),
tasks (projects), burn (budgets) and overdue money (billing). The other desks live with the
app whose work they show."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as accounts
from accounts.models import ProposalRound
from billing import selectors as billing
from budgets import selectors as budgets
from common.charts import chart, series
from projects import selectors as projects
from teams import permissions

HEALTH_ROWS = 30


@dataclass
class ClientHealth:
    client: object
    worst_burn: object
    over_budget: int
    late_tasks: int
    at_risk_tasks: int
    overdue: object
    days_since_contact: int | None
    repitch_rounds: int


@dataclass
class AEDesk:
    my_tasks: list
    team_tasks: list
    more_tasks: bool  # than the desk shows
    action_items: list
    more_action_items: bool
    proposals: list
    clients: list
    burn_chart: dict
    sees_money: bool

    @property
    def task_count(self):
        return len(self.my_tasks) + len(self.team_tasks)


def ae_desk(user, today: date) -> AEDesk:
    """Ten queries whatever the size of the agency: tasks (two), action items,
    proposals, the clients, and per client its burn, late tasks and overdue money, and the
    chart of the AE's projects."""
    sees_money = permissions.can_see_budgets(user)
    clients = list(accounts.clients_for_health(user)[:HEALTH_ROWS])
    ids = [client.pk for client in clients]
    late = projects.late_tasks_by_client(ids, today) if ids else {}
    burn = budgets.burn_by_client(ids) if ids and sees_money else {}
    overdue = billing.overdue_by_client(user, ids) if ids and sees_money else {}
    health = []
    for client in clients:
        tasks = late.get(client.pk, {})
        money = burn.get(client.pk, {})
        health.append(
            ClientHealth(
                client=client,
                worst_burn=money.get("worst"),
                over_budget=money.get("over", 0),
                late_tasks=tasks.get("late", 0),
                at_risk_tasks=tasks.get("at_risk", 0),
                overdue=overdue.get(client.pk),
                days_since_contact=(today - timezone.localdate(client.last_contact)).days
                if client.last_contact
                else None,
                repitch_rounds=client.repitch_rounds,
            )
        )
    tasks, more_tasks = projects.ae_tasks(user, today)
    action_items, more_action_items = accounts.desk_action_items(user, today)
    proposals = accounts.proposals_in_flight(ids) if ids else []
    for proposal in proposals:
        proposal.round_status_label = ProposalRound.Status(proposal.round_status).label
        proposal.days_since_presented = (
            (today - proposal.presented_on).days if proposal.presented_on else None
        )
    return AEDesk(
        my_tasks=[task for task in tasks if task.assignee_id == user.pk],
        team_tasks=[task for task in tasks if task.assignee_id != user.pk],
        more_tasks=more_tasks,
        action_items=action_items,
        more_action_items=more_action_items,
        proposals=proposals,
        clients=health,
        burn_chart=_burn_chart(budgets.burn_against_schedule(user, today) if sees_money else []),
        sees_money=sees_money,
    )


def _burn_chart(rows):
    return chart(
        "bar",
        [row["job_number"] for row in rows],
        series(_("Budget burnt (%)"), [row["burn"] for row in rows]),
        series(_("Schedule behind us (%)"), [row["schedule"] for row in rows]),
    )
