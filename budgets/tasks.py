"""Thin tasks: each calls a service, and is safe to run twice or at once."""

from celery import shared_task

from . import services


@shared_task(time_limit=600, soft_time_limit=540)
def reorder_budget_review():
    """The budget review's order set again for the new day and for projects that changed.
    Beat runs it every hour; with nothing to set it reads one index and stops."""
    services.project_money_reorder()
