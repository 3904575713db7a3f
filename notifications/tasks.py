"""Thin tasks: each calls a service. All of them are safe to run twice or at once."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    time_limit=settings.REMINDER_SWEEP_TIME_LIMIT,
    soft_time_limit=settings.REMINDER_SWEEP_TIME_LIMIT - 60,
)
def sweep():
    """Every few minutes: every rule, then the email outbox."""
    services.reminders_dispatch()
    services.emails_send()


@shared_task
def check(rule: str, ids: list[int]):
    """One rule for a few objects, right after the change that made them due."""
    services.reminders_dispatch(rules=[rule], only=ids)
    services.emails_send()


@shared_task
def send_digests():
    services.digests_send()
