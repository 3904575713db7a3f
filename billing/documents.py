"""The invoice as the client receives it, in PDF."""

from common.documents import render_pdf

from .models import Invoice


def invoice_pdf(invoice: Invoice) -> bytes:
    return render_pdf(
        "documents/invoice.html",
        {
            "invoice": invoice,
            "client": invoice.client,
            "project": invoice.project,
            "lines": invoice.lines.all(),
            "draft": invoice.sent_at is None,
        },
        language=invoice.client.language,
    )
