"""Showing the report's ISO dates and times the way the rest of the product does."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def iso_readable(value: str | None) -> str:
    """``2026-03-01`` → "1 maart 2026"; ``2026-03-01T10:15:00+01:00`` adds the time."""
    if not value:
        return "–"
    try:
        if "T" in value:
            moment = dt.datetime.fromisoformat(value)
            return date_format(moment, "DATETIME_FORMAT")
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value
