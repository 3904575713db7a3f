"""The portal on several processes at once, as it runs when one machine is not enough: two
gunicorn servers, two Celery workers and two beats against one PostgreSQL and one Redis.
Every reminder reaches its people once, a session opened on one server works on the
other, and no page fails."""

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, SentReminder
from tests.factories import PASSWORD, ProjectFactory, TaskFactory, UserFactory
from tests.mailbox import delivered
from tests.notifications.conftest import approve_budget
from tests.notifications.worker import Beat, Redis, Web, Worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP_SECONDS = 2


class Browser:
    """One person's browser: one cookie jar, whichever server answers."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name):
        return next(cookie.value for cookie in self.jar if cookie.name == name)

    def get(self, url):
        with self.opener.open(url, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, url, data):
        data = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data}
        request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode())
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()


@pytest.fixture
def farm(tmp_path):
    """Starts and in the end stops every process of the farm."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    redis = Redis(tmp_path).start()
    started = []

    def start(process):
        started.append(process.start())
        return process

    yield redis, mail_dir, start
    for process in started:
        process.stop()
    redis.stop()


def test_two_servers_two_workers_and_two_beats_deliver_each_reminder_once(farm):
    redis, mail_dir, start = farm
    project = ProjectFactory(name="Spring launch")
    approve_budget(project, {"production": "10000"}, project.client.account_director)
    designers = [UserFactory(role="staff") for _ in range(20)]
    for designer in designers:
        for number in range(3):
            TaskFactory(
                project=project, assignee=designer, due_on=timezone.localdate(), title=f"T{number}"
            )
    ae = project.owner

    servers = [start(Web(redis.url, mail_dir, name=f"web-{n}")) for n in (1, 2)]
    workers = [start(Worker(redis.url, mail_dir, name=f"worker-{n}")) for n in (1, 2)]
    beats = [start(Beat(redis.url, mail_dir, SWEEP_SECONDS, name=f"beat-{n}")) for n in (1, 2)]
    first, second = (server.url for server in servers)

    # Signed in on the first server, the AE works on the second.
    browser = Browser()
    browser.get(f"{first}{reverse('teams:login')}")
    status, desk = browser.post(
        f"{first}{reverse('teams:login')}", {"username": ae.email, "password": PASSWORD}
    )
    assert status == 200
    assert ae.full_name in desk
    pages = [
        reverse("home"),
        reverse("accounts:client_list"),
        project.client.get_absolute_url(),
        project.get_absolute_url(),
        reverse("budgets:project_budget", args=[project.pk]),
        reverse("projects:board"),
        reverse("notifications:inbox"),
    ]
    for round_ in range(3):
        for number, page in enumerate(pages):
            server = servers[(round_ + number) % 2].url
            status, text = browser.get(f"{server}{page}")
            assert status == 200, (server, page)
            assert ae.full_name in text, f"{server}{page} did not know the session"

    # A cost through the second server crosses 80 %: its alert goes out once too.
    status, _page = browser.post(
        f"{second}{reverse('budgets:cost_entry_create', args=[project.pk])}",
        {
            "kind": "vendor",
            "category": "production",
            "incurred_on": timezone.localdate().isoformat(),
            "vendor": "Studio",
            "amount": "8500",
        },
    )
    assert status == 200

    # Each task was given to its designer just now and is due today: two reminders each;
    # the AE hears the director approved the budget, and the cost alerts the AE and the
    # director.
    task_reminders = len(designers) * 3 * 2
    expected = task_reminders + 1 + 2
    assert wait_for(lambda: Notification.objects.count() >= expected, timeout=60), (
        f"{Notification.objects.count()} of {expected} reminders arrived"
    )
    assert wait_for(lambda: not Notification.objects.filter(email_pending=True).exists(), 60)
    time.sleep(3 * SWEEP_SECONDS)  # more sweeps from both beats, which must send nothing

    assert Notification.objects.count() == expected
    assert SentReminder.objects.count() == task_reminders + 1 + 1
    mails = delivered(mail_dir)
    message_ids = [re.search(r"^Message-ID: (.+)$", mail, re.M).group(1) for mail in mails]
    assert len(mails) == expected
    assert len(set(message_ids)) == expected
    for beat in beats:
        assert "Sending due task reminder-sweep" in beat.log.read_text(), beat.log
    for worker in workers:
        assert "notifications.tasks.sweep" in worker.log.read_text(), worker.log
    for server in servers:
        log = server.log.read_text()
        assert "Traceback" not in log
        assert not re.search(r'" 5\d\d ', log), log
