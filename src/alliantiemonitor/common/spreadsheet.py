"""CSV cells that a spreadsheet shows as text, never runs as a formula."""

from __future__ import annotations

#: What a spreadsheet reads as the start of a formula (a leading tab or carriage return is
#: dropped before it looks).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """``value`` with a leading apostrophe when it would start a formula ("=HYPERLINK(…)")."""
    return f"'{value}" if value[:1] in _FORMULA_STARTS else value
