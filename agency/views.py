from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing import selectors as billing_selectors
from budgets import selectors as budget_selectors
from projects import selectors as project_selectors
from teams import permissions

from .navigation import sections_for


@login_not_required
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
    """Each person's desk: what their day holds, by role."""
    if permissions.works_on_handed_tasks(request.user):
        return render(
            request, "agency/desk_staff.html", {"desk": project_selectors.staff_desk(request.user)}
        )
    if permissions.can_sign_off(request.user):
        return render(
            request,
            "agency/desk_director.html",
            {"desk": budget_selectors.director_desk(request.user)},
        )
    if permissions.handles_collections(request.user):
        return render(
            request,
            "agency/desk_finance.html",
            {
                "desk": billing_selectors.finance_desk(request.user, timezone.localdate()),
                "dso_days": billing_selectors.DSO_PERIOD_DAYS,
            },
        )
    sections = [s for s in sections_for(request.user) if s["url"] != request.path]
    return render(request, "agency/desk.html", {"sections": sections})
