"""Small helpers for the task templates: the board and My tasks show hundreds of tasks, so
the addresses they link to are built once per process, not reversed once per card."""

import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projects.models import Task

register = template.Library()

STATUS_LABELS = dict(Task.Status.choices)


@functools.cache
def _url_with_pk(name, script_prefix):
    return reverse(name, args=[0]).replace("/0/", "/{}/")


@register.simple_tag
def pk_url(name, pk):
    """The address of a view that takes one pk, e.g. {% pk_url "projects:project_detail" 3 %}."""
    return _url_with_pk(name, get_script_prefix()).format(pk)


@functools.cache
def _status_options(language, selected):
    return [(value, str(label), value == selected) for value, label in Task.Status.choices]


@register.filter
def status_options(selected):
    """The statuses as (value, label, selected) with a task's own marked, worked out once
    per language and status: My tasks and the project page show a select per task."""
    return _status_options(get_language(), selected)


@register.filter
def status_label_for(title):
    """The text that labels a task's status control."""
    return _("Status of %(title)s") % {"title": title}


@register.filter
def task_status_label(status):
    """The label of a task status, for rows read as plain values."""
    return STATUS_LABELS[status]
