import functools

from django.utils.functional import SimpleLazyObject

from common.money import base_currency

from .navigation import bar_for


def navigation(request):
    """The navigation bar's sections, worked out only when a template shows them: the
    fragments htmx fetches (the bell, the counts) render without the bar."""
    if not request.user.is_authenticated:
        return {}
    bar = functools.cache(lambda: bar_for(request.user, request.path))
    return {
        "nav_sections": SimpleLazyObject(lambda: bar()[0]),
        "nav_more": SimpleLazyObject(lambda: bar()[1]),
        # The currency of every total across clients, for the pages that show one.
        "base_currency": base_currency(),
    }
