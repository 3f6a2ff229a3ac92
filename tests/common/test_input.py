"""The input helpers every service checks its arguments with."""

from __future__ import annotations

import datetime as dt

import pytest

from alliantiemonitor.common.input import (
    InvalidInput,
    clean_bool,
    clean_datetime,
    clean_mapping,
    clean_text,
    clean_timedelta,
)

RTL_OVERRIDE = "\u202e"
ISOLATE = "\u2067"


@pytest.mark.parametrize("character", [RTL_OVERRIDE, ISOLATE, "\u202a", "\u2069"])
def test_single_line_text_refuses_direction_controls(character):
    with pytest.raises(InvalidInput, match="Name"):
        clean_text(f"Jan{character}nevE", field="Name", max_length=50)


def test_multi_line_text_keeps_direction_controls():
    text = f"Afspraak:\n{ISOLATE}שלום\u2069 tot volgende week"
    assert clean_text(text, field="Note", max_length=200, multiline=True) == text


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_is_a_bool(value):
    assert clean_bool(value, field="Digest") is value


@pytest.mark.parametrize("value", ["false", "true", 0, 1, None, "maybe"])
def test_anything_else_is_no_bool(value):
    with pytest.raises(InvalidInput, match="Digest"):
        clean_bool(value, field="Digest")


def test_an_aware_datetime_is_kept():
    moment = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert clean_datetime(moment, field="At") == moment


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 3, 1, 9, 30),  # naive
        dt.date(2026, 3, 1),
        "2026-03-01T09:30:00+00:00",
        dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-12))),
        dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=14))),
    ],
)
def test_other_moments_are_refused(value):
    with pytest.raises(InvalidInput, match="At"):
        clean_datetime(value, field="At")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (dt.timedelta(hours=1), True),
        (dt.timedelta(days=2), True),
        (dt.timedelta(hours=1) - dt.timedelta(microseconds=1), False),
        (dt.timedelta(days=2, microseconds=1), False),
        (dt.timedelta(seconds=-1), False),
        (3600, False),
    ],
)
def test_a_duration_must_lie_within_the_bounds(value, ok):
    bounds = {"minimum": dt.timedelta(hours=1), "maximum": dt.timedelta(days=2)}
    if ok:
        assert clean_timedelta(value, field="Validity", **bounds) == value
    else:
        with pytest.raises(InvalidInput, match="Validity"):
            clean_timedelta(value, field="Validity", **bounds)


def test_a_mapping_needs_text_keys():
    assert clean_mapping({"a": 1}, field="Values") == {"a": 1}
    for value in ({1: 2}, [("a", 1)], "a", None):
        with pytest.raises(InvalidInput, match="Values"):
            clean_mapping(value, field="Values")
