import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests import run_day
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher costs about half a second a hash on this hardware.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _files_in_a_folder_of_their_own(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def ae(db):
    return UserFactory(role="ae", full_name="Chen Jing", email="chen.jing@agency.example")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="admin", full_name="Wang Lei", email="admin@agency.example")


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


@pytest.fixture
def on_the_run_day():
    """The clock on the day the run began (tests/run_day.py), at the time of day it is: no
    shift at all unless midnight has passed since."""
    now = timezone.localtime()
    if now.date() == run_day.TODAY:
        yield
        return
    moment = dt.datetime.combine(run_day.TODAY, now.timetz())
    with time_machine.travel(moment, tick=True):
        yield
