"""The overrun rule, in one place: which burn threshold a budget line or the project as a
whole has reached, and which ones a cost moves past. The message shown when a cost is saved
and the reminder sent to the AE and the director both come from here.

A threshold is the estimate's warning percentage or 100. Spending on a line without a
budget is past 100 from the first yuan."""

from dataclasses import dataclass
from decimal import Decimal

DEFAULT_WARN_AT_PERCENT = 80
OVER = 100
PROJECT = ""  # the level of the project as a whole, beside its lines' categories


def threshold_reached(budget: Decimal, spent: Decimal, warn_at: int) -> int | None:
    """The highest threshold that `spent` has reached on `budget`: 100, the warning
    percentage, or None."""
    if spent <= 0:
        return None
    if spent >= budget:
        return OVER
    if spent * 100 >= budget * warn_at:
        return warn_at
    return None


def reached(lines: dict[str, tuple[Decimal, Decimal]], warn_at: int) -> dict[str, int]:
    """Per budget line (category: (budget, spent)) and for the project (key PROJECT, on
    the sums of the lines), the highest threshold reached; levels that reached none are
    left out. A project with a single line is judged as a whole only: its line and the
    project are the same money."""
    budget = sum((figures[0] for figures in lines.values()), Decimal("0"))
    spent = sum((figures[1] for figures in lines.values()), Decimal("0"))
    levels = {**lines, PROJECT: (budget, spent)} if len(lines) > 1 else {PROJECT: (budget, spent)}
    result = {}
    for level, (level_budget, level_spent) in levels.items():
        threshold = threshold_reached(level_budget, level_spent, warn_at)
        if threshold is not None:
            result[level] = threshold
    return result


@dataclass(frozen=True)
class Crossing:
    level: str  # a budget line's category, or PROJECT
    threshold: int

    @property
    def is_project(self) -> bool:
        return self.level == PROJECT

    @property
    def is_over(self) -> bool:
        return self.threshold >= OVER


def crossed(
    before: dict[str, tuple[Decimal, Decimal]],
    after: dict[str, tuple[Decimal, Decimal]],
    warn_at: int,
) -> list[Crossing]:
    """The thresholds passed between two states of a project's lines, the highest per
    level: a cost that takes its line from 70 % to 120 % crosses 100 there, once. The
    lines first, in their order, then the project."""
    was, now = reached(before, warn_at), reached(after, warn_at)
    return [
        Crossing(level, threshold)
        for level, threshold in now.items()
        if threshold > was.get(level, 0)
    ]
