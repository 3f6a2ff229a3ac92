"""Rounds with answers on both sides, for the joint view and results tests."""

from __future__ import annotations

from typing import Any

import pytest

from alliantiemonitor.measurements.services import response_save_answers, response_submit
from tests.factories import full_answers


def answer(
    round_: Any,
    rater: str,
    value: int | None = 4,
    *,
    professional: Any = None,
    submit: bool = True,
    flagged: list[str] | None = None,
    **overrides: Any,
) -> None:
    """Fill in ``rater``'s side of ``round_`` with ``value`` everywhere except ``overrides``."""
    answers = {**full_answers(round_.instrument, rater, value), **overrides}
    response_save_answers(
        round=round_,
        rater=rater,
        answers=answers,
        flagged=flagged,
        mode="own_device" if rater == "client" else "professional_self",
        respondent=professional if rater == "professional" else None,
    )
    if submit:
        response_submit(round=round_, rater=rater)


@pytest.fixture
def both_done(measurement_round: Any, professional: Any) -> Any:
    """A round in which both sent 4 on every statement."""
    answer(measurement_round, "client", 4)
    answer(measurement_round, "professional", 4, professional=professional)
    return measurement_round
