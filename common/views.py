"""Helpers every app's views use."""

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from common.errors import Refused
from common.forms import ReasonForm
from common.paging import CappedPaginator


def show_refusal(form, refusal):
    """Puts a service's refusal next to the field it names, or above the form."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, str(refusal))


def reason_page(request, *, template, context, act, done, then):
    """A page that asks why, then acts (reverses a cost or a payment): `act(reason)` calls
    the service; its refusal shows next to the reason, and on success the page says `done`
    and goes to `then`."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, done)
            return redirect(then)
    return render(request, template, {**context, "form": form})


def back_to(request, fallback):
    """Where a form posted with `next` returns: that path when it is one of the portal's own
    (never another site, never a bare word taken for a view name), else `fallback`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def id_param(request, name) -> int | None:
    """A query parameter that names a row by its id, or None when it is missing or is not
    one (a filter for "²" is no filter, not an error)."""
    value = request.GET.get(name, "")
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None


def filtered_page(request, filters, queryset, per_page):
    """The page asked for of a list under its filters, and the query string that keeps
    the filters on the links to the other pages and to the export."""
    page = CappedPaginator(filters.filter(queryset), per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
