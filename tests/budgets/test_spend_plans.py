import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.models import SpendPlan
from notifications.models import Notification
from notifications.services import reminders_dispatch
from tests.factories import ClientFactory, ProjectFactory, UserFactory
from tests.routes import outsider_get_status

pytestmark = pytest.mark.django_db

D = Decimal
CHANNELS = ["tv", "digital", "social", "ooh", "print", "events", "other"]


def plan_data(**overrides):
    data = {
        "name": "Spring season",
        "first_month": "2026-12-15",
        "months": "3",
        "total": "300000",
        "expected_reach": "20000000",
        "expected_leads": "50000",
        "expected_sales": "",
        "expected_roi_percent": "180",
    }
    data.update({f"alloc_{c}_{i}": "" for c in CHANNELS for i in range(12)})
    data.update(overrides)
    return data


def test_an_ae_plans_the_clients_spend_by_channel_and_month(client):
    acme = ClientFactory()
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("budgets:spend_plan_create", args=[acme.pk]),
        plan_data(alloc_digital_0="100000", alloc_digital_1="50000", alloc_tv_2="150000"),
    )

    plan = SpendPlan.objects.get()
    assert response["Location"] == reverse("budgets:spend_plan_detail", args=[plan.pk])
    assert plan.first_month == dt.date(2026, 12, 1)
    cells = {(a.channel, a.month): a.amount for a in plan.allocations.all()}
    assert cells == {
        ("digital", dt.date(2026, 12, 1)): D("100000"),
        ("digital", dt.date(2027, 1, 1)): D("50000"),
        ("tv", dt.date(2027, 2, 1)): D("150000"),
    }


def test_allocations_that_do_not_add_up_are_refused_next_to_the_total(client):
    acme = ClientFactory()
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("budgets:spend_plan_create", args=[acme.pk]),
        plan_data(alloc_digital_0="100000", alloc_tv_1="150000"),
    )

    assert response.context["form"].errors["total"] == [
        "The allocations add up to 250000, not the total of 300000."
    ]
    assert 'value="150000"' in response.text
    assert not SpendPlan.objects.exists()


def test_a_negative_allocation_is_refused_next_to_its_cell(client):
    acme = ClientFactory()
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("budgets:spend_plan_create", args=[acme.pk]),
        plan_data(alloc_digital_0="-5", alloc_tv_1="300005"),
    )

    assert "alloc_digital_0" in response.context["form"].errors
    assert not SpendPlan.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"months": "13"}, "months", "less than or equal to 12"),
        ({"months": "999999999"}, "months", "less than or equal to"),
        ({"total": "-5"}, "total", "greater than or equal to 0"),
        ({"first_month": "9999-12-31"}, "first_month", "Enter a date between 2000-01-01"),
        ({"first_month": "0001-01-01"}, "first_month", "Enter a date between 2000-01-01"),
        ({"total": "1000000000.01"}, "total", "at most 1,000,000,000.00"),
    ],
)
def test_a_plan_out_of_bounds_is_refused_for_its_own_reason(client, overrides, field, reason):
    acme = ClientFactory()
    client.force_login(acme.lead_ae)

    response = client.post(
        reverse("budgets:spend_plan_create", args=[acme.pk]),
        plan_data(alloc_digital_0="300000", **overrides),
    )

    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert len(errors[field]) == 1
    assert reason in errors[field][0]
    assert not SpendPlan.objects.exists()


def test_a_director_signs_off_a_plan_which_then_locks_and_shows_plan_against_actual(client):
    acme = ClientFactory()
    director = UserFactory(role="account_director")
    plan = services.spend_plan_save(
        client=acme,
        saved_by=acme.lead_ae,
        name="Q1",
        first_month=dt.date(2026, 11, 1),
        months=2,
        total=D("1000"),
        allocations={
            ("digital", dt.date(2026, 11, 1)): D("600"),
            ("tv", dt.date(2026, 12, 1)): D("400"),
        },
    )
    project = ProjectFactory(client=acme)
    services.cost_entry_create(
        project=project,
        entered_by=acme.lead_ae,
        category="media",
        incurred_on=dt.date(2026, 11, 20),
        kind="vendor",
        vendor="Douyin",
        amount=D("700"),
        channel="digital",
    )
    client.force_login(director)
    unconfirmed = client.post(
        reverse("budgets:spend_plan_decide", args=[plan.pk]), {"decision": "approve"}
    )
    assert "Confirm that the plan is signed off and locks." in unconfirmed.text
    plan.refresh_from_db()
    assert plan.status == "draft"
    client.post(
        reverse("budgets:spend_plan_decide", args=[plan.pk]),
        {"decision": "approve", "confirm": "on"},
    )

    plan.refresh_from_db()
    assert plan.status == "approved"
    page = client.get(reverse("budgets:spend_plan_detail", args=[plan.pk]))
    digital = next(row for row in page.context["rows"] if row["channel"] == "digital")
    assert (digital["planned"], digital["actual"]) == (D("600"), D("700"))
    with pytest.raises(services.Refused, match="locked"):
        services.spend_plan_save(
            client=acme, saved_by=acme.lead_ae, plan=plan, allocations={}, total=D("0")
        )


def test_nobody_signs_off_their_own_plan_and_outsiders_get_404(client):
    acme = ClientFactory()
    director = UserFactory(role="account_director")
    plan = services.spend_plan_save(
        client=acme,
        saved_by=director,
        name="Q1",
        first_month=dt.date(2026, 11, 1),
        months=1,
        total=D("10"),
        allocations={("tv", dt.date(2026, 11, 1)): D("10")},
    )
    with pytest.raises(services.Refused, match="own spend plan"):
        services.spend_plan_approve(plan=plan, approved_by=director)

    client.force_login(UserFactory(role="ae"))
    for url in [
        reverse("budgets:spend_plan_detail", args=[plan.pk]),
        reverse("budgets:spend_plan_create", args=[acme.pk]),
        reverse("budgets:spend_plan_update", args=[acme.pk, plan.pk]),
        reverse("budgets:spend_plan_decide", args=[plan.pk]),
    ]:
        assert client.get(url).status_code == outsider_get_status(url), url
        assert client.post(url, plan_data()).status_code == 404, url
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_an_approved_plan_is_not_signed_off_again():
    acme = ClientFactory()
    plan = services.spend_plan_save(
        client=acme,
        saved_by=acme.lead_ae,
        name="Q1",
        first_month=dt.date(2026, 11, 1),
        months=1,
        total=D("10"),
        allocations={("tv", dt.date(2026, 11, 1)): D("10")},
    )
    first, second = UserFactory(role="account_director"), UserFactory(role="account_director")
    services.spend_plan_approve(plan=plan, approved_by=first)

    with pytest.raises(services.Refused, match="Only a submitted version"):
        services.spend_plan_approve(plan=plan, approved_by=second)

    plan.refresh_from_db()
    assert plan.approved_by == first


def test_a_returned_plan_goes_back_to_its_ae_and_returns_to_the_inbox_once_saved(client):
    director = UserFactory(role="account_director", full_name="Zhang Wei")
    acme = ClientFactory(account_director=director)
    ae = acme.lead_ae
    plan = services.spend_plan_save(
        client=acme,
        saved_by=ae,
        name="Winter season",
        first_month=dt.date(2026, 12, 1),
        months=1,
        total=D("10"),
        allocations={("tv", dt.date(2026, 12, 1)): D("10")},
    )
    reminders_dispatch()  # what the worker does when the save commits
    client.force_login(director)
    url = reverse("budgets:spend_plan_decide", args=[plan.pk])

    refused = client.post(url, {"decision": "return"})
    assert "Say what to change when returning a spend plan." in refused.text
    client.post(url, {"decision": "return", "comments": "More digital."})

    plan.refresh_from_db()
    assert plan.status == "returned"
    assert plan.review_comments == "More digital."
    assert "Winter season" not in client.get(reverse("budgets:approvals")).text
    reminders_dispatch()
    assert Notification.objects.get(recipient=ae).title == (
        f"Zhang Wei returned spend plan Winter season of {acme.name}"
    )

    client.force_login(ae)
    assert "More digital." in client.get(reverse("budgets:spend_plan_detail", args=[plan.pk])).text
    services.spend_plan_save(
        client=acme,
        saved_by=ae,
        plan=plan,
        name="Winter season",
        first_month=dt.date(2026, 12, 1),
        months=1,
        total=D("10"),
        allocations={("digital", dt.date(2026, 12, 1)): D("10")},
    )
    plan.refresh_from_db()
    assert (plan.status, plan.review_comments) == ("draft", "")
    client.force_login(director)
    assert "Winter season" in client.get(reverse("budgets:approvals")).text
    reminders_dispatch()
    told = Notification.objects.filter(recipient=director).values_list("title", flat=True)
    assert (
        list(told) == [f"Spend plan Winter season of {acme.name} is waiting for your sign-off"] * 2
    )
