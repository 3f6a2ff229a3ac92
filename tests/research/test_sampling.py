"""Interview samples: patterns per dyad, the seeded draw, what is kept, and who sees it."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.core.change import Pattern
from alliantiemonitor.research.constants import DyadPattern
from alliantiemonitor.research.exceptions import InvalidSampleInput, NotAllowed
from alliantiemonitor.research.models import InterviewSample
from alliantiemonitor.research.sampling import (
    draw,
    dyad_pattern,
    eligible_dyads,
    interview_draws,
    interview_sample_draw,
    sample_entries,
    sample_summary,
)
from alliantiemonitor.research.services import consent_withdraw
from tests.research.conftest import enrol_client, rounds_of_trust

# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([Pattern.STABLE, Pattern.STABLE], DyadPattern.STABLE),
        ([Pattern.STABLE, Pattern.IMPROVING, Pattern.INSUFFICIENT], DyadPattern.IMPROVING),
        ([Pattern.DETERIORATING, Pattern.STABLE], DyadPattern.DETERIORATING),
        ([Pattern.DETERIORATING, Pattern.IMPROVING], DyadPattern.MIXED),
        ([Pattern.FLUCTUATING], DyadPattern.MIXED),
        ([Pattern.INSUFFICIENT, Pattern.INSUFFICIENT], None),
        ([], None),
    ],
)
def test_the_dyad_pattern_combines_the_course_labels(labels, expected):
    assert dyad_pattern(labels) == expected


def _items(n: int) -> list[Any]:
    return [SimpleNamespace(uuid=uuid.UUID(int=i + 1)) for i in range(n)]


def test_the_same_seed_draws_the_same_dyads_whatever_the_order():
    items = _items(40)
    first = draw({"stable": items}, {"stable": 10}, seed=7)
    again = draw({"stable": list(reversed(items))}, {"stable": 10}, seed=7)
    other = draw({"stable": items}, {"stable": 10}, seed=8)
    assert first == again
    assert len(first["stable"]) == 10
    assert len(set(map(id, first["stable"]))) == 10
    assert first != other


def test_a_pattern_with_too_few_dyads_gives_all_of_them():
    items = _items(3)
    drawn = draw({"improving": items, "stable": _items(5)}, {"improving": 15, "stable": 0}, 1)
    assert sorted(i.uuid for i in drawn["improving"]) == sorted(i.uuid for i in items)
    assert "stable" not in drawn


def test_every_dyad_is_about_equally_likely():
    items = _items(20)
    counts = dict.fromkeys((i.uuid for i in items), 0)
    for seed in range(2000):
        for item in draw({"stable": items}, {"stable": 5}, seed)["stable"]:
            counts[item.uuid] += 1
    # 2000 draws of 5 out of 20: 500 each on average (binomial SD about 19).
    assert all(400 < n < 600 for n in counts.values())


# --------------------------------------------------------------------------- the service


def _dyad(study: Any, professional: Any, team: Any, name: str, course: str, rounds: int) -> Any:
    """A consenting enrolled trajectory with ``rounds`` rounds of the given course of trust."""
    enrolled = enrol_client(study, professional, team, name=name)
    steps = {"stable": [3, 3, 3, 3], "improving": [1, 2, 4, 5], "deteriorating": [5, 4, 2, 1]}
    rounds_of_trust(enrolled.trajectory, professional, steps[course][:rounds])
    return enrolled


@pytest.fixture
def dyads(study, professional, team) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {"stable": [], "improving": [], "deteriorating": []}
    for course, n in (("stable", 3), ("improving", 2), ("deteriorating", 1)):
        for i in range(n):
            found[course].append(_dyad(study, professional, team, f"{course}{i}", course, 4))
    return found


@pytest.mark.django_db
def test_patterns_come_from_the_course_rule(study, dyads, professional, team):
    short = _dyad(study, professional, team, "kort", "improving", 2)
    eligible = eligible_dyads(study, min_rounds=3)
    for course, members in dyads.items():
        assert {e.pk for e in eligible[course]} == {e.pk for e in members}
    assert short.pk not in {e.pk for group in eligible.values() for e in group}
    two_rounds = eligible_dyads(study, min_rounds=2)
    assert short.pk in {e.pk for group in two_rounds.values() for e in group}


@pytest.mark.django_db
def test_a_sample_is_stored_reproducible_and_says_where_it_fell_short(study, dyads, researcher):
    sizes = {"stable": 2, "improving": 5, "deteriorating": 1}
    sample = interview_sample_draw(study=study, by=researcher, sizes=sizes, seed=42)
    again = interview_sample_draw(study=study, by=researcher, sizes=sizes, seed=42)

    def keys(s: InterviewSample) -> list[tuple[str, int]]:
        return list(s.entries.order_by("pattern", "rank").values_list("pattern", "enrolled"))

    assert keys(sample) == keys(again)
    assert (sample.seed, sample.min_rounds, sample.drawn_by) == (42, 3, researcher)
    summary = {s.pattern: s for s in sample_summary(sample)}
    assert (summary["stable"].asked, summary["stable"].eligible, summary["stable"].drawn) == (
        2,
        3,
        2,
    )
    assert summary["improving"].short
    assert summary["improving"].drawn == 2
    assert not summary["deteriorating"].short
    drawn_stable = set(sample.entries.filter(pattern="stable").values_list("enrolled", flat=True))
    assert drawn_stable <= {e.pk for e in dyads["stable"]}


@pytest.mark.django_db
def test_without_a_seed_one_is_chosen_and_kept(study, dyads, researcher):
    sample = interview_sample_draw(study=study, by=researcher, sizes={"stable": 1})
    assert 0 <= sample.seed < 1_000_000
    again = interview_sample_draw(study=study, by=researcher, sizes={"stable": 1}, seed=sample.seed)
    assert list(sample.entries.values_list("enrolled", flat=True)) == list(
        again.entries.values_list("enrolled", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sizes", "seed", "min_rounds"),
    [
        ({"stable": 0}, 1, 3),
        ({}, 1, 3),
        ({"stable": 501}, 1, 3),
        ({"stable": -1}, 1, 3),
        ({"sideways": 3}, 1, 3),
        ({"stable": 1}, -5, 3),
        ({"stable": 1}, 1, 1),
    ],
)
def test_bad_sample_input_is_refused(study, researcher, sizes, seed, min_rounds):
    with pytest.raises(InvalidSampleInput):
        interview_sample_draw(
            study=study, by=researcher, sizes=sizes, seed=seed, min_rounds=min_rounds
        )
    assert not InterviewSample.objects.exists()


@pytest.mark.django_db
def test_only_a_researcher_of_the_study_draws(study, professional, org_admin):
    for user in (professional, org_admin):
        with pytest.raises(NotAllowed):
            interview_sample_draw(study=study, by=user, sizes={"stable": 1}, seed=1)
    assert not InterviewSample.objects.exists()


@pytest.mark.django_db
def test_a_withdrawn_client_is_neither_eligible_nor_listed(study, dyads, researcher, professional):
    sample = interview_sample_draw(study=study, by=researcher, sizes={"deteriorating": 1}, seed=3)
    (only,) = dyads["deteriorating"]
    assert [e.enrolled_id for e in sample_entries(sample)] == [only.pk]
    assert interview_draws(only.trajectory) == {study.pk: sample.drawn_at}

    consent_withdraw(enrolled=only, by=professional)
    assert list(sample_entries(sample)) == []
    assert interview_draws(only.trajectory) == {}
    assert eligible_dyads(study)["deteriorating"] == []


@pytest.mark.django_db
def test_the_draw_is_audited_without_keys(study, dyads, researcher):
    sample = interview_sample_draw(study=study, by=researcher, sizes={"improving": 1}, seed=9)
    event = AuditEvent.objects.get(action="interview_sample.draw")
    assert event.actor == researcher
    assert event.object_uuid == sample.uuid
    assert event.detail["seed"] == 9
    assert event.detail["drawn"] == {"improving": 1}
    assert event.detail["eligible"] == {"improving": 2}
    for group in dyads.values():
        for enrolled in group:
            assert enrolled.study_key not in str(event.detail)
