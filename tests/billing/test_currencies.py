"""Every amount in its document's currency; every total across clients in the base
currency, converted at the rate in force on the document's date, with any gap named."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import ExchangeRate
from billing import selectors, services
from billing.models import ClientAging, Invoice
from budgets import selectors as budget_selectors
from budgets.models import ProjectMoney
from common.templatetags.money import money
from tests.factories import ApprovedEstimateFactory, ClientFactory, ProjectFactory, UserFactory
from tests.run_day import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_the_run_day")]

D = Decimal
ISSUED = TODAY - dt.timedelta(days=10)


@pytest.fixture
def finance():
    return UserFactory(role="finance", full_name="Liu Yang")


def sent(client_obj, finance, amount, issued=ISSUED):
    invoice = services.invoice_create(
        client=client_obj,
        created_by=finance,
        issue_date=issued,
        lines=[("Fee", D(amount))],
        tax_rate=D("0"),
    )
    return services.invoice_send(invoice=invoice, sent_by=finance)


def test_a_usd_invoice_waits_out_of_the_totals_until_its_rate_is_recorded(finance):
    local = ClientFactory(name="Qinghe Dairy", currency="CNY")
    abroad = ClientFactory(name="Pacific Foods", currency="USD")
    sent(local, finance, "1836620")
    usd = sent(abroad, finance, "1060000")

    assert (usd.currency, usd.rate) == ("USD", None)
    aging = ClientAging.objects.get(client=abroad)
    assert (aging.total_outstanding, aging.unconverted_invoices) == (D("0"), 1)
    assert ClientAging.objects.get(client=local).total_outstanding == D("1836620")
    gaps = list(selectors.missing_rates(Invoice.objects.all(), TODAY))
    assert [(gap["currency"], gap["month"].strftime("%Y-%m"), gap["invoices"]) for gap in gaps] == [
        ("USD", ISSUED.strftime("%Y-%m"), 1)
    ]

    services.exchange_rate_record(
        currency="USD", valid_from=ISSUED.replace(day=1), rate=D("7.1"), recorded_by=finance
    )

    usd.refresh_from_db()
    assert usd.rate == D("7.1")
    aging = ClientAging.objects.get(client=abroad)
    assert (aging.total_outstanding, aging.unconverted_invoices) == (D("7526000.00"), 0)
    assert aging.invoiced_recently == D("7526000.00")
    assert not list(selectors.missing_rates(Invoice.objects.all(), TODAY))


def test_an_invoice_counts_at_the_rate_in_force_on_its_issue_date(finance):
    abroad = ClientFactory(currency="USD")
    services.exchange_rate_record(
        currency="USD", valid_from=TODAY - dt.timedelta(days=60), rate=D("7"), recorded_by=finance
    )
    older = sent(abroad, finance, "100", issued=TODAY - dt.timedelta(days=40))
    services.exchange_rate_record(
        currency="USD", valid_from=TODAY - dt.timedelta(days=20), rate=D("8"), recorded_by=finance
    )
    newer = sent(abroad, finance, "100", issued=TODAY - dt.timedelta(days=5))
    # A correction of the first rate reaches only the invoices up to the second one.
    services.exchange_rate_record(
        currency="USD", valid_from=TODAY - dt.timedelta(days=60), rate=D("7.2"), recorded_by=finance
    )

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.rate, newer.rate) == (D("7.2"), D("8"))
    assert ClientAging.objects.get(client=abroad).total_outstanding == D("1520.00")
    assert ExchangeRate.objects.count() == 2


def test_only_finance_records_rates_and_never_for_the_base_currency(client, finance):
    with pytest.raises(services.Refused) as refused:
        services.exchange_rate_record(
            currency="CNY", valid_from=TODAY, rate=D("1"), recorded_by=finance
        )
    assert refused.value.field == "currency"
    director = UserFactory(role="account_director")
    with pytest.raises(services.Refused):
        services.exchange_rate_record(
            currency="USD", valid_from=TODAY, rate=D("7"), recorded_by=director
        )

    url = reverse("billing:exchange_rates")
    client.force_login(director)
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"currency": "USD", "valid_from": TODAY, "rate": "7"}).status_code == 404
    )
    client.force_login(UserFactory(role="ae"))
    assert client.get(url).status_code == 404
    assert not ExchangeRate.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("rate", "0"), ("rate", "-1"), ("valid_from", "1999-12-31"), ("currency", "CNY")],
)
def test_a_bad_rate_is_refused_next_to_the_field(client, finance, field, value):
    client.force_login(finance)

    response = client.post(
        reverse("billing:exchange_rates"),
        {"currency": "USD", "valid_from": TODAY.isoformat(), "rate": "7.1", field: value},
    )

    assert list(response.context["form"].errors) == [field]
    assert not ExchangeRate.objects.exists()


def test_collections_name_the_base_currency_and_the_gap(client, finance):
    abroad = ClientFactory(name="Pacific Foods", currency="USD", payment_terms_days=5)
    sent(ClientFactory(name="Qinghe Dairy"), finance, "1000")
    invoice = sent(abroad, finance, "1060000")
    client.force_login(finance)

    page = client.get(reverse("billing:collections")).text
    assert "Totals in CNY" in page
    assert f"no USD rate for {ISSUED:%Y-%m}: 1 invoice left out" in page
    assert "CN¥1,000.00" in page
    assert "$1,060,000.00" in page  # the overdue row, in its own currency

    client.post(
        reverse("billing:exchange_rates"),
        {"currency": "USD", "valid_from": ISSUED.isoformat(), "rate": "7.1"},
    )
    page = client.get(reverse("billing:collections")).text
    assert "left out" not in page
    assert "CN¥7,527,000.00" in page
    assert f"USD at 7.1 from {ISSUED:%Y-%m-%d}" in page
    detail = client.get(reverse("billing:invoice_detail", args=[invoice.pk])).text
    assert "$1,060,000.00" in detail
    assert f"Counted in CNY at 7.1 per USD, the rate in force on {ISSUED:%Y-%m-%d}." in detail


def test_margin_per_client_adds_projects_up_in_the_base_currency(finance):
    director = UserFactory(role="account_director")
    abroad = ClientFactory(currency="USD")
    project = ProjectFactory(client=abroad)
    ApprovedEstimateFactory(
        project=project, director=director, lines={"production": D("1000")}, fee=D("3000")
    )
    money = ProjectMoney.objects.get(project=project)
    assert (money.currency, money.rate) == ("USD", None)
    rows = list(budget_selectors.margin_by_client(ProjectMoney.objects.all()))
    assert (rows[0]["margin"], rows[0]["unconverted"]) == (D("0"), 1)

    services.exchange_rate_record(
        currency="USD", valid_from=project.start_date, rate=D("7"), recorded_by=finance
    )

    rows = list(budget_selectors.margin_by_client(ProjectMoney.objects.all()))
    assert (rows[0]["margin"], rows[0]["unconverted"]) == (D("21000.00"), 0)


def test_money_shows_its_currency_in_the_readers_language():
    with translation.override("zh-hans"):
        assert money(D("1234.5"), "CNY") == "¥1,234.50"
        assert money(D("-3"), "USD") == "-US$3.00"
    with translation.override("en"):
        assert money(D("1234.5"), "CNY") == "CN¥1,234.50"
        assert money(D("1234.5"), "USD") == "$1,234.50"
    assert money(D("1234.5")) == "1,234.50"


def test_forms_name_the_currency_of_their_amounts(client):
    project = ProjectFactory(client=ClientFactory(currency="USD"))
    client.force_login(project.owner)

    form = client.get(reverse("budgets:cost_entry_create", args=[project.pk])).context["form"]

    assert form.fields["amount"].label == "Amount (USD)"


HOSTILE = ["\x00", "x" * 10_000, "0001-01-01", "9999-12-31", "99999999999999.99", "-1", "abc"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["currency", "valid_from", "rate"])
def test_hostile_input_to_the_rate_form_is_refused_not_a_500(client, finance, field, value):
    client.force_login(finance)

    response = client.post(
        reverse("billing:exchange_rates"),
        {"currency": "USD", "valid_from": TODAY.isoformat(), "rate": "7.1", field: value},
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ExchangeRate.objects.exists()


@pytest.mark.parametrize("value", ["\x00", "x" * 10_000, " "])
def test_hostile_reasons_are_refused_on_every_reason_form(client, finance, value):
    invoice = sent(ClientFactory(), finance, "1000")
    payment = services.payment_record(
        invoice=invoice, recorded_by=finance, paid_on=TODAY, amount=D("10"), method="cash"
    )
    client.force_login(finance)

    for url, field in (
        (reverse("billing:payment_reverse", args=[invoice.pk, payment.pk]), "reason"),
        (reverse("billing:invoice_cancel", args=[invoice.pk]), "cancel-reason"),
    ):
        response = client.post(url, {field: value})
        assert response.status_code == 200, url
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.cancelled_at) == (D("10"), None)
