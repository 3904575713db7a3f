from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from teams.models import Department

from .models import Task

CARDS_PER_CELL = 4
DONE_SHOWN_FOR = timedelta(days=14)


def traffic_board(tasks, *, cards_per_cell=CARDS_PER_CELL):
    """Tasks by department and status, each cell with its count and its first cards by due
    date: four queries, whatever the number of tasks. Done tasks of the last two weeks are
    counted, not shown: nothing is left to do with them."""
    recent = timezone.now() - DONE_SHOWN_FOR
    tasks = tasks.exclude(status=Task.Status.DONE, completed_at__lt=recent)
    counts = {
        (row["department"], row["status"]): row["n"]
        for row in tasks.order_by().values("department", "status").annotate(n=Count("pk"))
    }
    # Each cell's first cards come from its own small index scan (department, status, due
    # date), all in one UNION ALL; only the cards shown are then joined and flagged.
    open_tasks = tasks.exclude(status=Task.Status.DONE)
    firsts = [
        open_tasks.filter(department_id=department, status=status)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)[:cards_per_cell]
        for (department, status), count in sorted(counts.items())
        if status != Task.Status.DONE and count
    ]
    shown = list(firsts[0].union(*firsts[1:], all=True)) if firsts else []
    cards = {}
    for card in Task.objects.filter(pk__in=shown).order_by("due_on", "pk").as_cards():
        cards.setdefault((card["department"], card["status"]), []).append(card)
    department_ids = {department for department, _ in counts}
    departments = Department.objects.filter(pk__in=department_ids)
    statuses = Task.Status.choices
    return [
        {
            "department": department,
            "cells": [
                {
                    "status": status,
                    "label": label,
                    "count": counts.get((department.pk, status), 0),
                    "cards": cards.get((department.pk, status), []),
                }
                for status, label in statuses
            ],
        }
        for department in departments
    ]
