from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A paginator told how many rows there are, for lists whose count is kept elsewhere
    (a summary row) and would cost a scan of thousands of rows to take again."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count
