"""With a real Redis and a real worker: the crossing cost's alert arrives in seconds, a
worker killed mid-batch loses and repeats nothing, and a Redis outage loses no alert."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from redis import Redis as RedisClient

from agency.beat import CatchUpScheduler
from agency.celery import app
from budgets import services as budgets
from budgets.models import CostEntry
from notifications import tasks
from notifications.models import Notification, SentReminder
from tests.factories import ClientFactory, ProjectFactory, TaskFactory, UserFactory
from tests.mailbox import delivered
from tests.notifications.conftest import approve_budget
from tests.notifications.worker import Redis, Worker, use_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis(tmp_path, settings):
    server = Redis(tmp_path).start()
    use_broker(server.url)
    yield server
    use_broker(settings.CELERY_BROKER_URL)
    server.stop()


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(redis, mail_dir):
    started = []

    def start(**options):
        worker = Worker(redis.url, mail_dir, **options).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    connection.close()


def budgeted_project():
    acme = ClientFactory(
        lead_ae=UserFactory(role="ae", full_name="Chen Jing"),
        account_director=UserFactory(role="account_director", full_name="Zhang Wei"),
    )
    project = ProjectFactory(client=acme, name="Spring launch")
    approve_budget(project, {"production": "10000"}, acme.account_director)
    return project


def cost_form(amount):
    return {
        "kind": "vendor",
        "category": "production",
        "incurred_on": "2026-11-20",
        "vendor": "Studio",
        "amount": amount,
    }


def test_the_alert_for_a_crossing_cost_arrives_within_seconds(client, workers, mail_dir):
    project = budgeted_project()  # its estimate approved: no longer waiting when told
    workers()
    client.force_login(project.owner)

    saved_at = time.monotonic()
    client.post(reverse("budgets:cost_entry_create", args=[project.pk]), cost_form("8500"))
    alerts = Notification.objects.filter(rule="budgets.threshold")
    arrived = wait_for(lambda: alerts.count() == 2, timeout=15)
    latency = time.monotonic() - saved_at

    assert arrived, "no alert within 15 seconds"
    assert latency < 10
    titles = set(alerts.values_list("recipient__full_name", "title"))
    job = f"{project.job_number} Spring launch"
    assert titles == {
        ("Chen Jing", f"{job} has used 80% of its budget"),
        ("Zhang Wei", f"{job} has used 80% of its budget"),
    }
    assert wait_for(
        lambda: sum("has used 80% of its budget" in mail for mail in delivered(mail_dir)) == 2
    )


def test_the_director_hears_of_a_submitted_estimate_within_seconds(client, workers):
    project = ProjectFactory(
        client=ClientFactory(
            account_director=UserFactory(role="account_director", full_name="Zhang Wei")
        )
    )
    estimate = budgets.estimate_start(project=project, author=project.owner)
    budgets.estimate_update(
        estimate=estimate,
        editor=project.owner,
        revision=estimate.revision,
        lines={"media": Decimal("1000")},
    )
    workers()
    client.force_login(project.owner)

    client.post(reverse("budgets:estimate_submit", args=[project.pk, estimate.pk]))

    assert wait_for(lambda: Notification.objects.exists(), timeout=15), "nobody was told"
    told = Notification.objects.get()
    assert (told.recipient.full_name, told.title) == (
        "Zhang Wei",
        f"Estimate v1 of {project.job_number} is waiting for your sign-off",
    )


def test_a_worker_killed_mid_batch_and_started_again_delivers_everything_once(workers, mail_dir):
    project = ProjectFactory()
    designers = [UserFactory(role="staff") for _ in range(40)]
    for person in designers:
        TaskFactory(project=project, assignee=person, due_on=timezone.localdate())
    # Handed out long ago: each is one reminder, that it is due today.
    project.tasks.update(assigned_at=timezone.now() - dt.timedelta(days=10))
    worker = workers(mail_delay=0.1)

    tasks.sweep.delay()
    assert wait_for(lambda: len(delivered(mail_dir)) >= 10), "the worker sent nothing"
    time.sleep(0.03)  # past the commit of the last one, into the next message
    worker.kill()
    sent_before = len(delivered(mail_dir))
    assert 10 <= sent_before < 40
    assert Notification.objects.count() == 40
    assert Notification.objects.filter(email_pending=True).count() == 40 - sent_before

    workers(mail_delay=0)
    tasks.sweep.delay()  # the next beat
    assert wait_for(lambda: not Notification.objects.filter(email_pending=True).exists())

    mails = delivered(mail_dir)
    assert len(mails) == 40
    recipients = sorted(
        line for mail in mails for line in mail.splitlines() if line.startswith("To: ")
    )
    assert recipients == sorted(f"To: {person.email}" for person in designers)
    assert SentReminder.objects.count() == 40
    assert Notification.objects.count() == 40


def test_a_cost_saved_while_redis_is_down_is_alerted_by_the_sweep_once_it_is_back(
    client, redis, workers
):
    project = budgeted_project()
    client.force_login(project.owner)
    redis.stop()

    started = time.monotonic()
    response = client.post(
        reverse("budgets:cost_entry_create", args=[project.pk]), cost_form("8500")
    )

    assert response.status_code == 302
    assert time.monotonic() - started < 3
    assert CostEntry.objects.filter(project=project).count() == 1
    assert not Notification.objects.exists()

    redis.start()
    workers()
    tasks.sweep.delay()
    alerts = Notification.objects.filter(rule="budgets.threshold")
    assert wait_for(lambda: alerts.count() == 2)
    tasks.sweep.delay()
    time.sleep(1)
    assert alerts.count() == 2


def test_beat_queues_a_tick_that_fell_due_while_redis_was_down_as_soon_as_it_is_back(
    redis, tmp_path
):
    scheduler = CatchUpScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    scheduler.retry_every = 0.2
    sweep = scheduler.Entry(
        name="reminder-sweep", task="notifications.tasks.sweep", schedule=300, app=app
    )
    producer = app.amqp.Producer(app.connection_for_write())
    queued = threading.Event()

    def tick():
        scheduler.apply_entry(sweep, producer=producer)
        queued.set()

    redis.stop()
    beat = threading.Thread(target=tick, daemon=True)
    beat.start()
    assert not queued.wait(3), "the tick was given up while Redis was away"

    redis.start()
    assert queued.wait(10), "the tick was not queued once Redis was back"
    waiting = RedisClient.from_url(redis.url).lrange("celery", 0, -1)
    assert len(waiting) == 1
    assert b"notifications.tasks.sweep" in waiting[0]
    producer.connection.close()
