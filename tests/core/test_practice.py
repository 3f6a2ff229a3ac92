"""Practice cases: each course really happens, the same case comes back, answers are on the scale.

The course checks average over many seeds (one case is noisy, as a real client is) and use
bounds that a missing or reversed course would break. Scores are computed with plain
arithmetic here (reverse = min + max − x), independent of ``core.scoring``.
"""

from __future__ import annotations

import statistics

import pytest

from alliantiemonitor.core.practice import PRACTICE_COURSES, practice_case
from alliantiemonitor.core.registry import default_registry

SEEDS = range(1, 41)


def _instrument(variant: str = "standaard"):
    return default_registry().get(variant)


def _alliance(instrument, answers) -> float:
    """The mean of the positive characteristics' item scores (reverse keyed), client side."""
    values = []
    for item in instrument.items_for("client"):
        value = answers.get(item.id)
        if value is None or instrument.characteristic(item.characteristic).polarity != "positive":
            continue
        scale = instrument.scale
        values.append(scale.minimum + scale.maximum - value if item.reverse else value)
    return statistics.mean(values)


def _mean_change(course: str, variant: str = "standaard") -> float:
    instrument = _instrument(variant)
    changes = []
    for seed in SEEDS:
        case = practice_case(instrument, course=course, seed=seed, domain="reclassering")
        changes.append(
            _alliance(instrument, case.current_client) - _alliance(instrument, case.previous_client)
        )
    return statistics.mean(changes)


@pytest.mark.parametrize("variant", ["standaard", "kort", "eenvoudig"])
def test_each_course_moves_the_clients_view_the_chosen_way(variant):
    assert _mean_change("deteriorating", variant) < -0.5
    assert _mean_change("improving", variant) > 0.5
    assert abs(_mean_change("stable", variant)) < 0.2


def test_the_drawn_course_is_the_chosen_one_except_after_a_handover():
    instrument = _instrument()
    for course in ("stable", "improving", "deteriorating"):
        for seed in range(1, 11):
            case = practice_case(instrument, course=course, seed=seed, domain="jeugdbescherming")
            assert case.drawn_course == course
            assert not case.after_handover


def test_after_a_handover_the_previous_round_was_with_someone_else():
    instrument = _instrument()
    cases = [
        practice_case(instrument, course="handover", seed=seed, domain="reclassering")
        for seed in SEEDS
    ]
    assert all(case.after_handover for case in cases)
    drawn = {case.drawn_course for case in cases}
    # A change of professional makes deterioration likely, not certain.
    assert "deteriorating" in drawn
    assert drawn - {"deteriorating"}


def test_the_same_four_give_the_same_case_and_another_seed_another():
    instrument = _instrument("kort")
    one = practice_case(instrument, course="improving", seed=4821, domain="schuldhulpverlening")
    again = practice_case(instrument, course="improving", seed=4821, domain="schuldhulpverlening")
    other = practice_case(instrument, course="improving", seed=4822, domain="schuldhulpverlening")
    assert one == again
    assert (one.current_client, one.previous_client) != (
        other.current_client,
        other.previous_client,
    )


@pytest.mark.parametrize("course", PRACTICE_COURSES)
def test_answers_lie_on_the_scale_and_cover_every_item(course):
    instrument = _instrument("eenvoudig")
    scale = set(instrument.scale.values)
    client_ids = {i.id for i in instrument.items_for("client")}
    professional_ids = {i.id for i in instrument.items_for("professional")}
    for seed in range(1, 21):
        case = practice_case(instrument, course=course, seed=seed, domain="woonbegeleiding")
        assert set(case.current_client) == set(case.previous_client) == client_ids
        assert set(case.previous_professional) == professional_ids
        for answers in (case.current_client, case.previous_client, case.previous_professional):
            assert {v for v in answers.values() if v is not None} <= scale
        assert set(case.flagged) <= client_ids
        assert len(case.flagged) <= 2
        assert all(case.current_client[i] is not None for i in case.flagged)
        assert case.interval_days >= 28
        assert len(case.pseudonym) == 4
        assert case.pseudonym[1::2] == ".."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"course": "sideways", "seed": 1, "domain": "reclassering"}, "course"),
        ({"course": "stable", "seed": 0, "domain": "reclassering"}, "seed"),
        ({"course": "stable", "seed": 100_000, "domain": "reclassering"}, "seed"),
        ({"course": "stable", "seed": 1, "domain": "bakkerij"}, "domain"),
    ],
)
def test_a_case_outside_the_choices_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        practice_case(_instrument(), **kwargs)
