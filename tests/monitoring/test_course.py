"""trajectory_course: scores per round and rater, reliable changes, handovers, the blind rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.core.change import Pattern
from alliantiemonitor.measurements.services import round_cancel, round_close, round_start
from alliantiemonitor.monitoring.course import trajectory_course
from alliantiemonitor.trajectories.services import trajectory_hand_over
from tests.monitoring.helpers import (
    answers_scoring,
    backdate_first_assignment,
    fill,
    make_round,
)

pytestmark = pytest.mark.django_db


def test_no_rounds_is_the_empty_state(trajectory):
    course = trajectory_course(trajectory, language="en")
    assert not course.has_scores
    assert course.rounds == ()
    assert [c.key for c in course.characteristics] == ["direction", "trust", "bond", "friction"]
    assert course.characteristic("trust").client.pattern == Pattern.INSUFFICIENT


def test_without_rounds_the_characteristics_are_named_by_the_variant_a_round_would_use(
    trajectory,
):
    trajectory.organisation.default_instrument = "kort"
    trajectory.organisation.save()
    course = trajectory_course(trajectory, language="en")
    assert course.characteristic("trust").name == "Trust"

    # A default that is no longer installed leaves the keys, and the page still works.
    trajectory.organisation.default_instrument = "weg"
    trajectory.organisation.save()
    course = trajectory_course(trajectory, language="en")
    assert course.characteristic("trust").name == "trust"


def test_scores_per_round_in_date_order(trajectory, professional):
    make_round(trajectory, professional, days_ago=60, client={"trust": 2}, pro={"trust": 3})
    make_round(trajectory, professional, days_ago=5, client={"trust": 4}, pro={"trust": 3})
    course = trajectory_course(trajectory, language="en")

    assert course.has_scores
    assert [r.date for r in course.rounds] == sorted(r.date for r in course.rounds)
    trust = course.characteristic("trust")
    assert trust.name == "Trust"
    assert [p.score for p in trust.client.points] == [2.0, 4.0]
    assert [p.score for p in trust.professional.points] == [3.0, 3.0]
    # 2 → 4 with the client's reference values (sd 0.7x, r 0.8x) is well above the MDC.
    change = trust.client.points[1].change
    assert change.reliable
    assert change.direction == "improved"
    assert trust.client.pattern == Pattern.IMPROVING
    assert trust.client.overall.direction == "improved"
    assert trust.professional.pattern == Pattern.STABLE
    assert trust.professional.points[1].change.direction == "no_reliable_change"
    assert trust.client.points[0].change is None
    assert 0 < trust.client.mdc < 2


def test_rise_in_friction_is_a_reliable_deterioration(trajectory, professional):
    make_round(trajectory, professional, days_ago=90, client={"friction": 1}, pro={"friction": 2})
    make_round(trajectory, professional, days_ago=45, client={"friction": 2}, pro={"friction": 2})
    make_round(trajectory, professional, days_ago=1, client={"friction": 4}, pro={"friction": 2})
    friction = trajectory_course(trajectory, language="en").characteristic("friction")

    assert friction.is_friction
    assert not friction.higher_is_better
    last = friction.client.points[-1]
    assert last.score == 4.0
    assert last.change.difference > 0
    assert last.change.reliable
    assert last.change.direction == "deteriorated"
    assert friction.client.pattern == Pattern.DETERIORATING
    assert friction.client.overall.direction == "deteriorated"
    assert friction.professional.pattern == Pattern.STABLE


def test_a_drop_the_wobble_can_make_is_not_marked_and_the_page_agrees_with_itself(
    trajectory, professional
):
    """One point down in the client's trust between two rounds: the old judgement (the
    reference SE without the round-to-round wobble) called it "reliably deteriorated" while
    the label said "no clear change"; a drop of that size happens to stable clients."""
    make_round(trajectory, professional, days_ago=60, client={"trust": 4}, pro={"trust": 4})
    make_round(trajectory, professional, days_ago=1, client={"trust": 3}, pro={"trust": 4})
    trust = trajectory_course(trajectory, language="en").characteristic("trust")

    assert trust.client.points[1].change.difference == -1.0
    assert not trust.client.points[1].change.reliable
    assert trust.client.overall.direction == "no_reliable_change"
    assert trust.client.pattern == Pattern.STABLE
    # The bar the page names: 1.2 points (two comparisons at 2.5 % each, wobble 0.38).
    assert trust.client.mdc == pytest.approx(1.204, abs=0.001)


def test_handover_is_on_the_time_axis_and_marks_the_next_round(trajectory, professional, colleague):
    backdate_first_assignment(trajectory, 120)
    make_round(trajectory, professional, days_ago=90, client={}, pro={})
    trajectory_hand_over(
        trajectory=trajectory,
        to_professional=colleague,
        by=professional,
        at=timezone.now() - dt.timedelta(days=60),
    )
    make_round(trajectory, colleague, days_ago=30, client={"bond": 2}, pro={})
    course = trajectory_course(trajectory, language="en")

    assert len(course.handovers) == 1
    handover = course.handovers[0]
    assert handover.from_name == "Pim Jansen"
    assert handover.to_name == "Cas de Vries"
    first, second = course.rounds
    assert first.at < handover.at < second.at
    assert not first.after_handover
    assert second.after_handover


def test_round_with_only_the_clients_answers_shows_no_scores(trajectory, professional):
    make_round(trajectory, professional, days_ago=60, client={"trust": 3}, pro={"trust": 3})
    pending = make_round(trajectory, professional, days_ago=1, client={"trust": 5})
    assert pending.state == "client_done"
    course = trajectory_course(trajectory, language="en")

    assert [r.scored for r in course.rounds] == [True, False]
    assert course.pending_rounds[0].uuid == pending.uuid
    for characteristic in course.characteristics:
        for series in characteristic.series:
            assert series.points[-1].score is None
            assert series.points[-1].change is None
    assert course.characteristic("trust").client.pattern == Pattern.INSUFFICIENT


def test_only_pending_round_is_still_the_empty_state(trajectory, professional):
    make_round(trajectory, professional, days_ago=1, pro={})
    course = trajectory_course(trajectory, language="en")
    assert not course.has_scores
    assert len(course.pending_rounds) == 1


def test_closed_with_one_side_shows_that_side(trajectory, professional):
    round_ = make_round(trajectory, professional, days_ago=1, client={"trust": 4})
    round_close(round=round_, by=professional)
    trust = trajectory_course(trajectory, language="en").characteristic("trust")
    assert trust.client.points[0].score == 4.0
    assert trust.professional.points[0].score is None
    assert not trust.professional.points[0].submitted


def test_cancelled_round_without_answers_is_left_out(trajectory, professional):
    make_round(trajectory, professional, days_ago=30, client={}, pro={})
    cancelled = round_start(trajectory=trajectory, by=professional)
    round_cancel(round=cancelled, by=professional)
    course = trajectory_course(trajectory, language="en")
    assert len(course.rounds) == 1


def test_too_few_statements_is_a_gap_not_zero(trajectory, professional, instrument):
    make_round(trajectory, professional, days_ago=90, client={"friction": 2}, pro={})
    gap = round_start(trajectory=trajectory, by=professional)
    answers = answers_scoring(instrument, "client", {"friction": 2})
    friction_items = [i.id for i in instrument.items_of("friction", "client")]
    for item_id in friction_items[1:]:  # one of four answered: below two thirds
        answers[item_id] = None
    fill(gap, "client", professional, answers)
    fill(gap, "professional", professional, answers_scoring(instrument, "professional", {}))
    make_round(trajectory, professional, days_ago=0, client={"friction": 4}, pro={})
    friction = trajectory_course(trajectory, language="en").characteristic("friction")

    scores = [p.score for p in friction.client.points]
    assert scores == [2.0, None, 4.0]
    assert friction.client.points[1].submitted
    # The gap is skipped: the latest round is compared with the first.
    assert friction.client.points[2].change.x1 == 2.0
    assert friction.client.points[2].change.direction == "deteriorated"
    # The other characteristics of that round are scored as usual.
    assert trajectory_course(trajectory).characteristic("trust").client.points[1].score == 3.0


def test_only_rounds_of_the_same_variant_are_compared(trajectory, professional):
    make_round(trajectory, professional, days_ago=90, client={"trust": 2}, pro={})
    make_round(
        trajectory, professional, days_ago=45, client={"trust": 5}, pro={}, instrument_id="kort"
    )
    make_round(
        trajectory, professional, days_ago=1, client={"trust": 5}, pro={}, instrument_id="kort"
    )
    course = trajectory_course(trajectory, language="en")
    trust = course.characteristic("trust")

    assert course.mixed_variants
    _first, second, third = trust.client.points
    assert second.change is None
    assert second.not_comparable
    assert third.change.direction == "no_reliable_change"
    # Pattern and first → latest use the kort rounds only: 5 → 5.
    assert trust.client.pattern == Pattern.STABLE
    assert trust.client.overall.x1 == 5.0
    assert trust.client.instrument_id == "kort"
