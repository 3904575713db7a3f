from common.money import base_currency

from .navigation import bar_for


def navigation(request):
    if not request.user.is_authenticated:
        return {}
    sections, more = bar_for(request.user, request.path)
    return {
        "nav_sections": sections,
        "nav_more": more,
        # The currency of every total across clients, for the pages that show one.
        "base_currency": base_currency(),
    }
