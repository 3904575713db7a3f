"""The demo agency's invoices: paid, part paid, overdue at every aging bucket, promised,
written off and drafted."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts import services as accounts
from accounts.demo import sample_pdf
from accounts.models import Client
from teams.models import User

from . import services
from .models import Invoice

D = Decimal


# client, days since issue, amount, share paid, collection note (contacted, outcome, promised
# in days from today)
INVOICES = [
    ("Qinghe Dairy", 10, "180000", "0", None),
    (
        "Qinghe Dairy",
        75,
        "420000",
        "0.5",
        ("Gao Yan", "Second half waits for the legal sign-off of the campaign.", 10),
    ),
    ("Xingtu Motors", 50, "960000", "0", ("Huang Bo", "Paying after the dealer audit.", 5)),
    ("Xingtu Motors", 20, "300000", "1", None),
    (
        "Yunshan Technology",
        100,
        "150000",
        "0.2",
        ("Ma Rui", "Disputes the extra shooting day; meeting next week.", None),
    ),
    ("Yuexiang Travel", 160, "88000", "0", ("Xu Lan", "Budget frozen until the new year.", 40)),
    ("Jincheng Insurance", 140, "64000", "0", ("Qian Hui", "No answer to two emails.", None)),
]


@transaction.atomic
def seed() -> None:
    if Invoice.objects.exists():
        return
    today = timezone.localdate()
    finance = User.objects.get(email="liu.yang@agency.example")
    for client_name, days_ago, amount, paid_share, note in INVOICES:
        client = Client.objects.get(name=client_name)
        issued = today - timedelta(days=days_ago)
        invoice = services.invoice_create(
            client=client,
            created_by=finance,
            issue_date=issued,
            lines=[(f"Agency fee, {issued:%B %Y}", D(amount))],
            tax_rate=D("6"),
            fapiao_number=f"0440019{days_ago:05d}",
        )
        services.invoice_send(invoice=invoice, sent_by=finance)
        accounts.attachment_add(
            kind="invoice",
            owner=invoice,
            upload=ContentFile(
                sample_pdf(f"Purchase order for {invoice.number}"),
                name=f"PO {invoice.number} signed.pdf",
            ),
            uploaded_by=finance,
        )
        if D(paid_share):
            services.payment_record(
                invoice=invoice,
                recorded_by=finance,
                paid_on=issued + timedelta(days=7),
                amount=(invoice.total * D(paid_share)).quantize(D("0.01")),
                method="bank_transfer",
            )
        if note:
            contacted, outcome, promised_in = note
            services.collection_note_add(
                invoice=invoice,
                written_by=finance,
                contacted=contacted,
                outcome=outcome,
                promised_on=today + timedelta(days=promised_in) if promised_in else None,
            )
    # The rates finance keeps for clients billed in other currencies.
    for currency, rate in (("USD", "7.12"), ("HKD", "0.91"), ("EUR", "7.74")):
        services.exchange_rate_record(
            currency=currency,
            valid_from=today.replace(month=1, day=1),
            rate=D(rate),
            recorded_by=finance,
        )
    # One the agency gave up on, and one still being drafted.
    lost = services.invoice_create(
        client=Client.objects.get(name="Yuexiang Travel"),
        created_by=finance,
        issue_date=today - timedelta(days=300),
        lines=[("Trade show stand, rebooked", D("36000"))],
        tax_rate=D("6"),
    )
    services.invoice_send(invoice=lost, sent_by=finance)
    services.invoice_write_off(
        invoice=lost,
        written_off_by=finance,
        reason="The show was cancelled; the client will not pay the rebooking.",
    )
    services.invoice_create(
        client=Client.objects.get(name="Qinghe Dairy"),
        created_by=finance,
        issue_date=today,
        lines=[("Agency fee, research phase", D("60000")), ("Focus groups", D("24000"))],
        tax_rate=D("6"),
    )
    services.dso_months_refresh(today=today)
