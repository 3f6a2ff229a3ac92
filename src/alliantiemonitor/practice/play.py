"""What the practice pages show: the player's statements, the joint results and the course.

The player's statements are rendered by the real fill page's templates
(``measurements/fill/*``), so :class:`PracticeQuestionnaire` offers what those templates read
of the real ``Questionnaire``; the joint view reuses the real results
(:func:`~alliantiemonitor.conversations.results.practice_results`) and the real prompts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alliantiemonitor.conversations.prompts import Prompt, prompts_for
from alliantiemonitor.conversations.results import RoundResults, practice_results
from alliantiemonitor.core.domains import default_domains
from alliantiemonitor.core.instrument import Instrument, Item, pick_language
from alliantiemonitor.core.practice import PracticeCase
from alliantiemonitor.core.scoring import score_answers
from alliantiemonitor.measurements.forms import SKIP, answer_field_name
from alliantiemonitor.measurements.views.fill import ScaleOption, Statement, scale_options
from alliantiemonitor.practice.cases import PlayerSide


def vocabulary(case: PracticeCase, language: str) -> dict[str, str]:
    """The domain words of the case's field of work, in ``language``."""
    return default_domains().vocabulary(case.domain, language)


class PracticeQuestionnaire:
    """The player's (professional's) statements of the case, with what they chose so far."""

    rater = "professional"

    def __init__(self, case: PracticeCase, side: PlayerSide, language: str) -> None:
        self.instrument: Instrument = case.instrument
        self.language = language
        self.vocabulary = vocabulary(case, language)
        self.items: tuple[Item, ...] = self.instrument.items_for("professional")
        self.answers = side.answers
        self.submitted = side.sent

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.id in self.answers)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if self.answers.get(item.id) is not None)

    @property
    def skipped(self) -> int:
        return self.done - self.answered

    @property
    def skip_label(self) -> str:
        label = self.instrument.scale.not_answered_label_for("professional")
        return pick_language(label, self.language)

    def scale(self, *, faces: bool = False) -> list[ScaleOption]:
        return scale_options(self.instrument, self.language, self.skip_label, faces=faces)

    def statements(self) -> list[Statement]:
        result = []
        for number, item in enumerate(self.items, start=1):
            if item.id in self.answers:
                value = self.answers[item.id]
                chosen = SKIP if value is None else str(value)
            else:
                chosen = ""
            result.append(
                Statement(
                    item=item,
                    number=number,
                    text=item.display_text(self.language, self.vocabulary),
                    field_name=answer_field_name(item.id),
                    value=chosen,
                    flagged=False,
                    pictogram=None,
                )
            )
        return result


def joint_results(case: PracticeCase, side: PlayerSide, language: str) -> RoundResults:
    """Both sides of the case's current round, computed as the real joint view computes them."""
    return practice_results(
        case,
        professional_answers=side.answers,
        language=language,
        vocabulary=vocabulary(case, language),
    )


def prompts(case: PracticeCase, results: RoundResults) -> list[Prompt]:
    return list(prompts_for(results, recent_handover=case.after_handover))


@dataclass(frozen=True)
class CourseRow:
    """One characteristic's scores at the previous round and now, for both sides."""

    name: str
    is_friction: bool
    client_before: float | None
    client_now: float | None
    professional_before: float | None
    professional_now: float | None

    @property
    def client_change(self) -> float | None:
        if self.client_before is None or self.client_now is None:
            return None
        return self.client_now - self.client_before


def course_rows(case: PracticeCase, side: PlayerSide | None, language: str) -> list[CourseRow]:
    """The previous round against this one; the player's own "now" once they have answered."""
    instrument = case.instrument
    client_before = score_answers(instrument, case.previous_client, "client")
    client_now = score_answers(instrument, case.current_client, "client")
    professional_before = score_answers(instrument, case.previous_professional, "professional")
    professional_now: dict[str, Any] = (
        dict(score_answers(instrument, side.answers, "professional")) if side else {}
    )
    return [
        CourseRow(
            name=pick_language(c.name, language),
            is_friction=not c.higher_is_better,
            client_before=client_before.get(c.key),
            client_now=client_now.get(c.key),
            professional_before=professional_before.get(c.key),
            professional_now=professional_now.get(c.key),
        )
        for c in instrument.characteristics
    ]
