import csv
import datetime as dt
import io
import threading
import time
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import selectors, services, tasks
from billing.models import ClientAging, Invoice, Payment
from tests.factories import ClientFactory, ProjectFactory, UserFactory
from tests.run_day import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_the_run_day")]

D = Decimal


@pytest.fixture
def finance():
    return UserFactory(role="finance", full_name="Liu Yang")


def sent_invoice(client_obj, finance, *, days_overdue, amount="1000"):
    issued = TODAY - dt.timedelta(days=client_obj.payment_terms_days + days_overdue)
    invoice = services.invoice_create(
        client=client_obj,
        created_by=finance,
        issue_date=issued,
        lines=[("Fee", D(amount))],
        tax_rate=D("0"),
    )
    return services.invoice_send(invoice=invoice, sent_by=finance)


def test_collections_show_aging_buckets_by_client_and_ae_and_the_overdue_list(client, finance):
    acme = ClientFactory(name="Acme", payment_terms_days=30)
    bolt = ClientFactory(name="Bolt", payment_terms_days=30)
    sent_invoice(acme, finance, days_overdue=-5, amount="100")
    sent_invoice(acme, finance, days_overdue=10, amount="200")
    late = sent_invoice(bolt, finance, days_overdue=45, amount="400")
    sent_invoice(bolt, finance, days_overdue=120, amount="800")
    services.collection_note_add(
        invoice=late,
        written_by=finance,
        contacted="Mr Wu",
        outcome="Will pay next week",
        promised_on=TODAY + dt.timedelta(days=6),
    )
    client.force_login(finance)

    page = client.get(reverse("billing:collections"))

    amounts = {name: amount for name, _, amount in page.context["buckets"]}
    assert amounts == {
        "current": D("100"),
        "days_1_30": D("200"),
        "days_31_60": D("400"),
        "days_61_90": D("0"),
        "days_90_plus": D("800"),
    }
    by_client = {row["client_name"]: row for row in page.context["by_client"]}
    assert by_client["Bolt"]["total_outstanding"] == D("1200")
    assert [row["total_outstanding"] for row in page.context["by_ae"]] == [D("1200"), D("300")]
    overdue = list(page.context["overdue"])
    assert [invoice["outstanding_amount"] for invoice in overdue] == [D("800"), D("400"), D("200")]
    assert overdue[1]["last_note"] == "Will pay next week"
    # 1,500 outstanding; 700 invoiced in the last 90 days (all but the 800 of 150 days ago)
    assert page.context["totals"]["dso"] == D("192.9")
    assert "Will pay next week" in page.text


def test_the_overdue_list_pages_by_how_long_it_is_overdue(client, finance, monkeypatch):
    monkeypatch.setattr("billing.views.OVERDUE_PER_PAGE", 2)
    acme = ClientFactory(payment_terms_days=30)
    for days_overdue in (5, 50, 20):
        sent_invoice(acme, finance, days_overdue=days_overdue)
    client.force_login(finance)

    first = client.get(reverse("billing:collections"))
    second = client.get(reverse("billing:collections"), {"page": 2})

    due = [row["due_date"] for page in (first, second) for row in page.context["overdue"]]
    assert len(due) == 3
    assert due == sorted(due)
    assert "Page 1 of 2" in first.text


def test_a_partial_payment_moves_the_money_and_an_overpayment_is_refused_by_the_field(
    client, finance
):
    invoice = sent_invoice(ClientFactory(), finance, days_overdue=3, amount="1000")
    client.force_login(finance)
    url = reverse("billing:payment_record", args=[invoice.pk])

    client.post(url, {"paid_on": TODAY, "amount": "400", "method": "bank_transfer"})
    refused = client.post(url, {"paid_on": TODAY, "amount": "700", "method": "bank_transfer"})

    assert "amount" in refused.context["payment_form"].errors
    assert "more than the 600.00 still outstanding" in refused.text
    invoice.refresh_from_db()
    assert invoice.amount_paid == D("400")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "-5"),
        ("amount", "abc"),
        ("amount", "0"),
        ("amount", "99999999999999.99"),
        ("amount", "1000000000.01"),
        ("paid_on", "0001-01-01"),
        ("paid_on", "9999-12-31"),
    ],
)
def test_bad_payments_are_refused_next_to_the_field(client, finance, field, value):
    invoice = sent_invoice(ClientFactory(), finance, days_overdue=3)
    client.force_login(finance)

    response = client.post(
        reverse("billing:payment_record", args=[invoice.pk]),
        {"paid_on": TODAY, "amount": "10", "method": "cash", field: value},
    )

    errors = response.context["payment_form"].errors
    assert list(errors) == [field]
    assert len(errors[field]) == 1
    assert not Payment.objects.exists()


@pytest.mark.parametrize("promised", [TODAY - dt.timedelta(days=1), dt.date(1990, 1, 1)])
def test_a_promise_to_pay_in_the_past_is_refused_next_to_the_date(client, finance, promised):
    invoice = sent_invoice(ClientFactory(), finance, days_overdue=3)
    client.force_login(finance)

    response = client.post(
        reverse("billing:collection_note_add", args=[invoice.pk]),
        {"contacted": "Mr Wu", "outcome": "Pays soon", "promised_on": promised.isoformat()},
    )

    errors = response.context["note_form"].errors
    assert list(errors) == ["promised_on"]
    assert len(errors["promised_on"]) == 1
    assert 'value="Pays soon"' in response.text or "Pays soon" in response.text
    assert not invoice.collection_notes.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issue_date", "9999-12-31"),
        ("issue_date", "0001-01-01"),
        ("lines-0-amount", "1000000000.01"),
        ("lines-0-amount", "0"),
    ],
)
def test_an_invoice_out_of_bounds_is_refused_next_to_the_field(client, finance, field, value):
    acme = ClientFactory()
    client.force_login(finance)

    response = client.post(
        reverse("billing:invoice_create"),
        invoice_form(acme, **{"lines-0-description": "Fee", "lines-0-amount": "100", field: value}),
    )

    if field.startswith("lines-"):
        errors = response.context["lines"].forms[0].errors
        name = field.removeprefix("lines-0-")
    else:
        errors, name = response.context["form"].errors, field
    assert list(errors) == [name]
    assert len(errors[name]) == 1
    assert not acme.invoices.exists()


def test_the_invoice_service_refuses_a_date_it_cannot_add_terms_to(finance):
    with pytest.raises(services.Refused) as refused:
        services.invoice_create(
            client=ClientFactory(),
            created_by=finance,
            issue_date=dt.date(9999, 12, 31),
            lines=[("Fee", D("100"))],
        )
    assert refused.value.field == "issue_date"


def test_an_ae_sees_their_clients_invoices_but_records_no_payment(client, finance):
    acme = ClientFactory()
    invoice = sent_invoice(acme, finance, days_overdue=3)
    client.force_login(acme.lead_ae)

    assert client.get(reverse("billing:invoice_detail", args=[invoice.pk])).status_code == 200
    assert client.get(reverse("billing:collections")).status_code == 404
    response = client.post(
        reverse("billing:payment_record", args=[invoice.pk]),
        {"paid_on": TODAY, "amount": "10", "method": "cash"},
    )
    assert response.status_code == 404
    client.force_login(UserFactory(role="ae"))
    assert client.get(reverse("billing:invoice_detail", args=[invoice.pk])).status_code == 404
    assert not Payment.objects.exists()


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows()), list(sheet.iter_rows(values_only=True))


def test_the_aging_list_downloads_as_csv_and_excel_with_notes_and_totals(client, finance):
    acme = ClientFactory(name="青禾乳业", payment_terms_days=30)
    late = sent_invoice(acme, finance, days_overdue=40, amount="500")
    sent_invoice(ClientFactory(name="Bolt", payment_terms_days=30), finance, days_overdue=5)
    services.collection_note_add(
        invoice=late,
        written_by=finance,
        contacted="Ms Wang",
        outcome="Pays on Friday",
        promised_on=TODAY + dt.timedelta(days=3),
    )
    client.force_login(finance)

    lines = _csv_rows(client.get(reverse("billing:collections_export", args=["csv"])))
    assert lines[0][:3] == ["Invoice", "Client", "AE"]
    assert lines[0][-2:] == ["Last note", "Promised payment date"]
    first = lines[1]
    assert first[1] == "青禾乳业"
    assert first[6] == "31–60 days"
    assert first[7] == "500.00"
    assert first[9:] == ["Pays on Friday", (TODAY + dt.timedelta(days=3)).isoformat()]
    assert lines[-1][0] == "Total"
    assert lines[-1][7:9] == ["1500.00", "CNY"]

    cells, rows = _xlsx_rows(client.get(reverse("billing:collections_export", args=["xlsx"])))
    assert rows[1][1] == "青禾乳业"
    assert rows[1][5] == 40
    assert rows[1][7] == 500
    assert cells[1][4].is_date
    assert rows[1][10].date() == TODAY + dt.timedelta(days=3)
    assert rows[-1][0] == "Total"
    assert rows[-1][7] == 1500


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_a_client_name_that_looks_like_a_formula_is_exported_as_text(client, finance, prefix):
    name = f'{prefix}HYPERLINK("https://evil.example","Click")'
    sent_invoice(ClientFactory(name=name, payment_terms_days=30), finance, days_overdue=3)
    client.force_login(finance)

    lines = _csv_rows(client.get(reverse("billing:collections_export", args=["csv"])))
    assert lines[1][1] == "'" + name

    cells, rows = _xlsx_rows(client.get(reverse("billing:collections_export", args=["xlsx"])))
    assert cells[1][1].data_type == "s"
    # XML reads a carriage return back as a line break.
    assert rows[1][1] == name.replace("\r", "\n")
    assert cells[1][7].data_type == "n"


def test_the_aging_list_has_no_other_format(client, finance):
    client.force_login(finance)
    assert client.get(reverse("billing:collections_export", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("size", [10, 100])
def test_the_collections_page_costs_the_same_queries_at_any_size(
    client, finance, size, django_assert_num_queries
):
    for n in range(size):
        sent_invoice(ClientFactory(), finance, days_overdue=n % 120)
    client.force_login(finance)

    # session, user, the aging per AE and in all (which counts the overdue invoices), the
    # biggest debtors, a page of the overdue invoices, the latest rate of each currency, the
    # currencies and months without a rate
    with django_assert_num_queries(7):
        assert client.get(reverse("billing:collections")).status_code == 200


def invoice_form(client_obj, **overrides):
    data = {
        "client": client_obj.pk,
        "project": "",
        "issue_date": TODAY.isoformat(),
        "tax_rate": "6",
        "fapiao_number": "044001900777",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


def test_finance_issues_an_invoice_with_its_lines(client, finance):
    acme = ClientFactory(payment_terms_days=45)
    client.force_login(finance)

    page = client.post(
        reverse("billing:invoice_create"),
        invoice_form(
            acme,
            **{
                "lines-0-description": "Strategy",
                "lines-0-amount": "10000",
                "lines-1-description": "Key visual",
                "lines-1-amount": "5000",
            },
        ),
        follow=True,
    )

    invoice = acme.invoices.get()
    assert invoice.total == D("15900.00")
    assert invoice.due_date == TODAY + dt.timedelta(days=45)
    assert f"Invoice {invoice.number} created." in page.text


def test_a_half_filled_invoice_line_is_refused_next_to_it(client, finance):
    acme = ClientFactory()
    client.force_login(finance)

    response = client.post(
        reverse("billing:invoice_create"),
        invoice_form(acme, **{"lines-0-description": "Strategy"}),
    )

    assert response.context["lines"].forms[0].errors == {
        "amount": ["Enter the amount, more than zero."]
    }
    assert not acme.invoices.exists()


def test_an_invoice_for_another_clients_project_is_refused(client, finance):
    acme = ClientFactory()
    other = ProjectFactory()
    client.force_login(finance)

    response = client.post(
        reverse("billing:invoice_create"),
        invoice_form(acme, project=other.pk, **{"lines-0-description": "X", "lines-0-amount": "1"}),
    )

    assert "project" in response.context["form"].errors
    assert not acme.invoices.exists()


def test_only_finance_issues_invoices(client):
    client.force_login(UserFactory(role="ae"))
    assert client.get(reverse("billing:invoice_create")).status_code == 404


@pytest.mark.parametrize("size", [10, 100])
def test_the_invoice_list_costs_the_same_queries_at_any_size(client, finance, size):
    for n in range(size):
        sent_invoice(ClientFactory(), finance, days_overdue=n % 50)
    client.force_login(finance)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("billing:invoice_list"))
    assert page.status_code == 200
    assert len(page.context["page"]) == min(size, 25)
    # session, user, count, the page of invoices with their clients, and the clients and the
    # AEs to filter by
    assert len(queries) == 6


def test_an_ae_lists_only_their_clients_invoices(client, finance):
    mine = ClientFactory()
    sent_invoice(mine, finance, days_overdue=1)
    sent_invoice(ClientFactory(), finance, days_overdue=1)
    client.force_login(mine.lead_ae)

    page = client.get(reverse("billing:invoice_list"))

    assert [invoice.client for invoice in page.context["page"]] == [mine]


def test_expected_this_month_counts_what_is_due_or_last_promised_for_it(finance):
    acme = ClientFactory(payment_terms_days=30)
    first = TODAY.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)

    def invoice(due_on, amount):
        created = services.invoice_create(
            client=acme,
            created_by=finance,
            issue_date=due_on - dt.timedelta(days=30),
            lines=[("Fee", D(amount))],
            tax_rate=D("0"),
        )
        return services.invoice_send(invoice=created, sent_by=finance)

    def promise(invoice, on):
        services.collection_note_add(
            invoice=invoice, written_by=finance, contacted="Gao Yan", outcome="x", promised_on=on
        )

    # On the first of the month, so that a promise for the third is not in the past.
    with time_machine.travel(dt.datetime(first.year, first.month, 1, 10, tzinfo=dt.UTC)):
        invoice(first, "100")  # due this month
        kept = invoice(next_month + dt.timedelta(days=5), "20")
        promise(kept, first + dt.timedelta(days=3))  # promised for this month
        moved = invoice(next_month + dt.timedelta(days=5), "7")
        promise(moved, first + dt.timedelta(days=3))
        promise(moved, next_month + dt.timedelta(days=1))  # the latest note moves it on
        invoice(next_month + dt.timedelta(days=5), "3000")  # due later, nothing promised

        assert ClientAging.objects.get(client=acme).expected_this_month == D("120")


def live_aging(today):
    """The collections figures added up from the invoices themselves, per client."""
    return {
        row.pop("client"): row
        for row in Invoice.objects.order_by()
        .values("client")
        .annotate(**selectors.aging_figures(today))
    }


def stored_aging():
    return {
        row.pop("client"): row
        for row in ClientAging.objects.values("client", *selectors.FIGURE_FIELDS)
    }


def test_the_aging_rows_follow_every_payment_write_off_and_note(finance):
    acme, bolt = ClientFactory(payment_terms_days=30), ClientFactory(payment_terms_days=30)
    first = sent_invoice(acme, finance, days_overdue=10, amount="500")
    second = sent_invoice(acme, finance, days_overdue=70, amount="300")
    late = sent_invoice(bolt, finance, days_overdue=100, amount="900")
    services.invoice_create(
        client=bolt, created_by=finance, issue_date=TODAY, lines=[("Draft", D("50"))]
    )

    def pay(invoice, amount):
        services.payment_record(
            invoice=invoice,
            recorded_by=finance,
            paid_on=TODAY,
            amount=D(amount),
            method=Payment.Method.BANK_TRANSFER,
        )

    steps = [
        lambda: pay(first, "200"),
        lambda: services.invoice_write_off(invoice=second, written_off_by=finance, reason="Gone"),
        lambda: services.collection_note_add(
            invoice=late, written_by=finance, contacted="Mr Wu", outcome="Soon", promised_on=TODAY
        ),
        lambda: pay(late, "900"),
    ]
    for step in steps:
        step()
        assert stored_aging() == live_aging(TODAY)
    assert stored_aging()[acme.pk]["total_outstanding"] == D("300")
    assert stored_aging()[bolt.pk]["total_outstanding"] == D("0")
    assert ClientAging.objects.filter(as_of=TODAY).count() == 2


def test_each_night_the_aging_moves_on_to_the_new_day_without_any_write(finance):
    acme = ClientFactory(payment_terms_days=30)
    sent_invoice(acme, finance, days_overdue=20, amount="400")
    assert ClientAging.objects.get(client=acme).days_1_30 == D("400")
    later = TODAY + dt.timedelta(days=15)

    services.client_aging_roll_over(later)

    row = ClientAging.objects.get(client=acme)
    assert (row.as_of, row.days_1_30, row.days_31_60) == (later, D("0"), D("400"))


def test_the_collections_page_says_when_its_figures_are_from_an_earlier_day(client, finance):
    acme = ClientFactory(payment_terms_days=30)
    sent_invoice(acme, finance, days_overdue=20, amount="400")
    client.force_login(finance)

    assert "recomputed for the new day" not in client.get(reverse("billing:collections")).text
    with time_machine.travel(TODAY + dt.timedelta(days=1)):
        page = client.get(reverse("billing:collections")).text

    assert "recomputed for the new day" in page
    assert ClientAging.objects.get(client=acme).as_of == TODAY  # the page wrote nothing


@pytest.mark.django_db(transaction=True)
def test_two_payments_of_one_client_at_the_same_moment_both_reach_its_aging():
    finance = UserFactory(role="finance")
    acme = ClientFactory(payment_terms_days=30)
    first = sent_invoice(acme, finance, days_overdue=5, amount="1000")
    second = sent_invoice(acme, finance, days_overdue=40, amount="300")
    paid, release = threading.Event(), threading.Event()

    def pay(invoice, amount):
        services.payment_record(
            invoice=invoice,
            recorded_by=finance,
            paid_on=TODAY,
            amount=D(amount),
            method=Payment.Method.BANK_TRANSFER,
        )

    def pay_first_and_wait():
        with transaction.atomic():
            pay(first, "1000")
            paid.set()
            release.wait(10)
        connection.close()

    def pay_second():
        pay(second, "300")
        connection.close()

    payer = threading.Thread(target=pay_first_and_wait)
    payer.start()
    assert paid.wait(10)
    # The second payment waits on the client's aging row until the first commits.
    other = threading.Thread(target=pay_second)
    other.start()
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute(waiting)
            if blocked := cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    release.set()
    payer.join(10)
    other.join(10)

    assert blocked
    assert ClientAging.objects.get(client=acme).total_outstanding == D("0")
    assert stored_aging() == live_aging(TODAY)


@pytest.mark.django_db(transaction=True)
def test_the_hourly_task_rolls_the_aging_over_outside_any_transaction():
    finance = UserFactory(role="finance")
    acme = ClientFactory(payment_terms_days=30)
    sent_invoice(acme, finance, days_overdue=20, amount="400")
    ClientAging.objects.filter(client=acme).update(as_of=TODAY - dt.timedelta(days=1))

    tasks.roll_over_aging()

    row = ClientAging.objects.get(client=acme)
    assert (row.as_of, row.days_1_30) == (TODAY, D("400"))
