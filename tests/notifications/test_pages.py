import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from notifications.models import Notification, Preferences
from notifications.services import reminders_dispatch
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def notify(person, title, link="/projects/", **extra):
    return Notification.objects.create(
        recipient=person, kind="deadlines", title=title, link=link, **extra
    )


def test_the_bell_shows_the_unread_count_and_the_latest(client, ae):
    for n in range(3):
        notify(ae, f"Reminder {n}")
    notify(ae, "Already read", read_at="2026-11-20T09:00:00+08:00")
    notify(UserFactory(), "Someone else's")
    client.force_login(ae)

    bell = client.get(reverse("notifications:bell"), headers={"hx-request": "true"})

    assert bell.context["count"] == 3
    assert [n.title for n in bell.context["latest"]] == ["Reminder 2", "Reminder 1", "Reminder 0"]
    assert "data-unread-count>3<" in bell.text
    assert "Someone else's" not in bell.text
    page = client.get(reverse("home"))
    assert reverse("notifications:bell") in page.text


@pytest.mark.parametrize(("unread", "shown"), [(99, "99"), (100, "99+")])
def test_the_bell_counts_to_99(client, ae, unread, shown):
    Notification.objects.bulk_create(
        Notification(recipient=ae, kind="deadlines", title=f"Reminder {n}", link="/")
        for n in range(unread)
    )
    client.force_login(ae)

    bell = client.get(reverse("notifications:bell"), headers={"hx-request": "true"})

    assert f"data-unread-count>{shown}<" in bell.text
    assert f'aria-label="Notifications: {shown} unread"' in bell.text


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, ae):
    notification = notify(ae, "Task due", link="/projects/7/#task-3")
    client.force_login(ae)
    started = timezone.now()

    response = client.post(reverse("notifications:open", args=[notification.pk]))

    assert response["Location"] == "/projects/7/#task-3"
    notification.refresh_from_db()
    assert started <= notification.read_at <= timezone.now()


def test_the_inbox_marks_one_read_in_place_and_all_at_once(client, ae):
    first, second, third = (notify(ae, f"Reminder {n}") for n in range(3))
    client.force_login(ae)

    inbox = client.get(reverse("notifications:inbox"))
    assert [n.title for n in inbox.context["page"]] == ["Reminder 2", "Reminder 1", "Reminder 0"]
    row = client.post(
        reverse("notifications:read", args=[first.pk]), headers={"hx-request": "true"}
    )
    assert f'id="notification-{first.pk}"' in row.text
    assert "Mark read" not in row.text
    assert Notification.objects.unread().count() == 2

    page = client.post(reverse("notifications:read_all"), follow=True)
    assert "2 marked as read." in page.text
    assert not Notification.objects.unread().exists()


def test_someone_elses_notification_is_404(client, ae):
    theirs = notify(UserFactory(), "Not yours")
    client.force_login(ae)

    for name in ("open", "read"):
        assert client.post(reverse(f"notifications:{name}", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_every_notifications_url_is_the_signed_in_persons_own(client):
    names = {p.name for p in get_resolver().namespace_dict["notifications"][1].url_patterns}
    # open and read are checked above; the rest show or change only one's own.
    assert names == {"inbox", "bell", "read_all", "preferences", "open", "read"}
    for name in ("inbox", "bell", "preferences"):
        response = client.get(reverse(f"notifications:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("teams:login"))


def test_marking_all_read_leaves_other_peoples_alone(client, ae):
    notify(ae, "Mine")
    theirs = notify(UserFactory(), "Theirs")
    client.force_login(ae)

    client.post(reverse("notifications:read_all"))

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_people_choose_which_reminders_come_by_email_and_the_digest(client, ae):
    client.force_login(ae)

    form = client.get(reverse("notifications:preferences"))
    assert form.context["form"]["emailed"].value() == [
        "deadlines",
        "sign_offs",
        "budgets",
        "collections",
        "handed_to_me",
        "client_answers",
    ]
    client.post(
        reverse("notifications:preferences"),
        {"emailed": ["budgets", "collections"], "daily_digest": "on"},
    )

    preferences = Preferences.objects.get(user=ae)
    assert preferences.email_off == ["client_answers", "deadlines", "handed_to_me", "sign_offs"]
    assert preferences.daily_digest
    again = client.get(reverse("notifications:preferences"))
    assert again.context["form"]["emailed"].value() == ["budgets", "collections"]


def test_an_unknown_kind_is_refused_next_to_the_field(client, ae):
    client.force_login(ae)

    response = client.post(reverse("notifications:preferences"), {"emailed": ["fax"]})

    assert "emailed" in response.context["form"].errors
    assert not Preferences.objects.exists()


def test_an_admin_finds_the_emails_set_aside_and_sends_them_again(client, ae):
    failed = notify(
        ae,
        "Task due: Key visual",
        email_pending=False,
        email_tries=3,
        email_error="ValueError: Invalid address",
        email_set_aside_at=timezone.now(),
    )
    notify(ae, "Sent long ago", emailed_at=timezone.now())
    client.force_login(UserFactory(role="admin"))
    url = reverse("admin:notifications_notification_changelist")

    page = client.get(url, {"email": "set_aside"}).text
    assert "Task due: Key visual" in page
    assert "Sent long ago" not in page
    assert (
        "Invalid address"
        in client.get(reverse("admin:notifications_notification_change", args=[failed.pk])).text
    )

    done = client.post(url, {"action": "try_again", "_selected_action": [failed.pk]}, follow=True)
    assert "1 email will be sent on the next sweep." in done.text
    failed.refresh_from_db()
    assert failed.email_pending
    assert failed.email_tries == 0
    assert failed.email_set_aside_at is None

    client.force_login(ae)
    assert client.get(url).status_code == 302  # to the sign-in page: not for them


def test_a_notification_is_worded_in_the_language_of_the_moment(client, ae, clock):
    ActionItemFactory(owner=ae, description="Send the deck", due_on=clock.today)
    clock.go(days=1)
    reminders_dispatch(rules=["accounts.action_item_overdue"])
    client.force_login(ae)
    english = "Action item overdue since 2026-11-30: Send the deck"
    assert english in client.get(reverse("notifications:inbox")).text

    ae.language = "zh-hans"
    ae.save()

    inbox = client.get(reverse("notifications:inbox")).text
    assert "待办事项自 2026-11-30 起逾期：Send the deck" in inbox
    assert english not in inbox
    bell = client.get(reverse("notifications:bell"), headers={"hx-request": "true"}).text
    assert "待办事项自 2026-11-30 起逾期" in bell
    # What was written when it was sent stays, for a rule that is gone.
    stored = Notification.objects.get(recipient=ae)
    assert stored.title == english
    Notification.objects.filter(pk=stored.pk).update(rule="a.rule.no.longer.there")
    assert english in client.get(reverse("notifications:inbox")).text
