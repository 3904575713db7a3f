from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import PreferencesForm
from .models import Kind, Notification, Preferences

BELL_LENGTH = 8
# The bell counts no further: past it, "99+" says enough, and a scan of thousands of unread
# notifications costs every page a moment.
BELL_COUNTS_TO = 99
INBOX_PAGE = 25


def bell(request):
    """The bell in the navigation: the unread count and the latest unread, fetched by htmx
    after the page has loaded, so that no page waits for it."""
    unread = Notification.objects.unread().filter(recipient=request.user)
    count = unread[: BELL_COUNTS_TO + 1].count()
    shown = f"{BELL_COUNTS_TO}+" if count > BELL_COUNTS_TO else count
    return render(
        request,
        "notifications/partials/bell.html",
        {"count": count, "shown": shown, "latest": unread[:BELL_LENGTH]},
    )


def inbox(request):
    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, INBOX_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": notifications.unread().exists()},
    )


def _mine(request, pk):
    return get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)


@require_POST
def notification_open(request, pk):
    """Marks the notification read and goes where it points."""
    notification = _mine(request, pk)
    services.notification_read(notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@require_POST
def notification_read(request, pk):
    notification = _mine(request, pk)
    services.notification_read(notification=notification)
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "notifications/partials/row.html", {"notification": notification})
    return redirect("notifications:inbox")


@require_POST
def read_all(request):
    count = services.notifications_read_all(recipient=request.user)
    messages.success(request, _("%(count)s marked as read.") % {"count": count})
    return redirect("notifications:inbox")


def preferences(request):
    current = Preferences.objects.filter(user=request.user).first()
    initial = {
        "emailed": [kind for kind in Kind.values if not current or kind not in current.email_off],
        "daily_digest": bool(current and current.daily_digest),
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=request.user,
            email_off=form.email_off(),
            daily_digest=form.cleaned_data["daily_digest"],
        )
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
