"""HTML report -> PDF with WeasyPrint: A4, page numbers ("Seite n von m") and a table of
contents whose page numbers come from CSS ``target-counter`` (see ``report.css``)."""

from __future__ import annotations

import logging
from pathlib import Path

from kekiz.domain.extras import require

__all__ = ["html_to_pdf"]


def html_to_pdf(html: str, out: Path | None = None) -> bytes:
    """The PDF of a self-contained report (no external resources are fetched)."""
    weasyprint = require("pdf")
    HTML = weasyprint.HTML

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"external resource refused: {url}")

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    data: bytes = HTML(string=html, url_fetcher=no_fetch).write_pdf()
    if out is not None:
        out.write_bytes(data)
    return data
