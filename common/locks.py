"""Row locks that hold only the rows they name."""

from django.db import models


def lock_rows(model: type[models.Model], pks) -> list:
    """Locks the rows of `model` with these primary keys, in key order so that two writers
    locking overlapping sets cannot deadlock, and returns the keys it locked. `of=("self",)`
    and no join: a lock never spreads to the rows a foreign key points at. Call it inside a
    transaction."""
    return list(
        model.objects.select_for_update(of=("self",))
        .filter(pk__in=list(pks))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lock_row(instance):
    """Locks the row of `instance` and returns it read afresh, under the lock."""
    return type(instance).objects.select_for_update(of=("self",)).get(pk=instance.pk)
