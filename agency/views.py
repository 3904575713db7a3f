from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import selectors as account_selectors
from billing import selectors as billing_selectors
from budgets import selectors as budget_selectors
from common import search
from common.pagecache import page_cache_exempt
from projects import selectors as project_selectors
from teams import permissions
from teams.models import User

from . import calendar
from .desks import ae_desk
from .forms import SearchForm
from .navigation import sections_for
from .search import find


@login_not_required
@page_cache_exempt
@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, after one round trip."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def home(request):
    """Each person's desk: what their day holds, by role. Every desk shows the meetings the
    person attends this week."""
    user, today = request.user, timezone.localdate()
    client_answers = None
    if permissions.works_on_handed_tasks(user):
        template, desk = "agency/desk_staff.html", project_selectors.staff_desk(user)
    elif permissions.can_sign_off(user):
        template, desk = "agency/desk_director.html", budget_selectors.director_desk(user)
        client_answers = account_selectors.desk_client_answers(user, today)
    elif permissions.handles_collections(user):
        template, desk = "agency/desk_finance.html", billing_selectors.finance_desk(user, today)
    elif permissions.works_on_account_teams(user):
        template, desk = "agency/desk_ae.html", ae_desk(user, today)
        client_answers = account_selectors.desk_client_answers(user, today)
    else:
        sections = [s for s in sections_for(user) if s["url"] != request.path]
        return render(request, "agency/desk.html", {"sections": sections})
    return render(
        request,
        template,
        {
            "desk": desk,
            "meetings": account_selectors.desk_meetings(user, today),
            "client_answers": client_answers,
            "today": today,
            "now": timezone.now(),
            "dso_days": billing_selectors.DSO_PERIOD_DAYS,
        },
    )


@login_not_required
@require_GET
def calendar_feed(request, token):
    """A person's calendar, for their calendar app: the secret in the address stands in for
    signing in. A replaced or unknown address is a 404."""
    user = get_object_or_404(User.objects.active(), calendar_token=token)
    response = HttpResponse(
        calendar.feed(user, timezone.localdate()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="ae-portal.ics"'
    return response


def search_results(request):
    """The search box's page: what the words find, grouped by kind."""
    form = SearchForm(request.GET or None)
    groups, words = [], []
    if form.is_valid() and form.cleaned_data["q"]:
        words = search.words(form.cleaned_data["q"])
        groups = find(request.user, form.cleaned_data["q"])
    return render(
        request,
        "agency/search.html",
        {"form": form, "groups": groups, "searched": bool(words), "query": form.data.get("q", "")},
    )
