"""Plain questionnaires: checking one respondent's answers and scoring them per scale.

A plain questionnaire (``kind: questionnaire`` in the instrument file) is an
:class:`~alliantiemonitor.core.instrument.Instrument` whose items all belong to one respondent
and whose characteristics are its scales. Scoring goes through the monitor's own functions
(:func:`~alliantiemonitor.core.scoring.score_answers` and
:func:`~alliantiemonitor.core.scoring.score_frame`) with ``rater=instrument.respondent``, so
reverse keying and the two-thirds rule are the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from alliantiemonitor.core.instrument import Instrument, Rater
from alliantiemonitor.core.scoring import read_answers, score_answers, score_frame

__all__ = [
    "AnswerIssue",
    "QuestionnaireAnswerError",
    "clean_questionnaire_answers",
    "respondent_of",
    "score_questionnaire",
    "score_questionnaire_frame",
]


@dataclass(frozen=True)
class AnswerIssue:
    """One answer that cannot be stored: an unknown item, or a value off the scale."""

    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.item}: {self.message}"


class QuestionnaireAnswerError(ValueError):
    """Answers to a questionnaire that cannot be stored; ``problems`` lists each one."""

    def __init__(self, problems: Iterable[AnswerIssue]) -> None:
        self.problems: list[AnswerIssue] = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def respondent_of(instrument: Instrument) -> Rater:
    """Who answers ``instrument``; ``ValueError`` when it is not a plain questionnaire."""
    if not instrument.is_questionnaire or instrument.respondent is None:
        raise ValueError(f"{instrument.ref} is not a plain questionnaire")
    return instrument.respondent


def clean_questionnaire_answers(
    instrument: Instrument, answers: Mapping[str, object]
) -> dict[str, int | None]:
    """Every item of ``instrument`` with its answer as a scale value, or ``None`` (not answered).

    ``answers`` maps item ids to values (numbers or their text, as a form posts them; empty
    means not answered). An item that is absent is not answered. Raises
    :class:`QuestionnaireAnswerError` naming every item id that the questionnaire does not
    have and every value that is not on its scale.
    """
    respondent = respondent_of(instrument)
    items = instrument.items_for(respondent)
    known = {item.id for item in items}
    problems = [
        AnswerIssue(str(key), f"{instrument.ref} has no item with this id")
        for key in answers
        if key not in known
    ]
    # One row through the scoring module's own reader: the same rule for what counts as an
    # answer (and as "not answered") as everywhere else.
    row = pd.DataFrame([{item.id: answers.get(item.id) for item in items}], dtype=object)
    values, bad = read_answers(instrument, row, respondent)
    scale = instrument.scale
    problems.extend(
        AnswerIssue(
            p.column, f"{p.value!r} is not an answer on the scale {scale.minimum}–{scale.maximum}"
        )
        for p in bad
    )
    if problems:
        raise QuestionnaireAnswerError(problems)
    return {
        item.id: None if math.isnan(value) else int(value)
        for item, value in zip(items, values[0], strict=True)
    }


def score_questionnaire(
    instrument: Instrument, answers: Mapping[str, object]
) -> dict[str, float | None]:
    """Score one response per scale: ``{scale key: mean item score or None}``.

    The rules of the monitor: reverse-keyed items are mirrored on the answer scale, a scale
    gets a score when at least two thirds of its items are answered.
    """
    return score_answers(instrument, answers, respondent_of(instrument))


def score_questionnaire_frame(instrument: Instrument, frame: pd.DataFrame) -> pd.DataFrame:
    """Score a wide frame (one row per response, one column per item id) per scale."""
    return score_frame(instrument, frame, respondent_of(instrument))
