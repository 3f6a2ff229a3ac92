"""The input of the signal rules, built from the database: one place to change its source.

One row per (trajectory, round, rater) in the columns of
:func:`alliantiemonitor.core.signals.detect_signals`. Which rounds count:

* a round that still collects answers is left out: its missing side may still come, and its
  scores are blind until both have answered (a signal must not reveal them early);
* a cancelled round is left out: the professional stopped it, the client did not fail to answer;
* every other round (both done, discussed, closed, expired) counts, with ``submitted`` per
  side; scores only where the blind rule lets both parties see them.

Scores are the stored ones (``ResponseScore``, written at submit and correction), read in the
same prefetch as the responses: no rescoring, a fixed number of queries per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Prefetch
from django.utils import timezone

from alliantiemonitor.conversations.models import Conversation
from alliantiemonitor.core.instrument import CHARACTERISTIC_KEYS
from alliantiemonitor.measurements.constants import COLLECTING_STATES, Rater, RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.trajectories.models import Trajectory

COLUMNS = [
    "trajectory_id",
    "round_index",
    "round_date",
    "rater",
    "professional_id",
    "after_handover",
    "submitted",
    *CHARACTERISTIC_KEYS,
    "discussed_date",
]

_LEFT_OUT = frozenset(COLLECTING_STATES | {RoundState.CANCELLED})


@dataclass
class SignalInput:
    """The frame for the rules, and the way back from its rows to the rounds."""

    frame: pd.DataFrame
    #: ``(trajectory pk, round_index) -> round pk``.
    rounds: dict[tuple[int, int], int] = field(default_factory=dict)
    #: ``trajectory pk -> the highest round_index`` (absent: no round counts yet).
    latest: dict[int, int] = field(default_factory=dict)


def _scores(measurement_round: MeasurementRound) -> dict[str, dict[str, float | None]]:
    """``{rater: {characteristic: score}}`` of the current submitted responses (stored)."""
    return {
        response.rater: response.score_map()
        for response in measurement_round.current_submitted  # type: ignore[attr-defined]
    }


def signal_input(trajectories: Iterable[Trajectory] | Sequence[int]) -> SignalInput:
    """Build the rules' input for ``trajectories`` (instances or primary keys)."""
    ids = [t if isinstance(t, int) else t.pk for t in trajectories]
    rounds = (
        MeasurementRound.objects.filter(trajectory_id__in=ids)
        .exclude(state__in=_LEFT_OUT)
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.current().submitted().prefetch_related("scores"),
                to_attr="current_submitted",
            )
        )
        .order_by("trajectory_id", "opened_at", "pk")
    )
    held = dict(
        Conversation.objects.filter(round__trajectory_id__in=ids).values_list("round_id", "held_on")
    )
    rows: list[dict[str, object]] = []
    result = SignalInput(frame=pd.DataFrame(columns=COLUMNS))
    for measurement_round in rounds:
        trajectory_id = measurement_round.trajectory_id
        index = result.latest.get(trajectory_id, 0) + 1
        result.latest[trajectory_id] = index
        result.rounds[(trajectory_id, index)] = measurement_round.pk
        submitted = {r.rater for r in measurement_round.current_submitted}  # type: ignore[attr-defined]
        # Only what both parties may see. Of the states that count here, the blind rule
        # (round_answers_visible) opens every round with at least one submitted side: both
        # done by definition, and discussed, closed or expired rounds once one side sent.
        scores = _scores(measurement_round) if submitted else {}
        for rater in (Rater.CLIENT.value, Rater.PROFESSIONAL.value):
            own = scores.get(rater, {})
            rows.append(
                {
                    "trajectory_id": str(trajectory_id),
                    "round_index": index,
                    "round_date": timezone.localdate(measurement_round.opened_at),
                    "rater": rater,
                    "professional_id": str(measurement_round.professional_id),
                    "after_handover": measurement_round.after_handover,
                    "submitted": rater in submitted,
                    **{key: _float(own.get(key)) for key in CHARACTERISTIC_KEYS},
                    "discussed_date": held.get(measurement_round.pk, pd.NaT),
                }
            )
    if rows:
        result.frame = pd.DataFrame(rows, columns=COLUMNS)
    return result


def _float(value: float | None) -> float:
    return float("nan") if value is None else float(value)
