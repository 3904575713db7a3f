"""Helpers for the services that write models."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from common.errors import Refused


def assign(instance, values: dict, allowed) -> None:
    """Sets the fields of `instance` that a service lets its callers change (`allowed`) from
    `values`, its keyword arguments; any other name in `values` is left alone, so a form's
    extra fields never reach the row."""
    for name in allowed:
        if name in values:
            setattr(instance, name, values[name])


def validate(instance, **kwargs) -> None:
    """The model's own checks (full_clean: field validators, choices, constraints) before a
    service saves it. The first problem is refused next to its field, in the words the
    model gives it (every constraint has a readable message), never as a 500."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise Refused(problems[0], field=None if field == NON_FIELD_ERRORS else field) from error


def validate_value(model, name: str, value) -> None:
    """One value checked by its model field's own validators before a service computes with
    it (a due date from an issue date, say), refused next to the field."""
    try:
        model._meta.get_field(name).clean(value, None)
    except ValidationError as error:
        raise Refused(error.messages[0], field=name) from error
