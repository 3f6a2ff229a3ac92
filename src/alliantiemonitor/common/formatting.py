"""How numbers and dates read on every page: one function per kind, used by templates
(through the ``am_format`` filters), charts and their text tables alike.

Scores: :func:`~alliantiemonitor.core.rounding.round_score` (one decimal, half up on the exact
value) in the active language's notation — "3,8" in Dutch, "3.8" in English.

Dates, one format per context:

* :func:`date_long` in sentences, headings and facts: "3 oktober 2026";
* :func:`date_compact` in tables, lists and chart labels: "3 okt 2026";
* :func:`datetime_long` when the time matters: "3 oktober 2026, 14:05".

Dutch month names are lower case in both; Django's ``M`` format capitalises them ("Okt"),
so it is not used.

Tables repeat the same few dates and scores on every row and every page, and Django's
formatting takes tens of microseconds per value (a translated month name, the language's
number notation, exact rounding). Scores and dates are therefore formatted once per value
and active language and then looked up (:func:`_score_in`, :func:`_date_in`): the text
depends on nothing else.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.instrument import pick_language
from alliantiemonitor.core.rounding import round_score

#: A dash for "no score", so an empty cell is never mistaken for a zero.
NO_SCORE = "—"

DATE_LONG = "j F Y"
DATE_COMPACT = "j N Y"
DATETIME_LONG = "j F Y, H:i"


def score_text(value: float | None, places: int = 1) -> str:
    """A score or a difference with one decimal in the active language's notation, or a dash.

    ``places`` is for the rare figure that needs more (a measurement-noise threshold), so
    that it is rounded by the same rule.
    """
    if value is None or value == "":
        return NO_SCORE
    return _score_in(value, type(value), places, get_language())


@functools.lru_cache(maxsize=16384)
def _score_in(value: Any, kind: type, places: int, language: str | None) -> str:
    """``value`` rounded and written as ``language`` writes numbers (called in that language).

    The type is part of the key: a float and a Decimal of exactly the same value compare
    equal, but ``round_score`` reads a float by its shortest decimal (0.15, not the binary
    0.1499…), so the two may round apart.
    """
    return str(number_format(round_score(value, places), places))


def signed_score_text(value: float) -> str:
    """A change with its sign: "+1,2", "−0,4" (a real minus sign), "±0,0"."""
    rounded = round_score(value)
    sign = "+" if rounded > 0 else ("−" if rounded < 0 else "±")
    return f"{sign}{number_format(abs(rounded), 1)}"


def date_long(value: dt.date | dt.datetime | None) -> str:
    return "" if value is None else _date_in(_day(value), DATE_LONG, get_language())


def date_compact(value: dt.date | dt.datetime | None) -> str:
    return "" if value is None else _date_in(_day(value), DATE_COMPACT, get_language())


@functools.lru_cache(maxsize=16384)
def _date_in(day: dt.date, pattern: str, language: str | None) -> str:
    """``day`` in ``pattern`` with ``language``'s month names (called in that language)."""
    return date_format(day, pattern)


def _day(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of ``value`` where the reader is (an aware moment in the current time
    zone, as the ``date`` filter does); the date formats show nothing finer."""
    local = _local(value)
    return local.date() if isinstance(local, dt.datetime) else local


def datetime_long(value: dt.datetime | None) -> str:
    return "" if value is None else date_format(_local(value), DATETIME_LONG)


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """An aware moment in the current time zone (as the ``date`` filter does)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def instrument_name(measurement_round: Any) -> str:
    """The questionnaire of a round in words: "Alliantiemonitor — standaard, versie 1.0.0".

    Never the technical reference (``standaard@1.0.0``); a variant that is no longer
    installed still shows its id, so the page does not break.
    """
    try:
        title = pick_language(measurement_round.instrument.title, current_language())
    except KeyError:
        title = measurement_round.instrument_id
    return _("%(title)s, version %(version)s") % {
        "title": title,
        "version": measurement_round.instrument_version,
    }
