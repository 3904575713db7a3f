from django.apps import AppConfig


class CommonConfig(AppConfig):
    """What every app may use: paging, money formatting, locks and counters, the POST
    helpers. It imports no app of the portal."""

    name = "common"
