"""Task badges, the in-place status control and the traffic-board card, built in Python:
the board and My tasks show hundreds of them, and a template include apiece costs too much."""

import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projects.models import Task

register = template.Library()

STATUS_LABELS = dict(Task.Status.choices)


@functools.cache
def _url_with_pk(name, script_prefix):
    """The URL of a view that takes one pk, with {} in the pk's place: reverse() once per
    process instead of once per card."""
    return reverse(name, args=[0]).replace("/0/", "/{}/")


def _url(name, pk):
    return _url_with_pk(name, get_script_prefix()).format(pk)


def _flags(*, is_late, is_at_risk, is_handed_on, waits_on_title):
    if not (is_late or is_at_risk or is_handed_on):
        return ""
    badges = []
    if is_late:
        badges.append(("text-bg-danger", "", _("Late")))
    if is_at_risk:
        title = _("Waits on “%(title)s”, which is late or due after this task") % {
            "title": waits_on_title
        }
        badges.append(("text-bg-warning", title, _("At risk")))
    if is_handed_on:
        badges.append(("text-bg-info", "", _("Handed on")))
    return format_html_join(" ", '<span class="badge {}" title="{}">{}</span>', badges)


@register.simple_tag
def task_flags(task):
    return _flags(
        is_late=task.is_late,
        is_at_risk=task.is_at_risk,
        is_handed_on=task.is_handed_on,
        waits_on_title=task.waits_on.title if task.waits_on_id else "",
    )


@functools.cache
def _status_options(language, selected):
    """The <option>s of the status select, the same for every task with that status."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == selected else "", label)
            for value, label in Task.Status.choices
        ),
    )


@register.simple_tag(takes_context=True)
def task_status_form(context, task, view, swap_target):
    """A status select that saves on change with htmx, and with a button without it."""
    url = _url("projects:task_set_status", task.pk)
    field_id = f"status-{view}-{task.pk}"
    return format_html(
        '<form method="post" action="{url}" hx-post="{url}" hx-target="closest {target}" '
        'hx-swap="outerHTML" hx-trigger="change">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input type="hidden" name="view" value="{view}">'
        '<label class="visually-hidden" for="{id}">{label}</label>'
        '<select class="form-select form-select-sm" name="status" id="{id}">{options}</select>'
        '<noscript><button class="btn btn-sm btn-outline-secondary mt-1" type="submit">'
        "{save}</button></noscript></form>",
        url=url,
        target=swap_target,
        # The context's token is masked once per request; get_token() would mask it anew.
        token=context["csrf_token"],
        view=view,
        id=field_id,
        label=_("Status of %(title)s") % {"title": task.title},
        options=_status_options(get_language(), task.status),
        save=_("Save"),
    )


@register.simple_tag
def task_card(card, can_change=False):
    """A card of the traffic board, from a row of Task.objects.as_cards()."""
    border = (
        " border-danger" if card["is_late"] else " border-warning" if card["is_at_risk"] else ""
    )
    # The select is fetched when someone wants to change the status: a board has hundreds
    # of cards and few of them change at a time.
    status = (
        format_html(
            '<button type="button" class="btn btn-sm btn-outline-secondary mt-1" '
            'hx-get="{url}" hx-target="this" hx-swap="outerHTML" title="{hint}">{label} ▾</button>',
            url=_url("projects:task_set_status", card["pk"]),
            hint=_("Change the status"),
            label=STATUS_LABELS[card["status"]],
        )
        if can_change
        else ""
    )
    return format_html(
        '<div class="card task-card mb-2{border}"><div class="card-body p-2">'
        '<a class="small fw-semibold d-block" href="{url}#task-{pk}">{title}</a>'
        '<div class="small text-body-secondary">{job} · {client}</div>'
        '<div class="small">{assignee} · {due} {flags}</div>{status}</div></div>',
        border=border,
        url=_url("projects:project_detail", card["project_id"]),
        pk=card["pk"],
        title=card["title"],
        job=card["job_number"],
        client=card["client_name"],
        assignee=card["assignee_name"] or _("Nobody yet"),
        due=card["due_on"].strftime("%m-%d"),
        flags=_flags(
            is_late=card["is_late"],
            is_at_risk=card["is_at_risk"],
            is_handed_on=card["is_handed_on"],
            waits_on_title=card["waits_on_title"],
        ),
        status=status,
    )


@register.simple_tag
def project_url(project_id):
    """The project page's address, without a reverse() per row."""
    return _url("projects:project_detail", project_id)


@register.simple_tag(takes_context=True)
def my_task_row(context, task):
    """A row of My tasks: the task, what it waits on and the note left by whoever did that,
    the person's own hand-off note, the due date with its flags, and the status control."""
    waits_on = task.waits_on if task.waits_on_id else None
    if waits_on is None:
        waiting = ""
    elif waits_on.is_done:
        waiting = format_html(
            '<div class="small">{}</div>',
            _("“%(title)s” is done: over to you.") % {"title": waits_on.title},
        )
    else:
        waiting = format_html(
            '<div class="small">{}</div>',
            _("Waits on “%(title)s”, due %(due)s.")
            % {"title": waits_on.title, "due": waits_on.due_on.isoformat()},
        )
    their_note = (
        format_html('<div class="small fst-italic">{}</div>', waits_on.handoff_note)
        if waits_on is not None and waits_on.handoff_note
        else ""
    )
    my_note = (
        format_html(
            '<div class="small mt-1"><span class="text-body-secondary">{}</span> {}</div>',
            _("Your hand-off note:"),
            task.handoff_note,
        )
        if task.handoff_note
        else ""
    )
    return format_html(
        '<tr id="my-task-{pk}"{done}><td><div class="fw-semibold">{title}</div>'
        '<div class="small text-body-secondary"><a href="{project_url}">{job}</a> · {client}</div>'
        "{waiting}{their_note}{my_note}"
        '<button type="button" class="btn btn-link btn-sm p-0" hx-get="{note_url}" '
        'hx-target="this" hx-swap="outerHTML">{note_label}</button></td>'
        '<td class="text-nowrap">{due} {flags}</td>'
        '<td style="min-width: 9rem">{status}</td></tr>',
        pk=task.pk,
        done=mark_safe(' class="table-success"') if task.is_done else "",
        title=task.title,
        project_url=_url("projects:project_detail", task.project_id),
        job=task.project.job_number,
        client=task.project.client.name,
        waiting=waiting,
        their_note=their_note,
        my_note=my_note,
        note_url=_url("projects:task_handoff_note", task.pk),
        note_label=_("Hand-off note for the next department"),
        due=task.due_on.isoformat(),
        flags=task_flags(task),
        status=task_status_form(context, task, "mine", "tr"),
    )
