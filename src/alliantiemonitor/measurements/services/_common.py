"""Helpers shared by the measurement services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from alliantiemonitor.core.instrument import Instrument, as_rater
from alliantiemonitor.measurements.constants import Rater
from alliantiemonitor.measurements.exceptions import (
    InvalidAnswers,
    InvalidRespondent,
)
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.trajectories.models import Trajectory


def lock_round(round: MeasurementRound) -> MeasurementRound:
    """Refresh ``round`` in place under a row lock: submissions and transitions on it queue
    up, and the caller's instance shows the result."""
    round.refresh_from_db(from_queryset=MeasurementRound.objects.select_for_update())
    return round


def is_assignee(trajectory: Trajectory, user: Any) -> bool:
    """Whether ``user`` may act as the professional of ``trajectory`` right now.

    The same rule as the views' access helper: the latest assignment, an active account and an
    active professional membership — a revoked professional loses access everywhere at once.
    """
    from alliantiemonitor.trajectories.access import trajectories_for

    return user is not None and trajectories_for(user).filter(pk=trajectory.pk).exists()


def check_rater(rater: str) -> None:
    if rater not in Rater.values:
        raise InvalidAnswers(problems=[f"unknown rater {rater!r}"])


def check_respondent(round: MeasurementRound, rater: str, respondent: Any) -> None:
    if rater == Rater.CLIENT:
        if respondent is not None:
            raise InvalidRespondent()
    elif not is_assignee(round.trajectory, respondent):
        raise InvalidRespondent()


def validate_answers(
    instrument: Instrument,
    rater: str,
    answers: Any,
    flagged: Any = None,
) -> list[str]:
    """Every problem with ``answers`` (and ``flagged``) for ``rater`` on ``instrument``.

    Answers are a mapping of item id to a scale value or ``None``; the items must be the
    rater's own. An empty list means the answers can be stored.
    """
    try:
        own_rater = as_rater(rater)
    except ValueError:
        return [f"unknown rater {rater!r}"]
    problems: list[str] = []
    own_items = {item.id for item in instrument.items_for(own_rater)}
    values = set(instrument.scale.values)
    if not isinstance(answers, Mapping):
        return ["answers must be a mapping of item id to value"]
    for item_id, value in answers.items():
        if item_id not in own_items:
            problems.append(f"item {item_id!r} is not a {rater} item of {instrument.ref}")
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value not in values
        ):
            problems.append(f"item {item_id!r}: {value!r} is not on the scale")
    if flagged is not None:
        if (
            isinstance(flagged, str)
            or not isinstance(flagged, Sequence)
            or not all(isinstance(item_id, str) for item_id in flagged)
        ):
            problems.append("flagged must be a list of item ids")
        else:
            problems.extend(
                f"flagged item {item_id!r} is not a {rater} item of {instrument.ref}"
                for item_id in flagged
                if item_id not in own_items
            )
    return problems


def submitted_raters(round: MeasurementRound) -> set[str]:
    """The raters whose current response in ``round`` is submitted.

    Read from the round's prefetched responses when the caller prefetched them (a page that
    shows many rounds, like the course, then decides the blind rule of each without a query
    per round); else one query.
    """
    prefetched = getattr(round, "_prefetched_objects_cache", {}).get("responses")
    if prefetched is not None:
        return {r.rater for r in prefetched if r.is_current and r.is_submitted}
    return set(round.responses.current().submitted().values_list("rater", flat=True))
