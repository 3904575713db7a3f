from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budgets")

    def ready(self):
        from accounts import approvals

        from . import services
        from .models import ChangeOrder, Estimate

        approvals.register(
            Estimate, superseded=services.estimate_superseded, decided=services.estimate_decided
        )
        approvals.register(
            ChangeOrder,
            superseded=services.change_order_superseded,
            decided=services.change_order_decided,
        )
