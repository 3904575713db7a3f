from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Client accounts")

    def ready(self):
        from . import approvals, attachments, services
        from .models import Client, ContactReport, ProposalRound, of_visible_clients

        approvals.register(
            ProposalRound,
            superseded=services.proposal_round_superseded,
            decided=services.proposal_round_decided,
        )
        attachments.register(
            "report",
            ContactReport,
            visible=ContactReport.objects.visible_to,
            editable=ContactReport.objects.editable_by,
            client=lambda report: report.client,
            url=lambda report: report.get_absolute_url(),
        )
        attachments.register(
            "round",
            ProposalRound,
            visible=lambda user: of_visible_clients(
                ProposalRound.objects.all(), user, client="proposal__client"
            ),
            editable=lambda user: ProposalRound.objects.filter(
                proposal__client__in=Client.objects.editable_by(user)
            ),
            client=lambda round_: round_.proposal.client,
            url=lambda round_: round_.proposal.get_absolute_url(),
        )
