from decimal import Decimal

from notifications.models import Notification
from tests.factories import ApprovedEstimateFactory


def received():
    """Who got what, in the order it was created."""
    return [
        (n.recipient.full_name, n.title)
        for n in Notification.objects.select_related("recipient").order_by("pk")
    ]


def approve_budget(project, lines, director, fee="30000"):
    return ApprovedEstimateFactory(
        project=project, lines=lines, director=director, fee=Decimal(fee)
    )
