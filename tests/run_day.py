"""The day the test run began on, in the portal's time zone, for the modules that name
"today" once, when they are collected. They ask for the `on_the_run_day` fixture
(tests/conftest.py), which keeps the clock on this day: a run that crosses midnight would
otherwise find "today" moved under them."""

from django.utils import timezone

TODAY = timezone.localdate()
