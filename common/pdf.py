"""WeasyPrint, behind common.documents: HTML to PDF, loading only the portal's static files."""

import mimetypes
from functools import lru_cache
from pathlib import Path

import weasyprint
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from common.documents import STATIC


class StaticFilesOnly(URLFetcher):
    """Serves `static:<path>` from the static files and refuses every other address."""

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC):
            raise ValueError(f"documents load only static files, not {url[:80]}")
        try:
            found = finders.find(url.removeprefix(STATIC))
        except SuspiciousFileOperation:
            found = None
        if not found:
            raise ValueError(f"no static file {url[:80]}")
        path = Path(found)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})


@lru_cache(maxsize=32)
def html_to_pdf(html: str) -> bytes:
    """The PDF of the HTML. A document costs WeasyPrint a tenth of a second or more, and is
    often asked for twice in a row (PDF, then Download): the same HTML is the same PDF, so a
    process keeps its last few."""
    return weasyprint.HTML(string=html, url_fetcher=StaticFilesOnly()).write_pdf()
