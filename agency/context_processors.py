from common.money import base_currency

from .navigation import sections_for


def navigation(request):
    if not request.user.is_authenticated:
        return {}
    return {
        "nav_sections": sections_for(request.user, request.path),
        # The currency of every total across clients, for the pages that show one.
        "base_currency": base_currency(),
    }
