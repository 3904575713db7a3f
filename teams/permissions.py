"""The role predicates: the one place that asks what a user's role is.

Views, templates (through the navigation) and querysets ask these, never `user.role`.
"""

import functools
import operator

from django.db.models import Q

from .roles import Role


def _has_role(user, role) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == role)


def is_ae(user) -> bool:
    return _has_role(user, Role.AE)


def is_account_director(user) -> bool:
    return _has_role(user, Role.ACCOUNT_DIRECTOR)


def is_finance(user) -> bool:
    return _has_role(user, Role.FINANCE)


def is_department_staff(user) -> bool:
    return _has_role(user, Role.STAFF)


def is_admin(user) -> bool:
    return _has_role(user, Role.ADMIN)


def can_use_admin(user) -> bool:
    """Managing users, departments and settings in Django's admin."""
    return is_admin(user)


# Client accounts. Which clients a person sees is decided by Client.objects.visible_to(),
# which asks these.


def sees_every_client(user) -> bool:
    """Directors and finance see every client (finance only reads)."""
    return is_account_director(user) or is_finance(user)


def edits_every_client(user) -> bool:
    return is_account_director(user)


def works_on_account_teams(user) -> bool:
    """AEs see and edit the clients whose account team they are on."""
    return is_ae(user)


# Who may sit on a client's account team: account service keeps the account, department staff
# (a planner, a copywriter) work on it. Finance sees every client anyway; admins run the portal.
ACCOUNT_TEAM_ROLES = (Role.AE, Role.ACCOUNT_DIRECTOR, Role.STAFF)


def can_join_account_teams(user) -> bool:
    return bool(user.is_active and user.role in ACCOUNT_TEAM_ROLES)


def can_open_clients(user) -> bool:
    return edits_every_client(user) or works_on_account_teams(user)


def can_use_clients(user) -> bool:
    return sees_every_client(user) or works_on_account_teams(user) or works_on_handed_tasks(user)


# Projects. Which projects a person sees is decided by Project.objects.visible_to().


def sees_every_project(user) -> bool:
    return is_account_director(user) or is_finance(user)


def edits_every_project(user) -> bool:
    return is_account_director(user)


def works_on_handed_tasks(user) -> bool:
    """Department staff see the projects with work handed to them or their department, and
    those projects' clients, read-only."""
    return is_department_staff(user)


def handed_work(user, prefix=""):
    """The tasks handed to a person: named to them, or to their department with nobody named
    yet. `prefix` is the path from the model queried to its tasks, e.g. "projects__tasks__"."""
    return functools.reduce(operator.or_, handed_work_sides(user, prefix))


def handed_work_sides(user, prefix=""):
    """handed_work as its alternatives, for the queries that read each through its own
    index."""
    sides = [Q(**{f"{prefix}assignee": user})]
    if user.department_id:
        sides.append(
            Q(**{f"{prefix}assignee__isnull": True, f"{prefix}department": user.department_id})
        )
    return sides


def can_use_projects(user) -> bool:
    return sees_every_project(user) or works_on_account_teams(user) or works_on_handed_tasks(user)


def can_sign_off(user) -> bool:
    """Approving strategy briefs, estimates, spend plans and costs past the budget."""
    return is_account_director(user)


def can_see_budgets(user) -> bool:
    """Money is for account service and finance; department staff see the work, not the budget."""
    return sees_every_project(user) or works_on_account_teams(user)


def works_in_account_service(user) -> bool:
    """Projects, their tasks, briefs and budgets, and spend plans are kept by account service:
    the AEs on their accounts and the directors. Which ones is decided by the querysets."""
    return works_on_account_teams(user) or edits_every_project(user)


def can_work_on_tasks(user) -> bool:
    """Moving a task on: account service, and the department staff it is handed to."""
    return works_in_account_service(user) or works_on_handed_tasks(user)


def corrects_costs(user) -> bool:
    """A mistaken cost is reversed by the account team that keeps the budget, or by finance."""
    return works_in_account_service(user) or is_finance(user)


def handles_collections(user) -> bool:
    """Issuing invoices, recording payments and chasing them is finance's work."""
    return is_finance(user)


def can_see_collections(user) -> bool:
    return is_finance(user) or is_account_director(user)
