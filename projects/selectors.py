from datetime import timedelta

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from teams.models import Department

from .models import Task

CARDS_PER_CELL = 4
DONE_SHOWN_FOR = timedelta(days=14)


def traffic_board(tasks, *, cards_per_cell=CARDS_PER_CELL):
    """Tasks by department and status, each cell with its count and its first cards by due
    date: three queries, whatever the number of tasks. Done tasks of the last two weeks are
    counted, not shown: nothing is left to do with them."""
    recent = timezone.now() - DONE_SHOWN_FOR
    tasks = tasks.exclude(status=Task.Status.DONE, completed_at__lt=recent)
    counts = {
        (row["department"], row["status"]): row["n"]
        for row in tasks.order_by().values("department", "status").annotate(n=Count("pk"))
    }
    # The ranking runs on the bare task rows; only the cards shown are joined and flagged.
    first_in_cell = (
        tasks.exclude(status=Task.Status.DONE)
        .annotate(
            cell_rank=Window(
                RowNumber(),
                partition_by=[F("department"), F("status")],
                order_by=[F("due_on").asc(), F("pk").asc()],
            )
        )
        .filter(cell_rank__lte=cards_per_cell)
        .values("pk")
    )
    cards = {}
    for card in Task.objects.filter(pk__in=first_in_cell).order_by("due_on", "pk").as_cards():
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
