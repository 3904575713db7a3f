"""Middleware every request passes through."""

from django.shortcuts import render
from django.utils.cache import patch_cache_control

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


# The browser features the portal never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivatePages:
    """Every page the portal renders is somebody's own: no shared or browser cache keeps it
    (`Cache-Control: private, no-store`, unless the view said otherwise), and the browser
    features it never uses are off. Static files never reach here: WhiteNoise answers them
    first, cached for a year."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
