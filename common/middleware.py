"""Middleware every request passes through."""

import functools
import logging

from django.apps import apps
from django.db import IntegrityError
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from common.limits import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)


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


class SavedAtTheSameMoment:
    """The database's last word when two people save the same thing at the same instant:
    both passed the checks, the database let one in and refused the other. The refused one
    gets a page that says which rule it ran into, in the words of the constraint, instead of
    a server error; nothing of it was saved, since the transaction it ran in was undone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, IntegrityError):
            return None
        name = getattr(getattr(exception.__cause__, "diag", None), "constraint_name", None)
        logger.warning("Refused by constraint %s on %s", name, request.path)
        return render(
            request,
            "saved_at_the_same_moment.html",
            {"reason": constraint_messages().get(name)},
            status=409,
        )


@functools.cache
def constraint_messages() -> dict:
    """The readable words of every database constraint of the portal, by its name."""
    messages = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            messages[constraint.name] = constraint.violation_error_message
        for field in model._meta.local_fields:
            if field.unique and not field.primary_key:
                messages[f"{model._meta.db_table}_{field.column}_key"] = field.error_messages[
                    "unique"
                ] % {
                    "model_name": model._meta.verbose_name,
                    "field_label": field.verbose_name,
                }
    return messages
