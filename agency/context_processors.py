from .navigation import sections_for


def navigation(request):
    if not request.user.is_authenticated:
        return {}
    return {"nav_sections": sections_for(request.user, request.path)}
