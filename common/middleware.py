"""Middleware every request passes through."""

from django.shortcuts import render

from common.limits import CONTROL_CHARACTERS


class RefuseControlCharactersInQuery:
    """A query string with NUL or another control character (`/traffic/?q=%00`) is answered
    400 with a page that says so, before any view reads it. Forms check their own fields
    (common.forms.PortalFormMixin), next to the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            CONTROL_CHARACTERS.search(text)
            for key, values in request.GET.lists()
            for text in (key, *values)
        ):
            return render(request, "bad_address.html", status=400)
        return self.get_response(request)
