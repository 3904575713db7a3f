"""Adds bulk to the demo agency for the benchmark: projects and tasks enough to load the
traffic board with thousands of cards. Run after seed_demo, on a throwaway database."""

import itertools
import os
from datetime import timedelta

import django

PROJECTS = 420
TASKS_PER_PROJECT = 5


def seed() -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Client
    from projects.models import Project, Stage, Task
    from projects.services import task_counts_rebuild
    from teams.models import Department, User

    today = timezone.localdate()
    clients = list(Client.objects.order_by("pk"))
    owners = {client.pk: client.lead_ae_id for client in clients}
    departments = list(Department.objects.exclude(code="finance").order_by("pk"))
    designer = User.objects.get(email="zhao.min@agency.example")
    stages = [Stage.BRIEF, Stage.STRATEGY, Stage.CREATIVE, Stage.PRODUCTION, Stage.LAUNCH]
    statuses = [
        Task.Status.TODO,
        Task.Status.IN_PROGRESS,
        Task.Status.IN_REVIEW,
        Task.Status.BLOCKED,
        Task.Status.DONE,
    ]
    with transaction.atomic():
        projects = Project.objects.bulk_create(
            Project(
                client=client,
                job_number=f"{client.code}-BENCH-{n:04d}",
                currency=client.currency,
                name=f"Bench campaign {n}",
                stage=stages[n % len(stages)],
                start_date=today - timedelta(days=30 + n % 60),
                deadline=today + timedelta(days=(n % 70) - 10 - n % 60),
                owner_id=owners[client.pk],
            )
            for n, client in zip(range(PROJECTS), itertools.cycle(clients), strict=False)
        )
        previous = {}
        for level in range(TASKS_PER_PROJECT):
            tasks = Task.objects.bulk_create(
                Task(
                    project=project,
                    title=f"Step {level + 1} of {project.name}",
                    department=departments[(level + n) % len(departments)],
                    assignee=designer if (n % 10 == 0 and level == 2) else None,
                    due_on=project.start_date + timedelta(days=7 * (level + 1)),
                    status=statuses[(n + level) % len(statuses)],
                    waits_on=previous.get(project.pk),
                    completed_at=timezone.now() if (n + level) % len(statuses) == 4 else None,
                )
                for n, project in enumerate(projects)
            )
            previous = {task.project_id: task for task in tasks}
        # Loaded past the services, so the traffic board's counts are taken once here.
        task_counts_rebuild()
    print(f"bench data: {Project.objects.count()} projects, {Task.objects.count()} tasks")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    django.setup()
    seed()
