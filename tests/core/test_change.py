"""Reliable change, reference values and patterns (INSTRUMENT.md, "Change over time")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliantiemonitor.core.change import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    Pattern,
    choose_reference,
    classify_pattern,
    cronbach_alpha,
    estimate_reference,
    minimum_detectable_change,
    reliable_change,
    reliable_change_array,
)
from alliantiemonitor.core.instrument import ReferenceValues
from alliantiemonitor.core.scoring import score_frame
from tests.core.scoring_instrument import client_ids, make_instrument

INSTRUMENT = make_instrument()
# sd = 0.7, r = 0.84: SE = 0.7 · √0.16 = 0.28; S_diff = √2 · 0.28 = 0.395980; MDC = 1.96 · S_diff
# = 0.776121. A change of 1.0 gives RC = 1 / 0.395980 = 2.525 (reliable); 0.7 gives 1.768 (not).
REF = {"sd": 0.7, "reliability": 0.84}


def test_reliable_change_worked_example() -> None:
    change = reliable_change(2.0, 3.0, **REF, polarity="positive")
    assert change.se == pytest.approx(0.28)
    assert change.s_diff == pytest.approx(0.395980, abs=1e-6)
    assert change.mdc == pytest.approx(0.776121, abs=1e-6)
    assert change.rc == pytest.approx(2.525381, abs=1e-6)
    assert change.difference == 1.0
    assert change.reliable
    assert change.direction == "improved"
    assert minimum_detectable_change(**REF) == pytest.approx(0.776121, abs=1e-6)


def test_polarity_friction_rise_is_deterioration() -> None:
    assert reliable_change(2.0, 3.0, **REF, polarity="negative").direction == "deteriorated"
    assert reliable_change(3.0, 2.0, **REF, polarity="negative").direction == "improved"
    assert reliable_change(3.0, 2.0, **REF, polarity="positive").direction == "deteriorated"


def test_small_change_is_not_reliable() -> None:
    change = reliable_change(2.0, 2.7, **REF, polarity="positive")
    assert change.rc == pytest.approx(1.767767, abs=1e-6)
    assert not change.reliable
    assert change.direction == "no_reliable_change"


@pytest.mark.parametrize(("sd", "reliability"), [(0.0, 0.8), (-1.0, 0.8), (0.7, 1.0), (0.7, -0.1)])
def test_reference_values_must_make_sense(sd: float, reliability: float) -> None:
    with pytest.raises(ValueError, match=r"sd|reliability"):
        reliable_change(2.0, 3.0, sd=sd, reliability=reliability, polarity="positive")


def test_missing_score_is_refused() -> None:
    with pytest.raises(ValueError, match="both scores"):
        reliable_change(math.nan, 3.0, **REF, polarity="positive")


def test_reliable_change_array() -> None:
    result = reliable_change_array(
        [2.0, 2.0, 3.0, np.nan, 2.0], [3.0, 2.7, 2.0, 3.0, 3.0], **REF, polarity="positive"
    )
    assert result.reliable.tolist() == [True, False, True, False, True]
    assert result.direction.tolist() == [IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED, 0, IMPROVED]
    assert math.isnan(result.rc[3])
    assert result.mdc == pytest.approx(0.776121, abs=1e-6)
    friction = reliable_change_array([2.0], [3.0], **REF, polarity="negative")
    assert friction.direction.tolist() == [DETERIORATED]


@given(
    st.floats(min_value=1, max_value=5),
    st.floats(min_value=1, max_value=5),
    st.sampled_from(["positive", "negative"]),
)
def test_array_and_scalar_agree(x1: float, x2: float, polarity: str) -> None:
    one = reliable_change(x1, x2, **REF, polarity=polarity)  # type: ignore[arg-type]
    many = reliable_change_array([x1], [x2], **REF, polarity=polarity)  # type: ignore[arg-type]
    code = {"improved": IMPROVED, "deteriorated": DETERIORATED, "no_reliable_change": 0}
    assert many.direction[0] == code[one.direction]
    assert many.rc[0] == pytest.approx(one.rc)


# -- patterns (MDC is 0.776 with these reference values) ------------------------------------


@pytest.mark.parametrize(
    ("scores", "polarity", "expected"),
    [
        ([3.0, 3.5, 3.2, 3.6], "positive", Pattern.STABLE),  # no step or overall change ≥ MDC
        ([2.0, 3.0, 3.2], "positive", Pattern.IMPROVING),  # +1.0 then +0.2
        ([2.0, 2.5, 3.0], "positive", Pattern.IMPROVING),  # small steps, but first→latest +1.0
        ([4.0, 3.0, None, 2.8], "positive", Pattern.DETERIORATING),  # missing round skipped
        ([2.0, 3.0], "negative", Pattern.DETERIORATING),  # friction rising
        ([3.0, 2.0], "negative", Pattern.IMPROVING),  # friction falling
        ([3.0, 4.0, 3.0], "positive", Pattern.FLUCTUATING),  # up and back down
        # a reliable rise, then a slow slide to reliably below the start
        ([3.0, 4.0, 3.5, 3.0, 2.5, 2.1], "positive", Pattern.FLUCTUATING),
        ([2.0, None, 3.0], "positive", Pattern.IMPROVING),  # 2.0 and 3.0 compared directly
        ([3.0], "positive", Pattern.INSUFFICIENT),
        ([None, 3.0, math.nan], "positive", Pattern.INSUFFICIENT),
        ([], "positive", Pattern.INSUFFICIENT),
    ],
)
def test_classify_pattern(scores: list[float | None], polarity: str, expected: Pattern) -> None:
    assert classify_pattern(scores, **REF, polarity=polarity) == expected  # type: ignore[arg-type]


def test_pattern_is_a_plain_string() -> None:
    assert Pattern.FLUCTUATING == "fluctuating"


# -- reference values ------------------------------------------------------------------------


def test_cronbach_alpha_worked_example() -> None:
    # item 1: 1,2,3,4 (var 5/3); item 2: 2,3,3,5 (var 4.75/3); sum: 3,5,6,9 (var 18.75/3 = 6.25)
    # alpha = 2 · (1 − (5/3 + 4.75/3) / 6.25) = 2 · (1 − 3.25/6.25) = 0.96
    data = [[1, 2], [2, 3], [3, 3], [4, 5], [np.nan, 1]]  # the incomplete row is left out
    assert cronbach_alpha(data) == pytest.approx(0.96)


def test_cronbach_alpha_edge_cases() -> None:
    assert cronbach_alpha([[1, 1], [2, 2], [3, 3]]) == pytest.approx(1.0)
    assert math.isnan(cronbach_alpha([[1], [2], [3]]))  # one item
    assert math.isnan(cronbach_alpha([[1, 2]]))  # one row
    assert math.isnan(cronbach_alpha([[3, 3], [3, 3]]))  # no variance
    # items pulling apart: item vars 10/3 each, sum 5,6,7,6 has var 2/3 → 2 · (1 − 10) = −18
    assert cronbach_alpha([[1, 4], [4, 2], [2, 5], [5, 1]]) == pytest.approx(-18.0)
    with pytest.raises(ValueError, match="rows × items"):
        cronbach_alpha([1, 2, 3])


def _synthetic_client_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """Answers driven by one latent level per person, so the items hang together."""
    rng = np.random.default_rng(seed)
    level = rng.normal(3.0, 0.8, size=(n, 1))
    items = INSTRUMENT.items_for("client")
    raw = np.clip(np.rint(level + rng.normal(0, 0.6, size=(n, len(items)))), 1, 5)
    reverse = np.array([i.reverse for i in items])
    raw[:, reverse] = 6 - raw[:, reverse]  # agreement on a reverse item means a weaker alliance
    return pd.DataFrame(raw, columns=client_ids())


def test_estimate_reference_recomputes_sd_and_alpha() -> None:
    frame = _synthetic_client_frame(150)
    frame.loc[:99, "c_bond_1"] = np.nan  # bond is scored in only 50 responses
    reference = estimate_reference(INSTRUMENT, frame, "client")
    assert reference is not None
    assert set(reference) == {"direction", "trust", "friction"}
    direction = score_frame(INSTRUMENT, frame, "client")["direction"]
    assert reference["direction"].sd == pytest.approx(direction.std(ddof=1))
    item_scores = frame[["c_direction_1", "c_direction_2", "c_direction_3"]].to_numpy().copy()
    item_scores[:, 1] = 6 - item_scores[:, 1]  # c_direction_2 is reverse-keyed
    assert reference["direction"].reliability == pytest.approx(cronbach_alpha(item_scores))
    assert 0.5 < reference["direction"].reliability < 1


def test_estimate_reference_needs_enough_responses() -> None:
    assert estimate_reference(INSTRUMENT, _synthetic_client_frame(99), "client") is None
    assert estimate_reference(INSTRUMENT, _synthetic_client_frame(99), "client", min_n=50)


def test_choose_reference_prefers_own_values() -> None:
    own = {"trust": ReferenceValues(sd=0.5, reliability=0.9)}
    assert choose_reference(INSTRUMENT, "trust", "client", own) == own["trust"]
    assert choose_reference(INSTRUMENT, "bond", "client", own) == ReferenceValues(0.7, 0.84)
    assert choose_reference(INSTRUMENT, "bond", "professional") == ReferenceValues(0.6, 0.8)


@pytest.mark.parametrize("polarity", ["Positive", "NEGATIVE", "", "up"])
def test_unknown_polarity_is_refused(polarity: str) -> None:
    # "Positive" used to count as negative: a rise in trust came out as a deterioration.
    with pytest.raises(ValueError, match="polarity must be 'positive' or 'negative'"):
        reliable_change(2.0, 3.0, **REF, polarity=polarity)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="polarity must be 'positive' or 'negative'"):
        reliable_change_array([2.0], [3.0], **REF, polarity=polarity)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="polarity must be 'positive' or 'negative'"):
        classify_pattern([2.0, 3.0], **REF, polarity=polarity)  # type: ignore[arg-type]


def test_pattern_skips_every_kind_of_missing_score() -> None:
    scores = [2.0, pd.NA, None, math.nan, np.float64("nan"), 3.0]
    assert classify_pattern(scores, **REF, polarity="positive") is Pattern.IMPROVING
    assert (
        classify_pattern(pd.Series([2.0, pd.NA, 3.0], dtype="Float64"), **REF, polarity="positive")
        is Pattern.IMPROVING
    )
    assert classify_pattern([pd.NA, 3.0], **REF, polarity="positive") is Pattern.INSUFFICIENT


def test_pattern_refuses_scores_that_are_not_numbers() -> None:
    with pytest.raises(ValueError, match=r"scores\[2\] is 'high', not a number"):
        classify_pattern([2.0, 3.0, "high"], **REF, polarity="positive")  # type: ignore[list-item]
