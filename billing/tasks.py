"""Thin tasks: each calls a service, and is safe to run twice or at once."""

from celery import shared_task

from . import services


@shared_task(time_limit=600, soft_time_limit=540)
def roll_over_aging():
    """The clients' aging rows of an earlier day, recomputed for today. Beat runs it every
    hour, so a night the scheduler missed is caught up soon after; with nothing left from an
    earlier day it reads one index and stops."""
    services.client_aging_roll_over()
