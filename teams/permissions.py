"""The role predicates: the one place that asks what a user's role is.

Views, templates (through the navigation) and querysets ask these, never `user.role`.
"""

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
