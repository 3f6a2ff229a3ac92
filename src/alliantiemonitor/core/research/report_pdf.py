"""The study report's HTML page as a PDF, with WeasyPrint (figures stay vector graphics).

WeasyPrint needs the system's Pango (``scripts/install-system-packages.sh --runtime`` installs
it); without it, importing WeasyPrint fails with an ``OSError``. That is
:class:`PdfUnavailable` here, so a caller can still hand out the HTML page.
"""

from __future__ import annotations

from typing import Any

#: Paper and type for print: A4, small enough type that the widest table fits the page.
PRINT_STYLE = """
@page{size:A4;margin:14mm 12mm}
body{margin:0;max-width:none;font-size:8.5pt}
table{font-size:7.5pt}
svg{max-width:100%;height:auto}
section{break-inside:auto}
h2,h3,caption,figcaption{break-after:avoid}
figure,tr{break-inside:avoid}
"""


class PdfUnavailable(Exception):
    """WeasyPrint (or the system libraries it needs) cannot be loaded; the reason is the text."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"WeasyPrint cannot be loaded: {exc}") from exc
    return weasyprint


def _refuse(url: str) -> dict[str, Any]:
    # The page is self-contained; a URL in it came from data and must not be fetched.
    raise ValueError(f"the report loads nothing from outside, not {url!r}")


def html_to_pdf(page: str, *, style: str = PRINT_STYLE) -> bytes:
    """Render a self-contained HTML page as PDF bytes; nothing is fetched from anywhere.

    ``style`` is the print style sheet (paper size, type); the study report's by default.
    """
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=page, url_fetcher=_refuse)
    pdf: bytes = document.write_pdf(stylesheets=[weasyprint.CSS(string=style)])
    return pdf
