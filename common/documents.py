"""Documents the client receives (estimates, change orders, invoices) as PDF, the one way the
portal makes them: a template under templates/documents/ rendered in the client's language,
with the agency's letterhead (settings.AGENCY_LETTERHEAD), turned into PDF by WeasyPrint
(common/pdf.py, imported by the first document a process makes).

WeasyPrint loads nothing but the portal's own static files, named `static:<path>`: no address
in a document, typed by a user or set by mistake, makes the server fetch a URL or read a file.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header

STATIC = "static:"
PDF = "application/pdf"


def letterhead(language: str) -> dict:
    """The agency's name, address and payment details, in `language` where they have it."""
    agency = settings.AGENCY_LETTERHEAD
    chinese = language.startswith("zh")
    return {
        **agency,
        "name": (chinese and agency.get("name_zh")) or agency["name"],
        "address": (chinese and agency.get("address_zh")) or agency["address"],
        "bank": (chinese and agency.get("bank_zh")) or agency["bank"],
        "logo": f"{STATIC}{agency['logo']}" if agency.get("logo") else "",
    }


def render_pdf(template_name: str, context: dict, *, language: str) -> bytes:
    """The document as PDF, its text in `language` (a code of settings.LANGUAGES)."""
    with translation.override(language):
        html = render_to_string(
            template_name, {"agency": letterhead(language), "language": language, **context}
        )
    # WeasyPrint takes a second and some 40 MiB to import: only a process that makes a
    # document pays for it.
    from common.pdf import html_to_pdf

    return html_to_pdf(html)


def pdf_response(pdf: bytes, filename: str, *, download: bool) -> HttpResponse:
    """The PDF shown in the browser, or saved under `filename` when `download`."""
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(download, filename)
    return response
