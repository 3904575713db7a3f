"""What a PDF the portal made says, as text, for tests to read."""

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """The text of every page, in order, with runs of white space as one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
