"""The schedule rules: when a round is due and when it is overdue (core/schedule.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliantiemonitor.core.schedule import (
    BEFORE_END,
    HANDOVER,
    INTERVAL,
    START,
    ScheduleRule,
    due_info,
    open_occasions,
)

START_DAY = dt.date(2025, 1, 6)
RULE = ScheduleRule(at_start=True, every_weeks=12, after_handover_weeks=4, before_end_weeks=4)


def d(days: int) -> dt.date:
    return START_DAY + dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("today", "rounds", "handovers", "planned_end", "expected"),
    [
        # No round yet: the start round is due at once, overdue after two weeks.
        (d(0), [], [], None, (START, d(0), d(14), True, False)),
        (d(15), [], [], None, (START, d(0), d(14), True, True)),
        # Start met: the next round is 12 weeks after it, not due before then.
        (d(10), [d(2)], [], None, (INTERVAL, d(86), d(100), False, False)),
        (d(90), [d(2)], [], None, (INTERVAL, d(86), d(100), True, False)),
        (d(101), [d(2)], [], None, (INTERVAL, d(86), d(100), True, True)),
        # A handover after the last round: a round within four weeks.
        (d(40), [d(2)], [d(30)], None, (HANDOVER, d(30), d(58), True, False)),
        (d(60), [d(2)], [d(30)], None, (HANDOVER, d(30), d(58), True, True)),
        # A round after the handover meets it.
        (d(40), [d(2), d(35)], [d(30)], None, (INTERVAL, d(119), d(133), False, False)),
        # Planned end: four weeks before it; no interval round at or after the end.
        (d(50), [d(2)], [], d(80), (BEFORE_END, d(52), d(80), False, False)),
        (d(81), [d(2)], [], d(80), (BEFORE_END, d(52), d(80), True, True)),
    ],
)
def test_due_table(today, rounds, handovers, planned_end, expected):
    info = due_info(
        RULE,
        today=today,
        start=START_DAY,
        rounds=rounds,
        handovers=handovers,
        planned_end=planned_end,
    )
    assert info is not None
    kind, opens_on, due_by, due, overdue = expected
    assert (info.next.kind, info.next.opens_on, info.next.due_by) == (kind, opens_on, due_by)
    assert (info.due, info.overdue) == (due, overdue)


def test_no_schedule_or_ended_has_nothing_due():
    assert due_info(None, today=d(400), start=START_DAY) is None
    assert due_info(RULE, today=d(400), start=START_DAY, ended=True) is None


def test_switched_off_occasions():
    only_start = ScheduleRule(
        at_start=True, every_weeks=None, after_handover_weeks=0, before_end_weeks=None
    )
    assert due_info(only_start, today=d(300), start=START_DAY, rounds=[d(1)]) is None
    no_start = ScheduleRule(at_start=False, every_weeks=6)
    info = due_info(no_start, today=d(1), start=START_DAY)
    assert info is not None
    assert (info.next.kind, info.next.opens_on, info.due) == (INTERVAL, d(42), False)


def test_a_cancelled_or_expired_round_also_meets_its_occasion():
    # The caller passes every opened round; the worker must not reopen a cancelled one.
    info = due_info(RULE, today=d(3), start=START_DAY, rounds=[d(1)])
    assert info is not None
    assert info.next.kind == INTERVAL


def test_overdue_earlier_occasion_is_reported_even_if_a_later_one_is_first():
    # Two open occasions: the earlier is reported and is overdue.
    occasions = open_occasions(RULE, start=START_DAY, handovers=[d(1)])
    assert [o.kind for o in occasions][:2] == [START, HANDOVER]


def test_negative_weeks_are_refused():
    with pytest.raises(ValueError, match="every_weeks"):
        ScheduleRule(every_weeks=-1)


rules = st.builds(
    ScheduleRule,
    at_start=st.booleans(),
    every_weeks=st.one_of(st.none(), st.integers(1, 52)),
    after_handover_weeks=st.one_of(st.none(), st.integers(1, 12)),
    before_end_weeks=st.one_of(st.none(), st.integers(1, 12)),
    grace_weeks=st.integers(0, 4),
)
days = st.integers(0, 800).map(d)


@given(
    rule=rules,
    rounds=st.lists(days, max_size=6),
    handovers=st.lists(days, max_size=3),
    planned_end=st.one_of(st.none(), st.integers(1, 900).map(d)),
    today=days,
)
def test_properties(rule, rounds, handovers, planned_end, today):
    occasions = open_occasions(
        rule, start=START_DAY, rounds=rounds, handovers=handovers, planned_end=planned_end
    )
    latest = max(rounds, default=None)
    for occasion in occasions:
        # An open occasion is never met by a round, and is overdue only after it is due.
        assert latest is None or latest < occasion.opens_on
        assert occasion.opens_on <= occasion.due_by
        assert occasion.opens_on >= START_DAY
    assert occasions == sorted(occasions, key=lambda o: o.opens_on) or len(
        {o.opens_on for o in occasions}
    ) < len(occasions)
    info = due_info(
        rule,
        today=today,
        start=START_DAY,
        rounds=rounds,
        handovers=handovers,
        planned_end=planned_end,
    )
    assert (info is None) == (not occasions)
    if info is not None:
        assert not info.overdue or any(o.opens_on <= today for o in occasions)
        # Opening a round today meets everything due today: nothing is overdue afterwards.
        after = due_info(
            rule,
            today=today,
            start=START_DAY,
            rounds=[*rounds, max(today, latest or today)],
            handovers=[h for h in handovers if h <= today],
            planned_end=planned_end,
        )
        assert after is None or not after.overdue
