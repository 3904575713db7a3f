"""The shortcuts the pages take to render fast give what Django's own ways give."""

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.encoding import force_str

from common.urls import pk_reverse


def _choice_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.choices and isinstance(field.choices, (list, tuple)):
                yield model, field


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_choice_shows_its_label_in_the_language_of_the_page(language):
    fields = list(_choice_fields())
    assert len(fields) > 20
    with translation.override(language):
        for model, field in fields:
            for value, label in field.flatchoices:
                row = model(**{field.attname: value})
                shown = getattr(row, f"get_{field.name}_display")()
                assert shown == force_str(label), (model, field, value)
    # In Chinese the labels read Chinese, not the English they were first read in.
    from budgets.models import CostEntry

    entry = CostEntry(category="media")
    with translation.override("zh-hans"):
        assert entry.get_category_display() == "媒介"
    with translation.override("en"):
        assert entry.get_category_display() == "Media"


def test_every_display_reads_the_labels_translated_once():
    """Django binds get_FOO_display when a model class is made, before the portal's apps are
    ready: each must have been rebound, or the pages translate every label on every call."""
    from common import choices

    for model, field in _choice_fields():
        display = model.__dict__.get(f"get_{field.name}_display")
        if display is not None:
            assert display.func is choices._get_FIELD_display, (model, field)


def test_a_value_outside_the_choices_shows_as_itself():
    from budgets.models import CostEntry

    assert CostEntry(category="no-such-line").get_category_display() == "no-such-line"


@pytest.mark.parametrize(
    "name",
    [
        "accounts:client_detail",
        "accounts:report_detail",
        "accounts:meeting_detail",
        "accounts:proposal_detail",
        "projects:project_detail",
        "billing:invoice_detail",
        "budgets:project_budget",
    ],
)
def test_an_objects_address_is_the_one_reverse_gives(name):
    for pk in (1, 7, 12345678901):
        assert pk_reverse(name, pk) == reverse(name, args=[pk])


def test_an_address_without_a_pk_is_refused():
    with pytest.raises(NoReverseMatch):
        pk_reverse("accounts:client_list", 1)
