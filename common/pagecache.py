"""Pages drawn once and served again while nothing in the database has changed.

A GET page is a function of what the database holds, who asks (the user, their language and
time zone, their browser's CSRF secret, which the forms on the page carry), the address, and
the day and time. The page cache keys each drawn page by all of these, the database's part
being PostgreSQL's own snapshot (`pg_current_snapshot()`): it names the transactions whose
writes a query can see, and it moves on with every commit of every write, wherever it comes
from (a service, the admin, a worker, `update()`, a migration). So a stored page is served
only to the same person, at the same address, within the same minute, and only while no
write has been committed since it was drawn; there is nothing to invalidate by hand.

The snapshot is read before anything else of the request (the session, the user), so that
everything the page shows is at least as new as its key. Pages that are not stored:
anything but a 200 to a plain GET, a view that sets a cookie, changes the session, adds a
message or says no-cache (sign-in, the admin, `healthz`), a page drawn while a message was
waiting to be shown, and any page drawn inside an open transaction (which could see its own
writes). Each web worker keeps its own pages in memory (the "pages" cache).
"""

import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re

# A page bigger than this (a long export) is drawn every time rather than held in memory.
LARGEST_PAGE = 256 * 1024


def page_cache_exempt(view):
    """Marks a view whose answer must be worked out on every request (a health check)."""
    view.page_cache_exempt = True
    return view


def database_snapshot() -> str | None:
    """The set of committed transactions a query made now would see, as PostgreSQL writes
    it; None when it cannot be told apart from the request's own (an open transaction) or
    the database does not answer."""
    if connection.in_atomic_block:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_snapshot()::text")
            return cursor.fetchone()[0]
    except DatabaseError:
        return None


class PageCacheSnapshot:
    """Reads the database snapshot of a GET first, before the session and the user are
    loaded; PageCache, further down the chain, keys the page with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.page_snapshot = None
        if settings.PAGE_CACHE and request.method == "GET" and self._cacheable_view(request):
            request.page_snapshot = database_snapshot()
        return self.get_response(request)

    @staticmethod
    def _cacheable_view(request) -> bool:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return False
        return not getattr(match.func, "page_cache_exempt", False)


class PageCache:
    """Answers a GET from the pages cache when the same page was drawn for the same person
    at the same database snapshot; otherwise lets the view draw it and keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.cache = caches["pages"]

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "page_key", None)
        if (
            key
            and not getattr(response, "from_page_cache", False)
            and self._keeps(request)
            and self._storable(response)
        ):
            self.cache.set(key, self._pack(request, response))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        snapshot = getattr(request, "page_snapshot", None)
        if snapshot is None or len(get_messages(request)):
            return None
        request.csrf_secret_before = request.META.get("CSRF_COOKIE")
        request.page_key = page_key(request, snapshot)
        stored = self.cache.get(request.page_key)
        if stored is None:
            return None
        content, headers, renews_csrf_cookie = stored
        if renews_csrf_cookie:
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
        response = HttpResponse(content, headers=headers)
        response.from_page_cache = True
        return response

    @staticmethod
    def _keeps(request) -> bool:
        """The view left nothing behind that a stored copy would not repeat: no new CSRF
        secret (its cookie is set on the way out, and a copy would not set it), no change to
        the session, no message for the next page."""
        session = getattr(request, "session", None)
        return (
            request.META.get("CSRF_COOKIE") == request.csrf_secret_before
            and not (session is not None and session.modified)
            and not getattr(getattr(request, "_messages", None), "added_new", False)
        )

    @staticmethod
    def _storable(response) -> bool:
        cache_control = response.get("Cache-Control", "").lower()
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not {"no-cache", "no-store"} & set(cc_delim_re.split(cache_control))
            and len(response.content) <= LARGEST_PAGE
        )

    @staticmethod
    def _pack(request, response) -> tuple:
        return (
            response.content,
            dict(response.headers),
            bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")),
        )


def page_key(request, snapshot: str) -> str:
    user = request.user
    parts = (
        snapshot,
        timezone.now().strftime("%Y-%m-%dT%H:%M"),
        str(user.pk) if user.is_authenticated else "",
        request.META.get("CSRF_COOKIE") or "",
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        "htmx" if request.headers.get("HX-Request") == "true" else "",
        request.build_absolute_uri(),
    )
    return "page:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()
