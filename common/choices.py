"""get_FOO_display() in one dictionary lookup.

Django's own builds a dictionary of every choice of the field, each label translated, on
every call: a list of 25 rows showing two such fields spends hundreds of translations on
labels it does not show. Here each field's labels are translated once per language and
process; fields whose choices are computed (a callable) keep Django's way."""

import functools

from django.apps import apps
from django.db.models import Model
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_djangos_display = Model._get_FIELD_display


@functools.cache
def _labels(field, language) -> dict:
    return {make_hashable(value): str(label) for value, label in field.flatchoices}


def _get_FIELD_display(self, field):
    if not isinstance(field.choices, (list, tuple)):
        return _djangos_display(self, field)
    value = getattr(self, field.attname)
    return _labels(field, get_language()).get(make_hashable(value), value)


def install() -> None:
    """Every model's get_FOO_display() that Django made (a partialmethod of its own
    _get_FIELD_display, bound when the class was made) now calls the one above; a model's
    own get_FOO_display is left alone."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            made = model.__dict__.get(name)
            if isinstance(made, functools.partialmethod) and made.func is _djangos_display:
                setattr(model, name, functools.partialmethod(_get_FIELD_display, field=field))
