"""Delivery: once only, whoever runs the dispatcher; email as people asked for it."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.models import Notification, Preferences, SentReminder
from projects.models import Task
from tests.factories import ActionItemFactory, ProjectFactory, TaskFactory, UserFactory
from tests.notifications.conftest import received

pytestmark = pytest.mark.django_db


def due_tasks(clock, count, **people):
    """Tasks due today, handed out long ago: each is one reminder, that it is due."""
    project = ProjectFactory()
    designer = people.get("designer") or UserFactory(role="staff", full_name="Zhao Min")
    tasks = [
        TaskFactory(project=project, assignee=designer, due_on=clock.today, title=f"Task {n}")
        for n in range(count)
    ]
    handed_out = Task.objects.filter(pk__in=[task.pk for task in tasks])
    handed_out.update(assigned_at=timezone.now() - dt.timedelta(days=10))
    return list(handed_out.order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_the_same_moment_deliver_each_reminder_once(clock):
    # More than two batches, so that the dispatchers overlap batch after batch.
    (first,) = due_tasks(clock, 1)
    Task.objects.bulk_create(
        Task(
            project=first.project,
            department=first.department,
            assignee=first.assignee,
            due_on=clock.today,
            title=f"Bulk {n}",
        )
        for n in range(1199)
    )
    start = threading.Barrier(2)
    counts, errors = [], []

    def dispatch():
        try:
            start.wait()
            counts.append(services.reminders_dispatch())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(counts) == 1200
    assert Notification.objects.count() == 1200
    assert SentReminder.objects.count() == 1200


def test_a_claim_already_taken_delivers_nothing(clock):
    (task,) = due_tasks(clock, 1)
    SentReminder.objects.create(
        rule="projects.task_due", object_key=f"projects.task:{task.pk}", key=f"due:{task.due_on}"
    )

    assert services.reminders_dispatch() == 0
    assert received() == []


def test_a_failed_batch_leaves_no_claim_behind(clock, monkeypatch):
    due_tasks(clock, 3)

    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Notification.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        services.reminders_dispatch()
    assert not SentReminder.objects.exists()

    monkeypatch.undo()
    assert services.reminders_dispatch() == 3
    assert Notification.objects.count() == 3


def test_emails_go_once_in_the_recipients_language_with_a_link(clock, settings):
    settings.PORTAL_URL = "https://portal.agency.example"
    designer = UserFactory(role="staff", full_name="Zhao Min", language="zh-hans")
    (task,) = due_tasks(clock, 1, designer=designer)

    services.reminders_dispatch()
    assert services.emails_send() == 1
    assert services.emails_send() == 0

    (message,) = mail.outbox
    assert message.to == [designer.email]
    assert message.subject == f"任务 2026-11-30 到期：{task.title}"
    link = f"https://portal.agency.example/projects/{task.project_id}/#task-{task.pk}"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "在门户中打开" in html
    notification = Notification.objects.get()
    assert not notification.email_pending
    assert notification.emailed_at == timezone.now()  # the clock stands still


def test_a_kind_turned_off_reaches_the_inbox_but_not_the_mailbox(clock):
    designer = UserFactory(role="staff", full_name="Zhao Min")
    Preferences.objects.create(user=designer, email_off=["deadlines"])
    due_tasks(clock, 2, designer=designer)

    services.reminders_dispatch()
    services.emails_send()

    assert Notification.objects.filter(recipient=designer).count() == 2
    assert mail.outbox == []


def test_an_inactive_person_gets_nothing(clock):
    designer = UserFactory(role="staff", is_active=False)
    due_tasks(clock, 1, designer=designer)

    assert services.reminders_dispatch() == 1
    assert not Notification.objects.exists()


def test_the_digest_lists_what_is_unread_since_yesterday_once_a_day(clock):
    reader = UserFactory(role="staff", full_name="Zhao Min")
    Preferences.objects.create(user=reader, daily_digest=True, email_off=["deadlines"])
    other = UserFactory(role="staff")
    tasks = due_tasks(clock, 3, designer=reader)
    due_tasks(clock, 1, designer=other)
    services.reminders_dispatch()
    services.notification_read(
        notification=Notification.objects.get(recipient=reader, title__endswith="Task 0")
    )

    clock.go(days=1)
    assert services.digests_send() == 1
    assert services.digests_send() == 0

    (digest,) = mail.outbox
    assert digest.to == [reader.email]
    assert digest.subject == "Your reminders for 2026-12-01"
    assert f"Task due 2026-11-30: {tasks[1].title}" in digest.body
    assert f"Task due 2026-11-30: {tasks[2].title}" in digest.body
    assert "Task 0" not in digest.body
    assert "/notifications/" in digest.body

    clock.go(days=1)
    assert services.digests_send() == 0  # nothing new came in since


def test_the_digest_waits_for_those_who_asked_for_it(clock):
    due_tasks(clock, 2)
    services.reminders_dispatch()

    assert services.digests_send() == 0
    assert mail.outbox == []


def test_the_due_date_moving_back_and_forth_does_not_repeat_a_reminder(clock):
    (task,) = due_tasks(clock, 1)
    services.reminders_dispatch()
    task.due_on = clock.today + dt.timedelta(days=1)
    task.save()
    services.reminders_dispatch()
    task.due_on = clock.today
    task.save()
    services.reminders_dispatch()

    assert Notification.objects.count() == 2


def test_after_a_sweep_the_rules_find_nothing_left_to_send(clock):
    from billing import services as billing
    from notifications import registry
    from tests.factories import ClientFactory

    due_tasks(clock, 3)
    project = ProjectFactory(deadline=clock.today + dt.timedelta(days=1))
    TaskFactory(project=project, assignee=UserFactory(role="staff"), due_on=clock.today)
    finance = UserFactory(role="finance")
    acme = ClientFactory(payment_terms_days=30)
    for days_ago in (28, 45, 100):
        invoice = billing.invoice_create(
            client=acme,
            created_by=finance,
            issue_date=clock.today - dt.timedelta(days=days_ago),
            lines=[("Fee", Decimal("100"))],
            tax_rate=Decimal("0"),
        )
        billing.invoice_send(invoice=invoice, sent_by=finance)
    clock.go(days=1)
    rules = ["projects.task_overdue", "projects.deadline", "budgets.invoice_due"]
    assert all(list(registry.rule(name).due(timezone.now())) for name in rules)

    services.reminders_dispatch()

    # The keys the database computes match the ones the rules send under.
    assert {name: list(registry.rule(name).due(timezone.now())) for name in rules} == {
        name: [] for name in rules
    }


def test_a_line_break_in_a_title_makes_a_one_line_subject_and_holds_up_nobody(clock):
    owner = UserFactory(role="ae", full_name="Li Na")
    ActionItemFactory(
        owner=owner,
        description="Send the plan\r\nBcc: everyone@elsewhere.example\nand call",
        due_on=clock.today,
    )
    clock.go(minutes=1)
    due_tasks(clock, 2)

    services.reminders_dispatch()
    assert services.emails_send() == 3

    subjects = [message.subject for message in mail.outbox]
    assert subjects[0] == (
        "Action item due 2026-11-30: Send the plan Bcc: everyone@elsewhere.example and call"
    )
    assert all("\n" not in subject and "\r" not in subject for subject in subjects)
    assert not any(message.bcc for message in mail.outbox)
    assert "everyone@elsewhere.example" not in mail.outbox[0].message()["To"]
    assert Notification.objects.get(recipient=owner).title == subjects[0]


def test_a_message_the_mail_system_refuses_is_set_aside_and_the_others_go_on(clock):
    broken = UserFactory(role="staff", full_name="Broken Address")
    # Stored before addresses were checked: the mail system refuses to build the message.
    type(broken).objects.filter(pk=broken.pk).update(email="zhao\n@agency.example")
    due_tasks(clock, 1, designer=broken)
    clock.go(minutes=1)
    due_tasks(clock, 2)
    services.reminders_dispatch()

    assert services.emails_send() == 2
    failed = Notification.objects.get(recipient=broken)
    assert failed.email_pending
    assert failed.email_tries == 1
    assert failed.email_error
    assert failed.email_retry_at > timezone.now()

    for _ in range(services.EMAIL_TRIES - 1):
        assert services.emails_send() == 0  # not yet: it waits before trying again
        clock.go(days=1)
        assert services.emails_send() == 0
    failed.refresh_from_db()
    assert not failed.email_pending
    assert failed.email_set_aside_at == timezone.now()
    assert failed.email_tries == services.EMAIL_TRIES
    assert len(mail.outbox) == 2

    # Fixed by an admin and sent once more.
    type(broken).objects.filter(pk=broken.pk).update(email="zhao.min@agency.example")
    services.email_try_again(notification=failed)
    assert services.emails_send() == 1
    assert mail.outbox[-1].to == ["zhao.min@agency.example"]


def test_an_email_sent_twice_keeps_its_message_id_so_mail_clients_fold_it(clock):
    """A sender that dies after the mail server took a message, before marking it, sends
    it again on the next sweep: the two copies are one message to the reader's client."""
    due_tasks(clock, 2)
    services.reminders_dispatch()
    services.emails_send()
    first, other = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first != other

    notification = Notification.objects.order_by("created_at", "pk").first()
    Notification.objects.filter(pk=notification.pk).update(email_pending=True)
    services.emails_send()

    again = mail.outbox[-1]
    assert (
        again.extra_headers["Message-ID"] == first == f"<reminder.{notification.pk}@aeportal.local>"
    )
    assert again.message()["Message-ID"] == first
