"""One rounding rule and one notation for every score, and one date format per context."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from alliantiemonitor.common.formatting import (
    date_compact,
    date_long,
    score_text,
    signed_score_text,
)
from alliantiemonitor.core.rounding import round_score


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.75, Decimal("3.8")),  # half up, not truncated (3,7) and not half to even
        (3.25, Decimal("3.3")),
        (2.45, Decimal("2.5")),  # 2.45 is 2.4500000000000001776… as a float
        (3.65, Decimal("3.7")),  # 3.65 is 3.6499999999999999112… as a float
        (3.4 - 3.25, Decimal("0.2")),  # 0.1499999999999999 is a difference of 0.15
        (2.8 - 2.75, Decimal("0.1")),  # 0.04999999999999982 is a difference of 0.05
        (11 / 3, Decimal("3.7")),
        (0.0, Decimal("0.0")),
        (-0.15, Decimal("-0.2")),  # symmetric: half away from zero
        (-0.04, Decimal("0.0")),  # no "-0,0"
        (5.0, Decimal("5.0")),
    ],
)
def test_round_score_rounds_the_exact_value_half_up(value, expected):
    assert round_score(value) == expected
    assert str(round_score(value)) == str(expected)


@given(total=st.integers(min_value=1, max_value=100), count=st.integers(min_value=1, max_value=20))
def test_round_score_of_a_mean_of_answers_is_exact(total, count):
    """A mean of whole answers, rounded on its exact value (fractions, no floats)."""
    floor = total * 10 // count
    remainder = total * 10 - floor * count
    expected = floor + (1 if 2 * remainder >= count else 0)
    assert round_score(total / count) == Decimal(expected) / 10


def test_score_text_uses_the_languages_decimal_mark():
    with translation.override("nl"):
        assert score_text(3.75) == "3,8"
        assert score_text(None) == "—"
        assert signed_score_text(3.4 - 3.25) == "+0,2"
        assert signed_score_text(-1.25) == "−1,3"
        assert signed_score_text(0.04) == "±0,0"
    with translation.override("en"):
        assert score_text(3.75) == "3.8"


def test_score_filter_in_templates():
    template = Template("{% load am_format %}{{ a|score }} {{ b|score }}")
    with translation.override("nl"):
        assert template.render(Context({"a": 3.75, "b": None})) == "3,8 —"


def test_dates_in_dutch_have_lower_case_months():
    day = dt.date(2026, 10, 3)
    with translation.override("nl"):
        assert date_long(day) == "3 oktober 2026"
        assert date_compact(day) == "3 okt 2026"
        rendered = Template("{% load am_format %}{{ d|date_compact }} · {{ d|date_long }}").render(
            Context({"d": day})
        )
        assert rendered == "3 okt 2026 · 3 oktober 2026"
    with translation.override("en"):
        assert date_long(day) == "3 October 2026"


def test_formatted_once_per_value_and_language_and_still_right_in_each():
    """Texts are kept per value and active language: switching back and forth, in any order,
    and for values of other types that are equal, every text stays the language's own."""
    day = dt.date(2026, 3, 4)
    for _ in range(2):
        with translation.override("en"):
            assert date_compact(day) == "4 March 2026"
            assert score_text(Decimal("2.45")) == "2.5"
        with translation.override("nl"):
            assert date_compact(day) == "4 mrt 2026"
            assert score_text(2.45) == score_text(Decimal("2.45")) == "2,5"
            assert score_text(0.15) == score_text(Decimal("0.15")) == "0,2"
            assert score_text(3) == score_text(3.0) == score_text(Decimal(3)) == "3,0"
    # What is kept is what the rule gives, value by value.
    with translation.override("nl"):
        for value in (11 / 3, 3.65, -0.15, 2.8 - 2.75, Decimal("1.25"), 4):
            expected = str(round_score(value)).replace(".", ",")
            assert score_text(value) == score_text(value) == expected


def test_a_moment_is_dated_by_the_day_where_the_reader_is():
    late = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)  # already the 5th in Amsterdam
    with translation.override("nl"):
        assert date_compact(late) == "5 mrt 2026"
        assert date_long(late) == "5 maart 2026"
        assert date_compact(late.replace(tzinfo=None)) == "4 mrt 2026"  # naive: as given
