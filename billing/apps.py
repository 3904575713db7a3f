from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from django.urls import reverse

        from accounts import attachments
        from teams import permissions

        from . import selectors
        from .models import Invoice

        attachments.register(
            "invoice",
            Invoice,
            visible=selectors.visible_invoices,
            editable=lambda user: (
                selectors.visible_invoices(user)
                if permissions.handles_collections(user)
                else Invoice.objects.none()
            ),
            client=lambda invoice: invoice.client,
            url=lambda invoice: reverse("billing:invoice_detail", args=[invoice.pk]),
        )
