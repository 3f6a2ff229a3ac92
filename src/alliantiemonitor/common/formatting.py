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
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
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
    return str(number_format(round_score(value, places), places))


def signed_score_text(value: float) -> str:
    """A change with its sign: "+1,2", "−0,4" (a real minus sign), "±0,0"."""
    rounded = round_score(value)
    sign = "+" if rounded > 0 else ("−" if rounded < 0 else "±")
    return f"{sign}{number_format(abs(rounded), 1)}"


def date_long(value: dt.date | dt.datetime | None) -> str:
    return "" if value is None else date_format(_local(value), DATE_LONG)


def date_compact(value: dt.date | dt.datetime | None) -> str:
    return "" if value is None else date_format(_local(value), DATE_COMPACT)


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
