"""Small helpers for the task templates: the board and My tasks show hundreds of tasks, so
what each shows is built once per process, not once per card."""

import functools

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projects.models import Task

register = template.Library()

STATUS_LABELS = dict(Task.Status.choices)


@register.filter
def status_label_for(title):
    """The text that labels a task's status control."""
    return _("Status of %(title)s") % {"title": title}


@register.filter
def task_status_label(status):
    """The label of a task status, for rows read as plain values."""
    return STATUS_LABELS[status]


@functools.cache
def _status_option_tags(language, selected):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value == selected else "", label)
            for value, label in Task.Status.choices
        ),
    )


@register.simple_tag
def status_option_tags(selected):
    """The <option>s of a task's status select, its own selected, built once per language
    and status: the desks, My tasks and the project page show a select per task."""
    return _status_option_tags(get_language(), selected)


@register.simple_tag
def task_flags(is_late=False, is_at_risk=False, is_handed_on=False, waits_on_title=""):
    """The badges beside a task's due date: late, at risk (with what it waits on) and
    handed on."""
    badges = []
    if is_late:
        badges.append(format_html(' <span class="badge text-bg-danger">{}</span>', _("Late")))
    if is_at_risk:
        badges.append(
            format_html(
                ' <span class="badge text-bg-warning" title="{}">{}</span>',
                _("Waits on “%(title)s”, which is late or due after this task")
                % {"title": waits_on_title},
                _("At risk"),
            )
        )
    if is_handed_on:
        badges.append(format_html(' <span class="badge text-bg-info">{}</span>', _("Handed on")))
    return mark_safe("".join(badges))
