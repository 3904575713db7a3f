"""Counters kept in a row, moved in one SQL statement, so that two writers at the same moment
never read the same value."""

from django.db import connection, models
from django.db.models import F


def count_up(model: type[models.Model], field: str, by: int = 1, **key) -> int:
    """Adds `by` to `field` of the row of `model` found by `key` (its unique fields), creating
    the row at `by` when there is none, and returns the new value."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in key]
    target = connection.ops.quote_name(model._meta.get_field(field).column)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} ({quoted}, {target}) VALUES ({placeholders}, %s)
            ON CONFLICT ({quoted}) DO UPDATE SET {target} = {table}.{target} + EXCLUDED.{target}
            RETURNING {target}
            """,
            [*key.values(), by],
        )
        (value,) = cursor.fetchone()
    return value


def count_down(model: type[models.Model], field: str, by: int = 1, **key) -> None:
    """Takes `by` from `field` of the row of `model` found by `key`, in one statement. (An
    upsert cannot do it: PostgreSQL checks the row it would insert, at minus `by`, against
    the table's constraints before it finds the conflict.)"""
    model.objects.filter(**key).update(**{field: F(field) - by})
