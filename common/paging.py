from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A paginator told how many rows there are, for lists whose count is kept elsewhere
    (a summary row) and would cost a scan of thousands of rows to take again."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count


class CappedPaginator(Paginator):
    """A paginator that counts no further than `cap` rows: past that, a list of hundreds of
    thousands (every cost of the agency) says "more than 10,000" rather than spend a scan
    of them all on a number nobody reads, and its pages stop at the cap."""

    cap = 10_000

    def __init__(self, object_list, per_page):
        super().__init__(object_list, per_page)
        self.cap = type(self).cap  # this list's, whatever the default becomes

    @cached_property
    def count(self):
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self):
        return self.count > self.cap


def first_and_more(rows, count: int) -> tuple[list, bool]:
    """The first `count` of `rows` (a queryset or a list), and whether there are others:
    one row more is read to tell, rather than all of them counted."""
    rows = list(rows[: count + 1])
    return rows[:count], len(rows) > count
