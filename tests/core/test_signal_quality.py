"""Detection quality on the generator's truth: the goals of docs/signals.md, on the held-out seed.

The same 50,000 trajectories as ``make signal-quality`` (about 10 seconds), so the goals are
checked as documented, without margins for a smaller sample.
"""

from __future__ import annotations

import pytest

from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.signal_quality import measure

HELD_OUT_SEED = 20251130


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    return measure(
        default_registry().get("standaard"), trajectories=50_000, seed=HELD_OUT_SEED
    ).figures


def test_deterioration_sensitivity_false_alarms_and_ppv(figures: dict[str, float]) -> None:
    assert figures["deterioration sensitivity (either view)"] >= 0.80
    assert figures["deterioration false alarms (either view)"] <= 0.08
    assert figures["deterioration PPV (either view, whole-alliance courses)"] >= 0.55


def test_false_alarms_do_not_grow_with_the_rounds(figures: dict[str, float]) -> None:
    assert figures["false alarms at 5+ rounds"] <= 1.5 * figures["false alarms at 2 rounds"]


def test_after_a_change_of_professional(figures: dict[str, float]) -> None:
    assert figures["handover: deteriorating dyads signalled (1st/2nd round)"] >= 0.55
    assert figures["handover: stable dyads signalled (1st/2nd round)"] <= 0.10


def test_stopped_responding(figures: dict[str, float]) -> None:
    assert figures["stopped responding: sensitivity (2+ rounds left)"] >= 0.9
    assert figures["stopped responding: false alarms"] <= 0.02
