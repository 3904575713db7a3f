"""Helpers for the services that write models."""


def assign(instance, values: dict, allowed) -> None:
    """Sets the fields of `instance` that a service lets its callers change (`allowed`) from
    `values`, its keyword arguments; any other name in `values` is left alone, so a form's
    extra fields never reach the row."""
    for name in allowed:
        if name in values:
            setattr(instance, name, values[name])
