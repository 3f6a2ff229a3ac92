"""Conversation prompts: each situation brings its own prompt, none claims a norm."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from alliantiemonitor.conversations.prompts import prompts_for
from alliantiemonitor.conversations.results import round_results
from tests.conversations.conftest import answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def keys(round_, *, recent_handover=False):
    results = round_results(round_, viewer="professional")
    return [p.key for p in prompts_for(results, recent_handover=recent_handover)]


def low(instrument, rater, characteristic, value=2):
    """Answers that put ``characteristic`` at ``value`` (reverse-keyed items mirrored)."""
    return {
        item.id: (6 - value if item.reverse else value)
        for item in instrument.items_of(characteristic, rater)
    }


def both(round_, professional, client=None, pro=None, *, client_value=4, pro_value=4, **kw):
    # 4 everywhere keeps positive characteristics high; friction items at 2 keep friction low.
    instrument = round_.instrument
    client_answers = {**low(instrument, "client", "friction", 2), **(client or {})}
    pro_answers = {**low(instrument, "professional", "friction", 2), **(pro or {})}
    answer(round_, "client", client_value, **client_answers, **kw)
    answer(round_, "professional", pro_value, professional=professional, **pro_answers)


def test_opener_when_nothing_stands_out(measurement_round, professional):
    both(measurement_round, professional)
    assert keys(measurement_round) == ["opener"]
    results = round_results(measurement_round, viewer="professional")
    (opener,) = prompts_for(results, recent_handover=False)
    for text in (opener.title, opener.why, *opener.suggestions):
        assert not NORM_WORDS.search(text), text


@pytest.mark.parametrize(
    ("characteristic", "key"),
    [("direction", "low_direction"), ("trust", "low_trust"), ("bond", "low_bond")],
)
def test_low_positive_characteristic(
    measurement_round, professional, instrument, characteristic, key
):
    both(measurement_round, professional, client=low(instrument, "client", characteristic, 2))
    found = keys(measurement_round)
    assert key in found
    assert "disagreement" in found  # 2 against 4: a big difference too
    assert "opener" not in found


def test_low_on_the_professional_side_only(measurement_round, professional, instrument):
    both(
        measurement_round,
        professional,
        client=low(instrument, "client", "trust", 3),
        pro=low(instrument, "professional", "trust", 2),
    )
    results = round_results(measurement_round, viewer="professional")
    prompt = next(p for p in prompts_for(results, recent_handover=False) if p.key == "low_trust")
    assert "You gave this a low score yourself." in prompt.why


def test_high_friction_client_and_professional(measurement_round, professional, instrument):
    both(
        measurement_round,
        professional,
        client=low(instrument, "client", "friction", 4),
        pro=low(instrument, "professional", "friction", 4),
    )
    found = keys(measurement_round)
    assert "high_friction_client" in found
    assert "high_friction_professional" in found
    assert "disagreement" not in found


def test_friction_at_the_midpoint_is_not_high(measurement_round, professional, instrument):
    both(measurement_round, professional, client=low(instrument, "client", "friction", 3))
    assert "high_friction_client" not in keys(measurement_round)


def test_big_disagreement(measurement_round, professional, instrument):
    both(
        measurement_round,
        professional,
        client=low(instrument, "client", "bond", 5),
        pro=low(instrument, "professional", "bond", 3),
    )
    results = round_results(measurement_round, viewer="professional")
    prompts = prompts_for(results, recent_handover=False)
    assert [p.key for p in prompts] == ["disagreement"]
    assert prompts[0].characteristic == "bond"
    assert "The client scores this higher than you do." in prompts[0].why


def test_recent_handover(measurement_round, professional):
    both(measurement_round, professional)
    assert keys(measurement_round, recent_handover=True) == ["recent_handover"]


def test_flagged_statements(measurement_round, professional):
    both(measurement_round, professional, flagged=["c_bond_2"])
    assert keys(measurement_round) == ["client_flagged"]


NORM_WORDS = re.compile(
    r"\b(norms?(?! for)|normal|abnormal|average|percentile|cut-?off|clinical|"
    r"too low|too high|bad|poor|fail\w*|worse than)\b",
    re.IGNORECASE,
)


def test_no_prompt_claims_a_norm(measurement_round, professional, instrument):
    both(
        measurement_round,
        professional,
        client={
            **low(instrument, "client", "direction", 1),
            **low(instrument, "client", "trust", 1),
            **low(instrument, "client", "bond", 1),
            **low(instrument, "client", "friction", 5),
        },
        pro=low(instrument, "professional", "friction", 5),
        flagged=["c_bond_1"],
    )
    results = round_results(measurement_round, viewer="professional")
    prompts = prompts_for(results, recent_handover=True)
    assert {p.key for p in prompts} >= {
        "client_flagged",
        "recent_handover",
        "low_direction",
        "low_trust",
        "low_bond",
        "high_friction_client",
        "high_friction_professional",
        "disagreement",
    }
    for prompt in prompts:
        for text in (prompt.title, prompt.why, *prompt.suggestions):
            assert not NORM_WORDS.search(text), text
