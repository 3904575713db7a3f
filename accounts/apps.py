from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Client accounts")

    def ready(self):
        from . import approvals, services
        from .models import ProposalRound

        approvals.register(
            ProposalRound,
            superseded=services.proposal_round_superseded,
            decided=services.proposal_round_decided,
        )
