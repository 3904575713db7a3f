import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Notification
from tests.factories import ApprovedEstimateFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, traveller):
        self._traveller = traveller

    @property
    def today(self):
        return timezone.localdate()

    def go(self, **delta):
        self._traveller.shift(dt.timedelta(**delta))


@pytest.fixture
def clock():
    """The portal's clock, stopped at Monday 30 November 2026, 09:00 in Shanghai;
    `clock.go(days=1)` moves it on."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield Clock(traveller)


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
