import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing import selectors, services
from billing.models import ClientAging, CreditNote, Invoice, Payment
from common.errors import StaleEdit
from tests.factories import (
    ClientFactory,
    ContactFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)
from tests.routes import outsider_get_status
from tests.run_day import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_the_run_day")]

D = Decimal


@pytest.fixture
def finance():
    return UserFactory(role="finance", full_name="Liu Yang")


@pytest.fixture
def acme():
    return ClientFactory(name="Acme", payment_terms_days=30)


def draft(client_obj, finance, amount="1000"):
    return services.invoice_create(
        client=client_obj,
        created_by=finance,
        issue_date=TODAY - dt.timedelta(days=40),
        lines=[("Fee", D(amount))],
        tax_rate=D("0"),
    )


def change(invoice, editor, **fields):
    values = {
        "fapiao_number": invoice.fapiao_number,
        "issue_date": invoice.issue_date,
        "tax_rate": invoice.tax_rate,
        "project": invoice.project,
        "lines": [(line.description, line.amount) for line in invoice.lines.all()],
    }
    values.update(fields)
    return services.invoice_update(
        invoice=invoice, editor=editor, revision=invoice.revision, **values
    )


def test_a_draft_changes_its_lines_tax_and_dates_and_the_totals_follow(acme, finance):
    invoice = draft(acme, finance)
    project = ProjectFactory(client=acme)

    change(
        invoice,
        finance,
        issue_date=TODAY,
        tax_rate=D("6"),
        project=project,
        lines=[("Strategy", D("10000")), ("Key visual", D("5000"))],
    )

    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (D("15000"), D("900"), D("15900"))
    assert invoice.due_date == TODAY + dt.timedelta(days=30)
    assert invoice.project == project
    assert [line.description for line in invoice.lines.all()] == ["Strategy", "Key visual"]


def test_a_sent_invoice_takes_a_fapiao_number_but_keeps_its_lines(acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)

    with pytest.raises(services.Refused, match="A sent invoice keeps its lines"):
        change(invoice, finance, lines=[("Fee", D("2000"))])
    services.invoice_update(
        invoice=invoice, editor=finance, revision=invoice.revision, fapiao_number=" 04400190 "
    )

    invoice.refresh_from_db()
    assert invoice.fapiao_number == "04400190"
    assert invoice.total == D("1000")


def test_the_second_of_two_stale_invoice_edits_is_refused_naming_the_first(acme, finance):
    invoice = draft(acme, finance)
    opened = Invoice.objects.get(pk=invoice.pk)
    colleague = UserFactory(role="finance", full_name="Wang Fang")
    change(invoice, colleague, fapiao_number="111")

    with pytest.raises(StaleEdit, match="Wang Fang changed this invoice") as refusal:
        change(opened, finance, fapiao_number="222")

    invoice.refresh_from_db()
    assert invoice.fapiao_number == "111"
    assert refusal.value.revision == invoice.revision


def test_a_payment_on_a_draft_or_written_off_invoice_is_refused(acme, finance):
    invoice = draft(acme, finance)
    with pytest.raises(services.Refused, match="draft"):
        services.payment_record(
            invoice=invoice, recorded_by=finance, paid_on=TODAY, amount=D("800"), method="cash"
        )
    services.invoice_send(invoice=invoice, sent_by=finance)
    services.invoice_write_off(invoice=invoice, written_off_by=finance, reason="Client closed")
    with pytest.raises(services.Refused, match="written off"):
        services.payment_record(
            invoice=invoice, recorded_by=finance, paid_on=TODAY, amount=D("800"), method="cash"
        )
    assert not Payment.objects.exists()


def test_only_finance_changes_an_invoice(acme, finance):
    invoice = draft(acme, finance)
    with pytest.raises(services.Refused):
        change(invoice, acme.lead_ae, fapiao_number="1")


def test_writing_off_takes_the_rest_out_of_the_aging_and_keeps_what_was_paid(acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)
    services.payment_record(
        invoice=invoice, recorded_by=finance, paid_on=TODAY, amount=D("300"), method="cash"
    )

    services.invoice_write_off(invoice=invoice, written_off_by=finance, reason="Client closed")

    invoice.refresh_from_db()
    assert invoice.status(TODAY) == Invoice.Status.WRITTEN_OFF
    assert invoice.amount_paid == D("300")
    assert invoice.write_off_reason == "Client closed"
    assert not selectors.open_invoices(Invoice.objects.all()).exists()
    with pytest.raises(services.Refused, match="takes no more payments"):
        services.payment_record(
            invoice=invoice, recorded_by=finance, paid_on=TODAY, amount=D("1"), method="cash"
        )
    with pytest.raises(services.Refused, match="no longer changes"):
        change(invoice, finance, fapiao_number="1")


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("draft", "A draft was never billed"),
        ("paid", "nothing is left to write off"),
        ("no reason", "Say why"),
        ("by an AE", "written off by finance"),
        ("twice", "written off already"),
    ],
)
def test_a_write_off_that_makes_no_sense_is_refused(acme, finance, situation, message):
    invoice = draft(acme, finance)
    if situation != "draft":
        services.invoice_send(invoice=invoice, sent_by=finance)
    if situation == "paid":
        services.payment_record(
            invoice=invoice, recorded_by=finance, paid_on=TODAY, amount=D("1000"), method="cash"
        )
    if situation == "twice":
        services.invoice_write_off(invoice=invoice, written_off_by=finance, reason="Gone")
    who = acme.lead_ae if situation == "by an AE" else finance

    with pytest.raises(services.Refused, match=message):
        services.invoice_write_off(
            invoice=invoice, written_off_by=who, reason="" if situation == "no reason" else "x"
        )
    invoice.refresh_from_db()
    assert (invoice.written_off_at is None) == (situation != "twice")


# Through the pages


def edit_form(invoice, **overrides):
    lines = list(invoice.lines.all())
    data = {
        "revision": invoice.revision,
        "project": invoice.project_id or "",
        "issue_date": invoice.issue_date.isoformat(),
        "tax_rate": str(invoice.tax_rate),
        "fapiao_number": invoice.fapiao_number,
        "lines-TOTAL_FORMS": str(len(lines) + 2),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
    }
    for index, line in enumerate(lines):
        data[f"lines-{index}-description"] = line.description
        data[f"lines-{index}-amount"] = str(line.amount)
    data.update(overrides)
    return data


def test_finance_changes_a_draft_invoice_through_its_form(client, acme, finance):
    invoice = draft(acme, finance)
    client.force_login(finance)

    change(invoice, finance, fapiao_number="044001900555")
    invoice.refresh_from_db()

    form = client.get(reverse("billing:invoice_update", args=[invoice.pk]))
    assert form.context["lines"].forms[0]["description"].value() == "Fee"
    assert f'value="{invoice.issue_date.isoformat()}"' in form.text
    assert 'value="044001900555"' in form.text
    page = client.post(
        reverse("billing:invoice_update", args=[invoice.pk]),
        edit_form(invoice, **{"lines-1-description": "Travel", "lines-1-amount": "250.50"}),
        follow=True,
    )

    invoice.refresh_from_db()
    assert invoice.total == D("1250.50")
    assert f"Invoice {invoice.number} saved." in page.text


def test_a_stale_invoice_edit_names_who_saved_first_and_keeps_what_was_typed(client, acme, finance):
    invoice = draft(acme, finance)
    opened = edit_form(invoice, fapiao_number="044001900999", **{"lines-0-amount": "1234"})
    change(invoice, UserFactory(role="finance", full_name="Wang Fang"), fapiao_number="111")
    client.force_login(finance)

    response = client.post(reverse("billing:invoice_update", args=[invoice.pk]), opened)

    assert "Wang Fang changed this invoice while you were editing it." in response.text
    assert 'value="044001900999"' in response.text
    assert 'value="1234.00"' in response.text
    invoice.refresh_from_db()
    assert invoice.fapiao_number == "111"

    client.post(
        reverse("billing:invoice_update", args=[invoice.pk]),
        {**opened, "revision": response.context["form"]["revision"].value()},
    )
    invoice.refresh_from_db()
    assert (invoice.fapiao_number, invoice.total) == ("044001900999", D("1234"))


def test_a_sent_invoice_form_offers_only_the_fapiao_number(client, acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)
    client.force_login(finance)

    page = client.get(reverse("billing:invoice_update", args=[invoice.pk]))
    # The hidden revision and what the form opened with let two editors keep both changes.
    assert set(page.context["form"].fields) == {"fapiao_number", "revision", "opened"}
    assert page.context["lines"] is None
    client.post(
        reverse("billing:invoice_update", args=[invoice.pk]),
        {"revision": invoice.revision, "fapiao_number": "044001900123", "lines-0-amount": "9"},
    )
    invoice.refresh_from_db()
    assert (invoice.fapiao_number, invoice.total) == ("044001900123", D("1000"))


def test_bad_input_on_an_invoice_edit_is_refused_next_to_the_field(client, acme, finance):
    invoice = draft(acme, finance)
    client.force_login(finance)

    response = client.post(
        reverse("billing:invoice_update", args=[invoice.pk]),
        edit_form(invoice, tax_rate="abc", **{"lines-0-amount": "-5"}),
    )

    assert "tax_rate" in response.context["form"].errors
    assert "amount" in response.context["lines"].forms[0].errors
    invoice.refresh_from_db()
    assert invoice.total == D("1000")


def test_finance_writes_an_invoice_off_with_a_reason(client, acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)
    client.force_login(finance)
    url = reverse("billing:invoice_write_off", args=[invoice.pk])

    empty = client.post(url, {"reason": " "})
    assert "reason" in empty.context["write_off_form"].errors
    started = timezone.now()
    page = client.post(url, {"reason": "Client went bankrupt"}, follow=True)

    invoice.refresh_from_db()
    assert started <= invoice.written_off_at <= timezone.now()
    assert page.context["status"] == Invoice.Status.WRITTEN_OFF
    assert "Client went bankrupt" in page.text
    assert client.get(reverse("billing:invoice_update", args=[invoice.pk])).status_code == 302


def test_an_ae_reads_the_invoice_history_but_changes_nothing(client, acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)
    client.force_login(acme.lead_ae)

    assert client.get(reverse("billing:invoice_history", args=[invoice.pk])).status_code == 200
    for name in ("invoice_update", "invoice_write_off", "invoice_send", "invoice_mark_sent"):
        url = reverse(f"billing:{name}", args=[invoice.pk])
        assert client.get(url).status_code == outsider_get_status(url)
        gao = ContactFactory(client=acme, email="gao@acme.example")
        data = {"reason": "x", "fapiao_number": "1", "contacts": [gao.pk]}
        assert client.post(url, data).status_code == 404
    client.force_login(UserFactory(role="ae"))
    for name in ("invoice_history", "invoice_update", "invoice_write_off", "invoice_send"):
        url = reverse(f"billing:{name}", args=[invoice.pk])
        assert client.get(url).status_code == outsider_get_status(url), name
    invoice.refresh_from_db()
    assert invoice.written_off_at is None
    assert invoice.fapiao_number == ""
    assert not mail.outbox


def test_the_invoice_history_says_who_changed_lines_and_payments(client, acme, finance):
    client.force_login(finance)
    invoice = draft(acme, finance)
    url = reverse("billing:invoice_update", args=[invoice.pk])
    client.post(
        url,
        edit_form(
            invoice,
            **{
                "lines-0-amount": "1500",
                "lines-1-description": "Travel",
                "lines-1-amount": "200",
            },
        ),
    )
    invoice.refresh_from_db()
    client.post(url, edit_form(invoice, **{"lines-1-description": "", "lines-1-amount": ""}))
    client.post(reverse("billing:invoice_mark_sent", args=[invoice.pk]))
    client.post(
        reverse("billing:payment_record", args=[invoice.pk]),
        {"paid_on": TODAY.isoformat(), "amount": "500", "method": "bank_transfer"},
    )

    page = client.get(reverse("billing:invoice_history", args=[invoice.pk]))

    rows = page.context["rows"]
    totals = [
        change
        for row in rows
        if row["what"] == "invoice" and row["who"] == "Liu Yang"
        for change in row["changes"]
        if change[0] == "total"
    ]
    assert totals == [("total", "1,700", "1,500"), ("total", "1,000", "1,700")]
    lines = [
        (row["created"], row["removed"], row["changes"])
        for row in rows
        if row["what"] == "invoice line" and row["who"] == "Liu Yang"
    ]
    assert lines == [
        (False, True, [("amount", None, "200"), ("description", None, "Travel")]),
        (True, False, [("amount", None, "200"), ("description", None, "Travel")]),
        (False, False, [("amount", "1,000", "1,500")]),
    ]
    payment = next(r for r in rows if r["what"] == "payment")
    assert payment["who"] == "Liu Yang"
    assert ("amount", None, "500") in payment["changes"]
    assert Payment.objects.get().amount == D("500")


def test_only_requests_that_change_something_tag_their_queries_for_the_history(
    client, acme, finance
):
    """The history's "who" comes from a tag sent before each query of a POST; a page that
    is only read sends none."""
    invoice = draft(acme, finance)
    client.force_login(finance)

    with CaptureQueriesContext(connection) as read:
        client.get(reverse("billing:invoice_history", args=[invoice.pk]))
    with CaptureQueriesContext(connection) as written:
        client.post(reverse("billing:invoice_mark_sent", args=[invoice.pk]))

    assert not [q for q in read.captured_queries if "pghistory.context" in q["sql"]]
    assert [q for q in written.captured_queries if "pghistory.context" in q["sql"]]
    rows = client.get(reverse("billing:invoice_history", args=[invoice.pk])).context["rows"]
    assert rows[0]["who"] == "Liu Yang"


def test_the_client_timeline_shows_invoices_to_those_who_see_the_money(client, acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance, amount="2500"), sent_by=finance)
    designer = UserFactory(role="staff")
    TaskFactory(project=ProjectFactory(client=acme), assignee=designer)

    client.force_login(acme.lead_ae)
    timeline = client.get(acme.get_absolute_url()).text
    assert f"Invoice {invoice.number}" in timeline
    assert "Overdue" in timeline
    assert "2,500.00" in timeline

    client.force_login(designer)
    page = client.get(acme.get_absolute_url())
    assert page.status_code == 200
    assert invoice.number not in page.text


def test_a_sent_invoice_is_cancelled_by_a_credit_note_and_leaves_the_money(client, acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance, amount="1200"), sent_by=finance)
    assert ClientAging.objects.get(client=acme).total_outstanding == D("1200")
    client.force_login(finance)
    detail = reverse("billing:invoice_detail", args=[invoice.pk])
    url = reverse("billing:invoice_cancel", args=[invoice.pk])
    assert url in client.get(detail).text

    refused = client.post(url, {"cancel-reason": ""})
    assert list(refused.context["cancel_form"].errors) == ["reason"]
    page = client.post(url, {"cancel-reason": "Billed the wrong client entity"}, follow=True)
    # Cancelled: neither the form nor the note form is offered any more.
    assert 'id="id_cancel-reason"' not in page.text
    assert reverse("billing:collection_note_add", args=[invoice.pk]) not in page.text

    note = CreditNote.objects.get()
    assert note.number == f"CN-{TODAY.year}-00001"
    assert (note.invoice, note.amount) == (invoice, D("1200"))
    assert f"credit note {note.number}" in page.text
    assert "Billed the wrong client entity" in page.text
    invoice.refresh_from_db()
    assert invoice.status(TODAY) == Invoice.Status.CANCELLED
    aging = ClientAging.objects.get(client=acme)
    assert (aging.total_outstanding, aging.invoiced_recently) == (D("0"), D("0"))
    with pytest.raises(services.Refused, match="cancelled by a credit note"):
        services.payment_record(
            invoice=invoice, recorded_by=finance, paid_on=TODAY, amount=D("1"), method="cash"
        )
    with pytest.raises(services.Refused, match="cancelled by a credit note"):
        change(invoice, finance, fapiao_number="123")
    with pytest.raises(services.Refused, match="cancelled already"):
        services.invoice_cancel(invoice=invoice, cancelled_by=finance, reason="Again")


def test_an_invoice_is_cancelled_only_when_sent_and_unpaid(acme, finance):
    unsent = draft(acme, finance)
    with pytest.raises(services.Refused, match="draft"):
        services.invoice_cancel(invoice=unsent, cancelled_by=finance, reason="Wrong")
    paid = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)
    payment = services.payment_record(
        invoice=paid, recorded_by=finance, paid_on=TODAY, amount=D("100"), method="cash"
    )
    with pytest.raises(services.Refused, match="reverse the payments first"):
        services.invoice_cancel(invoice=paid, cancelled_by=finance, reason="Wrong")
    with pytest.raises(services.Refused):
        services.invoice_cancel(invoice=paid, cancelled_by=acme.lead_ae, reason="Wrong")

    services.payment_reverse(payment=payment, reversed_by=finance, reason="Refunded")
    note = services.invoice_cancel(invoice=paid, cancelled_by=finance, reason="Wrong")

    assert note.number.startswith("CN-")
    assert not CreditNote.objects.filter(invoice=unsent).exists()


def test_the_write_off_and_cancel_forms_name_their_reason_fields_apart(client, acme, finance):
    invoice = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)
    client.force_login(finance)

    page = client.get(reverse("billing:invoice_detail", args=[invoice.pk])).text

    assert page.count('id="id_reason"') == 1
    assert page.count('id="id_cancel-reason"') == 1


def test_the_write_off_and_credit_note_forms_stay_folded_until_wanted(client, acme, finance):
    """Both give money up: each waits behind its own button, and a form sent back with a
    problem comes back open, the problem shown."""
    invoice = services.invoice_send(invoice=draft(acme, finance), sent_by=finance)
    client.force_login(finance)

    page = client.get(reverse("billing:invoice_detail", args=[invoice.pk])).text
    assert page.count('<details class="folded-form">') == 2
    assert "Write off…</summary>" in page
    assert "Cancel with a credit note…</summary>" in page

    refused = client.post(reverse("billing:invoice_write_off", args=[invoice.pk]), {"reason": ""})
    assert refused.text.count('<details class="folded-form" open>') == 1
    assert refused.context["write_off_form"].errors["reason"]

    refused = client.post(
        reverse("billing:invoice_cancel", args=[invoice.pk]), {"cancel-reason": ""}
    )
    assert refused.text.count('<details class="folded-form" open>') == 1
    assert refused.context["cancel_form"].errors["reason"]


def test_saving_an_invoice_again_after_a_stale_edit_keeps_both_peoples_changes(
    client, acme, finance
):
    invoice = draft(acme, finance)
    url = reverse("billing:invoice_update", args=[invoice.pk])
    client.force_login(finance)
    opened = client.get(url).context["form"]["opened"].value()
    # What this person typed on the form as they opened it: only the fapiao number.
    typed = {**edit_form(invoice, fapiao_number="044001900777"), "opened": opened}
    change(
        invoice,
        UserFactory(role="finance", full_name="Wang Fang"),
        tax_rate=D("9"),
        lines=[("Fee", D("1000")), ("Travel", D("300"))],
    )

    refused = client.post(url, typed)

    assert "Wang Fang changed this invoice while you were editing it." in refused.text
    retry = refused.context["form"]
    assert D(retry["tax_rate"].value()) == D("9")
    assert retry["fapiao_number"].value() == "044001900777"
    assert [
        (line["description"].value(), D(line["amount"].value()))
        for line in refused.context["lines"].forms
        if line["description"].value()
    ] == [("Fee", D("1000")), ("Travel", D("300"))]
    assert "changed the lines too" not in refused.text

    again = {
        name: "" if value is None else str(value)
        for name, value in ((field.html_name, field.value()) for field in retry)
    }
    for form in refused.context["lines"].forms:
        again.update({field.html_name: field.value() or "" for field in form})
    again.update(
        {field.html_name: field.value() for field in refused.context["lines"].management_form}
    )
    client.post(url, again)
    invoice.refresh_from_db()
    assert (invoice.tax_rate, invoice.fapiao_number, invoice.subtotal) == (
        D("9"),
        "044001900777",
        D("1300"),
    )


def test_lines_both_people_changed_keep_yours_and_name_theirs(client, acme, finance):
    invoice = draft(acme, finance)
    url = reverse("billing:invoice_update", args=[invoice.pk])
    client.force_login(finance)
    opened = client.get(url).context["form"]["opened"].value()
    typed = {**edit_form(invoice, **{"lines-0-amount": "1200"}), "opened": opened}
    change(invoice, UserFactory(role="finance", full_name="Wang Fang"), lines=[("Fee", D("900"))])

    refused = client.post(url, typed)

    assert "Wang Fang changed the lines too; they saved: Fee 900.00. Yours are kept below." in (
        refused.text
    )
    assert D(refused.context["lines"].forms[0]["amount"].value()) == D("1200")
    invoice.refresh_from_db()
    assert invoice.subtotal == D("900")
