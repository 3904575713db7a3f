"""Reminder timings at scale: delivering everything due (emails to the in-memory backend),
the next sweep with nothing due, and the latency from a cost entry that crosses a budget
threshold to its notification, with a real worker on the broker."""

import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CROSSINGS = 5


def deliver_all() -> dict:
    from django.conf import settings

    from notifications.services import emails_send, reminders_dispatch

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    started = time.monotonic()
    reminders = reminders_dispatch()
    dispatched = time.monotonic()
    emails = emails_send()
    done = time.monotonic()
    started_idle = time.monotonic()
    again = reminders_dispatch() + emails_send()
    idle = time.monotonic() - started_idle
    return {
        "reminders": reminders,
        "emails": emails,
        "dispatch_s": dispatched - started,
        "emails_s": done - dispatched,
        "idle_sweep_s": idle,
        "idle_sent": again,
    }


def _start_worker(log: Path) -> subprocess.Popen:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "agency",
            "worker",
            "--concurrency=1",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env={**os.environ, "EMAIL_URL": "memorymail://"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "ready." in log.read_text():
            return worker
        time.sleep(0.1)
    worker.kill()
    raise SystemExit(f"the worker did not start:\n{log.read_text()}")


def crossing_latency(log: Path) -> list[float]:
    """Seconds from the commit of a cost entry that takes a project past its warning
    percentage to the notification being in the database."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from budgets import services
    from budgets.models import Estimate
    from notifications.models import Notification
    from projects.models import Project, Stage

    approved = Estimate.objects.filter(project=OuterRef("pk"), status=Estimate.Status.APPROVED)
    candidates = []
    for project in Project.objects.exclude(stage=Stage.CLOSED).filter(Exists(approved)):
        burn = services.project_burn(project, approved=Estimate.objects.approved_for(project))
        if burn.budget and burn.actual < burn.budget * Decimal("0.7"):
            candidates.append(project)
        if len(candidates) == CROSSINGS:
            break
    worker = _start_worker(log)
    latencies = []
    try:
        for project in candidates:
            burn = services.project_burn(project, approved=Estimate.objects.approved_for(project))
            before = Notification.objects.count()
            services.cost_entry_create(
                project=project,
                entered_by=project.owner,
                category="production",
                incurred_on=timezone.localdate(),
                kind="vendor",
                vendor="Bench",
                amount=(burn.budget * Decimal("0.85") - burn.actual).quantize(Decimal("1")),
            )
            committed = time.monotonic()
            while Notification.objects.count() == before:
                if time.monotonic() - committed > 30:
                    raise SystemExit(f"no alert within 30 s for {project}")
                time.sleep(0.01)
            latencies.append(time.monotonic() - committed)
    finally:
        worker.kill()
        worker.wait()
    return latencies


def report(log: Path) -> None:
    delivered = deliver_all()
    latencies = crossing_latency(log)
    print("\nreminders at scale")
    print(
        f"  deliver everything due: {delivered['reminders']:,} reminders in "
        f"{delivered['dispatch_s']:.1f} s, then {delivered['emails']:,} emails in "
        f"{delivered['emails_s']:.1f} s"
    )
    print(
        f"  next sweep with nothing due: {delivered['idle_sweep_s'] * 1000:.0f} ms "
        f"({delivered['idle_sent']} sent)"
    )
    print(
        f"  crossing cost entry to notification, worker running: median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"over {len(latencies)} entries"
    )
