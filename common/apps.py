from django.apps import AppConfig


class CommonConfig(AppConfig):
    """What every app may use: paging, money formatting, the Refused error, row locks,
    counters, audit-history rows and view helpers. It imports no app of the portal."""

    name = "common"

    def ready(self):
        from . import choices

        choices.install()
