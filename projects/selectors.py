from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, Q, Value
from django.utils import timezone

from common.paging import first_and_more
from teams import permissions
from teams.models import Department

from .models import Task

CARDS_PER_CELL = 4
DONE_SHOWN_FOR = timedelta(days=14)


def traffic_board(tasks, *, tally=None, cards_per_cell=CARDS_PER_CELL):
    """Tasks by department and status, each cell with its count and its first cards by due
    date: three queries, whatever the number of tasks. Done tasks of the last two weeks are
    counted, not shown: nothing is left to do with them. `tally`, the TaskCount rows of the
    same tasks (the whole agency, or one department of it), gives the open cells' counts
    without counting tens of thousands of tasks."""
    recent = timezone.now() - DONE_SHOWN_FOR
    if tally is None:
        tasks = tasks.exclude(status=Task.Status.DONE, completed_at__lt=recent)
        counted = tasks.order_by().values("department", "status").annotate(n=Count("pk"))
        counts = {(row["department"], row["status"]): row["n"] for row in counted}
    else:
        done = (
            tasks.filter(status=Task.Status.DONE, completed_at__gte=recent)
            .order_by()
            .values("department")
            .annotate(done=Value(Task.Status.DONE), n=Count("pk"))
            .values_list("department", "done", "n")
        )
        open_cells = tally.exclude(status=Task.Status.DONE)
        counted = open_cells.values_list("department", "status", "tasks").union(done, all=True)
        counts = {(department, status): n for department, status, n in counted if n}
    cells = [
        (department, status)
        for (department, status), count in sorted(counts.items())
        if status != Task.Status.DONE and count
    ]
    cards = {}
    for card in _first_in_each_cell(
        tasks.exclude(status=Task.Status.DONE).as_cards(), cells, cards_per_cell
    ):
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


def _first_in_each_cell(cards, cells, per_cell):
    """The first cards by due date in each (department, status) cell, as the card rows of
    `cards`. PostgreSQL runs the card query once per cell through a LATERAL join, so each
    cell is a short index scan on (department, status, due date, id) and the joins of only
    its first cards; the query is compiled once, whatever the number of cells."""
    if not cells:
        return []
    card_sql, card_params = cards.order_by().query.sql_with_params()
    values = ", ".join(["(%s::bigint, %s::varchar)"] * len(cells))
    sql = f"""
        SELECT first.* FROM (VALUES {values}) AS cell(department_id, status)
        CROSS JOIN LATERAL (
            SELECT * FROM ({card_sql}) AS card
            WHERE card.department = cell.department_id AND card.status = cell.status
            ORDER BY card.due_on, card.pk
            LIMIT %s
        ) AS first
    """
    params = [value for cell in cells for value in cell] + list(card_params) + [per_cell]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


DESK_WEEK = timedelta(days=7)
DESK_ROWS = 50


@dataclass
class StaffDesk:
    """A department person's day: `today` (late, due today, or handed on today), `week`
    (ready and due in the next seven days) and `waiting` (on a task not done yet), each
    with what it waits on and its hand-off note, of the first DESK_ROWS by due date;
    `more` when there are others; `open_count` of all their open work."""

    today: list
    week: list
    waiting: list
    open_count: int
    more: bool = False

    @property
    def shown(self) -> int:
        return len(self.today) + len(self.week) + len(self.waiting)


def staff_desk(user, today=None) -> StaffDesk:
    """Three queries: which open tasks handed to `user` the desk shows, then their rows,
    and how many are open in all."""
    today = today or timezone.localdate()
    handed = Task.objects.handed_to(user).open()
    waiting_on_others = Q(waits_on__isnull=False) & ~Q(waits_on__status=Task.Status.DONE)
    ids, more = first_and_more(
        _first_due(
            Task.objects.open().filter(Q(due_on__lte=today + DESK_WEEK) | waiting_on_others),
            permissions.handed_work_sides(user),
            limit=DESK_ROWS + 1,
        ),
        DESK_ROWS,
    )
    shown = _cards(ids, today, handed_on_at=F("waits_on__completed_at"))
    desk = StaffDesk(today=[], week=[], waiting=[], open_count=handed.count(), more=more)
    for task in shown:
        handed_on_today = (
            task.handed_on_at is not None and timezone.localdate(task.handed_on_at) == today
        )
        if task.waits_on_id and not task.waits_on.is_done:
            desk.waiting.append(task)
        elif task.due_on <= today or handed_on_today:
            desk.today.append(task)
        else:
            desk.week.append(task)
    return desk


def ae_tasks(user, today) -> tuple[list, bool]:
    """The first DESK_ROWS open tasks due within the week or late, on the projects `user`
    runs as AE (whoever has them) and handed to `user`, and whether there are more: two
    queries. The first picks them, the first rows of each side through its own index
    (asked as one, "owner or assignee" sorts every open task of the agency due by then);
    the second, when there are any, reads what their rows show."""
    ids, more = first_and_more(
        _first_due(
            Task.objects.open().filter(due_on__lt=today + DESK_WEEK),
            [Q(project__owner=user), Q(assignee=user)],
            limit=DESK_ROWS + 1,
        ),
        DESK_ROWS,
    )
    return _cards(ids, today), more


def _first_due(tasks, sides, limit) -> list[int]:
    """The ids of the first `limit` of `tasks` by due date that match any of `sides`, in one
    query: each side is read in due-date order through its own index and cut at `limit`
    before they are merged. Asked as one OR, the database sorts every row that matches."""
    due = tasks.order_by("due_on", "pk").values_list("due_on", "pk")
    first, *others = (due.filter(side)[:limit] for side in sides)
    if others:
        first = first.union(*others).order_by("due_on", "pk")[:limit]
    return [pk for _due_on, pk in first]


def _cards(ids, today, **annotations) -> list:
    """The tasks of `ids` as the desks show them, by due date; no query when there are none."""
    if not ids:
        return []
    return list(
        Task.objects.filter(pk__in=ids)
        .for_cards(today)
        .annotate(**annotations)
        .order_by("due_on", "pk")
    )


def late_tasks_by_client(client_ids, today) -> dict[int, dict[str, int]]:
    """Per client, how many open tasks are late and how many are at risk: one query."""
    rows = (
        Task.objects.open()
        .filter(project__client__in=client_ids)
        .with_flags(today)
        .filter(Q(is_late=True) | Q(is_at_risk=True))
        .order_by()
        .values("project__client")
        .annotate(
            late=Count("pk", filter=Q(is_late=True)),
            at_risk=Count("pk", filter=Q(is_at_risk=True)),
        )
    )
    return {row["project__client"]: row for row in rows}
