"""Reading the PDFs the product makes, for tests: text, positions and fonts (pypdf)."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from pypdf import PdfReader

#: Arabic letters (the basic block and the presentation forms a shaped PDF may map back to).
ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    """``text`` with every run of white space (line breaks too) as one space."""
    return " ".join(text.split())


def pdf_runs(content: bytes) -> list[tuple[int, float, float, str]]:
    """Every piece of text in the PDF as (page, x, y, text); y grows upwards on a page."""
    runs: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, number: int = number) -> None:
            if text.strip():
                runs.append((number, tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text.strip()))

        page.extract_text(visitor_text=visit)
    return runs


def pdf_fonts(content: bytes) -> set[str]:
    """The base names of every font the PDF's pages use (subset prefix removed)."""
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def arabic_words(text: str) -> list[str]:
    """The words of ``text`` that text extraction gives back letter for letter.

    A shaped PDF keeps the lam-alef ligature and a letter with a vowel mark as one glyph,
    which extraction may give back in another order; the other words come back whole.
    """
    return [
        word.strip(".,:;؟،()«»")
        for word in text.split()
        if "لا" not in word
        and "لأ" not in word
        and "لإ" not in word
        and "لآ" not in word
        and not any(unicodedata.combining(char) for char in word)
        and ARABIC.search(word)
    ]


def circle_row(runs: list[tuple[int, float, float, str]], page: int = 0) -> list[tuple[float, str]]:
    """The first row of answer circles on ``page``: (x, digit) for 1–5 and 0, in x order."""
    digits = {"1", "2", "3", "4", "5", "0"}
    rows: dict[float, list[tuple[float, str]]] = {}
    for p, x, y, text in runs:
        if p == page and text in digits:
            rows.setdefault(round(y, 1), []).append((x, text))
    for _y, row in sorted(rows.items(), reverse=True):
        if {text for _x, text in row} == digits:
            return sorted(row)
    raise AssertionError("no row of answer circles found")
