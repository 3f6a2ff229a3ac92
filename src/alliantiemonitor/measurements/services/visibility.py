"""The blind rule: who sees which answers when."""

from __future__ import annotations

from typing import Any

from alliantiemonitor.measurements.constants import Rater, RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services._common import is_assignee, submitted_raters


def round_answers_visible(round: MeasurementRound) -> bool:
    """Whether both parties may now see each other's answers in ``round``.

    True when both have submitted, or when the round ended without one side — discussed,
    closed or expired — with at least one submitted side (ARCHITECTURE: "or the round is closed
    without one side; then both see both"). Until then each party only sees their own answers.
    """
    submitted = submitted_raters(round)
    if len(submitted) == len(Rater.values):
        return True
    ended = {RoundState.DISCUSSED, RoundState.CLOSED, RoundState.EXPIRED}
    return round.state in ended and bool(submitted)


def _visible_responses(round: MeasurementRound, own_side: str) -> Any:
    other_side = Rater.CLIENT if own_side == Rater.PROFESSIONAL else Rater.PROFESSIONAL
    current = round.responses.current().select_related("respondent")
    if round_answers_visible(round):
        return current.filter(rater=own_side) | current.filter(rater=other_side).submitted()
    return current.filter(rater=own_side)


def responses_visible_to_professional(round: MeasurementRound, user: Any) -> Any:
    """The current responses in ``round`` that ``user`` may read, as a QuerySet.

    The assigned professional sees their own side (draft or submitted) and the client's
    submitted side once the blind rule allows; anyone else sees nothing.
    """
    if not is_assignee(round.trajectory, user):
        return Response.objects.none()
    return _visible_responses(round, Rater.PROFESSIONAL)


def responses_visible_to_client(round: MeasurementRound) -> Any:
    """The current responses in ``round`` the client may read: their own, and the other side's
    once the blind rule allows."""
    return _visible_responses(round, Rater.CLIENT)
