"""Pictograms inlined in the page: no request per picture on the easy-read questionnaire.

The easy-read page shows a pictogram and five faces; as image files that was six requests on
a first load, for pictures of some 350 bytes each. Inlined they cost nothing extra to fetch
and compress with the page. They are decoration beside text that says the same, so they are
hidden from assistive technology.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

PICTOGRAM_DIR = Path(__file__).resolve().parent.parent / "static" / "measurements" / "pictograms"
_NAME = re.compile(r"[a-z0-9-]+")
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


@lru_cache(maxsize=64)
def _svg_body(name: str) -> str | None:
    """The SVG of pictogram ``name`` without its opening ``<svg`` and size, or None."""
    if not _NAME.fullmatch(name):
        return None
    path = PICTOGRAM_DIR / f"{name}.svg"
    if not path.is_file():
        return None
    svg = path.read_text(encoding="utf-8").strip()
    opening, rest = svg.split(">", 1)
    return _SIZE.sub("", opening.removeprefix("<svg")) + ">" + rest


@register.simple_tag
def pictogram(name: str, css_class: str, size: int) -> SafeString:
    """The pictogram ``name`` as inline SVG of ``size`` pixels, hidden from screen readers."""
    body = _svg_body(str(name))
    if body is None:
        return mark_safe("")
    opening = format_html(
        '<svg class="{}" width="{}" height="{}" aria-hidden="true" focusable="false"',
        css_class,
        size,
        size,
    )
    # The file is our own static SVG (no script, no ids), read from the app's folder.
    return mark_safe(opening + body)  # noqa: S308


_ATTRIBUTE = re.compile(r'([a-zA-Z:-]+)="([^"]*)"')


@lru_cache(maxsize=64)
def _symbol(name: str) -> str:
    """Pictogram ``name`` as an SVG ``<symbol>``; its drawing attributes on a group inside."""
    body = _svg_body(name)
    if body is None:
        return ""
    opening, rest = body.split(">", 1)
    attributes = dict(_ATTRIBUTE.findall(opening))
    view_box = attributes.pop("viewBox", "0 0 64 64")
    attributes.pop("xmlns", None)
    drawing = " ".join(f'{key}="{value}"' for key, value in attributes.items())
    inner = rest.removesuffix("</svg>")
    return f'<symbol id="am-pic-{name}" viewBox="{view_box}"><g {drawing}>{inner}</g></symbol>'


@register.simple_tag
def pictogram_symbols(names: Iterable[str | None]) -> SafeString:
    """Define the pictograms ``names`` once on the page, for :func:`pictogram_use` to draw.

    The card game shows the five faces on every card's answers and on every pile: drawn by
    reference, twenty cards cost a few bytes each instead of five whole pictures.
    """
    symbols = "".join(_symbol(str(name)) for name in dict.fromkeys(names) if name)
    if not symbols:
        return mark_safe("")
    # Our own static SVGs (no script), read from the app's folder.
    return mark_safe(  # noqa: S308
        f'<svg class="am-pictogram-symbols" aria-hidden="true" focusable="false">{symbols}</svg>'
    )


@register.simple_tag
def pictogram_use(name: str, css_class: str, size: int) -> SafeString:
    """The pictogram ``name`` drawn from the page's :func:`pictogram_symbols`."""
    if _svg_body(str(name)) is None:
        return mark_safe("")
    return format_html(
        '<svg class="{}" width="{}" height="{}" aria-hidden="true" focusable="false">'
        '<use href="#am-pic-{}"></use></svg>',
        css_class,
        size,
        size,
        name,
    )
