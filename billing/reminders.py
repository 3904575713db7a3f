"""Reminders about invoices: coming due, then the dunning levels once overdue.

The rule's name and object keys were given when invoices lived in the budgets app; the sent
reminders are keyed by them, so they stay."""

from datetime import timedelta

from django.db.models import Case, CharField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications import registry
from notifications.models import Kind
from teams.models import User
from teams.roles import Role

from . import selectors
from .models import Invoice

# Days from the due date: 3 before it, then the dunning levels after it.
DUNNING_BEFORE = 3
DUNNING_LEVELS = [1, 15, 30, 60]
DIRECTOR_FROM = 30


class InvoiceDue(registry.Rule):
    """An open invoice 3 days before it is due, then 1, 15, 30 and 60 days after: to finance
    and the client's lead AE, and from 30 days to the account director too. A reminder goes
    for the highest level reached, so an invoice found late does not get every earlier one."""

    name = "budgets.invoice_due"
    kind = Kind.COLLECTIONS

    def due(self, now, *, only=None):
        today = timezone.localdate(now)
        invoices = selectors.open_invoices(Invoice.objects.all()).filter(
            due_date__lte=today + timedelta(days=DUNNING_BEFORE)
        )
        if only is not None:
            invoices = invoices.filter(pk__in=only)
        day = timedelta(days=1)
        level = Case(
            *(
                When(due_date__lte=today - days * day, then=Value(f"after{days}"))
                for days in reversed(DUNNING_LEVELS)
            ),
            default=Value("before"),
            output_field=CharField(),
        )
        key = registry.key_on(level, "due_date")
        invoices = registry.unsent(invoices, self.name, "budgets.invoice", key)
        rows = list(
            invoices.values(
                "pk",
                "number",
                "due_date",
                "total",
                "amount_paid",
                "client__name",
                "client__currency",
                "client__lead_ae_id",
                "client__account_director_id",
            )
        )
        if not rows:
            return
        finance = list(
            User.objects.filter(role=Role.FINANCE, is_active=True).values_list("pk", flat=True)
        )
        for invoice in rows:
            days = (today - invoice["due_date"]).days
            reached = [level for level in DUNNING_LEVELS if days >= level]
            level = f"after{reached[-1]}" if reached else "before"
            recipients = [*finance, invoice["client__lead_ae_id"]]
            if days >= DIRECTOR_FROM and invoice["client__account_director_id"]:
                recipients.append(invoice["client__account_director_id"])
            yield registry.Due(
                registry.object_key("budgets.invoice", invoice["pk"]),
                f"{level}:{invoice['due_date']}",
                recipients,
                reverse("billing:invoice_detail", args=[invoice["pk"]]),
                {
                    "number": invoice["number"],
                    "client": invoice["client__name"],
                    "due": invoice["due_date"].isoformat(),
                    "days": days,
                    "outstanding": f"{invoice['total'] - invoice['amount_paid']:,.2f}",
                    "currency": invoice["client__currency"],
                },
            )

    def message(self, due):
        values = {**due.data, "days": abs(due.data["days"])}
        if due.data["days"] <= 0:
            title = _("Invoice %(number)s to %(client)s is due %(due)s") % values
        else:
            title = (
                ngettext(
                    "Invoice %(number)s to %(client)s is %(days)s day overdue (due %(due)s)",
                    "Invoice %(number)s to %(client)s is %(days)s days overdue (due %(due)s)",
                    values["days"],
                )
                % values
            )
        return title, _("Outstanding: %(outstanding)s %(currency)s") % values


registry.register(InvoiceDue())
