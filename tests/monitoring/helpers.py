"""Arrange rounds through the services, with chosen characteristic scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import (
    response_save_answers,
    response_submit,
    round_start,
)


def answers_scoring(
    instrument: Any, rater: str, scores: dict[str, int | None], default: int = 3
) -> dict[str, int | None]:
    """Answers that give each characteristic the score in ``scores`` (reverse keys handled);
    ``None`` leaves that characteristic's items unanswered."""
    answers: dict[str, int | None] = {}
    for item in instrument.items_for(rater):
        target = scores.get(item.characteristic, default)
        if target is None:
            answers[item.id] = None
        else:
            answers[item.id] = instrument.scale.reverse(target) if item.reverse else target
    return {k: None if v is None else int(v) for k, v in answers.items()}


def fill(round_: MeasurementRound, rater: str, professional: Any, answers: dict, submit=True):
    response_save_answers(
        round=round_,
        rater=rater,
        answers=answers,
        mode="own_device" if rater == "client" else "professional_self",
        respondent=professional if rater == "professional" else None,
    )
    if submit:
        response_submit(
            round=round_,
            rater=rater,
            respondent=professional if rater == "professional" else None,
        )


def make_round(
    trajectory: Any,
    professional: Any,
    *,
    days_ago: int,
    client: dict[str, int | None] | None = None,
    pro: dict[str, int | None] | None = None,
    instrument_id: str | None = None,
) -> MeasurementRound:
    """Start a round, back-date it, and let each given party fill in and submit."""
    round_ = round_start(trajectory=trajectory, by=professional, instrument_id=instrument_id)
    # Back-dated so the rounds spread over time; an update skips the pin guard in save().
    MeasurementRound.objects.filter(pk=round_.pk).update(
        opened_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    round_.refresh_from_db()
    instrument = round_.instrument
    if client is not None:
        fill(round_, "client", professional, answers_scoring(instrument, "client", client))
    if pro is not None:
        fill(round_, "professional", professional, answers_scoring(instrument, "professional", pro))
    round_.refresh_from_db()
    return round_


def backdate_first_assignment(trajectory: Any, days_ago: int) -> None:
    """Let the trajectory's first professional have started ``days_ago`` days ago."""
    from alliantiemonitor.trajectories.models import Assignment

    Assignment.objects.filter(trajectory=trajectory).update(
        start=timezone.now() - dt.timedelta(days=days_ago)
    )
