"""The joint results of a round, as both parties may see them once the blind rule allows.

:func:`round_results` is the only reader of the other party's answers for the conversation
pages: the professional's joint view and the client's results page both render what it
returns, so the blind rule is checked in one place. It **raises**
:class:`~alliantiemonitor.conversations.exceptions.AnswersNotVisible` (a ``DomainError``)
instead of returning ``None``, so a caller that forgets the check fails loudly rather than
rendering an empty page that looks like "no answers".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import get_language_info, gettext, pgettext

from alliantiemonitor.common.language import current_language
from alliantiemonitor.conversations.exceptions import AnswersNotVisible
from alliantiemonitor.conversations.models import Agreement, Conversation, Evaluation
from alliantiemonitor.core.instrument import Instrument, Item, pick_language
from alliantiemonitor.core.instrument import Rater as RaterKey
from alliantiemonitor.core.practice import PracticeCase
from alliantiemonitor.core.scoring import (
    characteristic_discrepancies,
    pair_discrepancies,
    required_answers,
    score_answers,
)
from alliantiemonitor.measurements.constants import Rater
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import round_answers_visible

VIEWERS = ("professional", "client")


@dataclass(frozen=True)
class Answer:
    """One raw answer as a person reads it: the value and the scale label, or "not answered"."""

    value: int | None
    label: str

    @property
    def answered(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class PairResult:
    """Both answers on one mirrored pair of statements.

    ``difference`` is client − professional *after reverse keying* (so like is compared with
    like); ``None`` when either side did not answer.
    """

    characteristic: str
    characteristic_name: str
    client_item: str
    professional_item: str
    client_text: str
    professional_text: str
    client_answer: Answer
    professional_answer: Answer
    client_reverse: bool
    professional_reverse: bool
    difference: float | None
    highlight: bool
    flagged: bool

    @property
    def on_agenda(self) -> bool:
        return self.highlight or self.flagged

    @property
    def gap(self) -> float | None:
        return None if self.difference is None else abs(self.difference)

    @property
    def gap_points(self) -> int:
        """The difference in whole points (item scores are whole numbers)."""
        return 0 if self.gap is None else round(self.gap)


@dataclass(frozen=True)
class SideScore:
    """One party's score on one characteristic, or why there is none."""

    score: float | None
    answered: int
    total: int
    required: int
    submitted: bool
    scale_max: int

    @property
    def missing_reason(self) -> str:
        """Why there is no score (empty when there is one), in the current language."""
        if self.score is not None:
            return ""
        if not self.submitted:
            return gettext("No answers were sent.")
        return gettext(
            "Too few statements answered for a score: %(answered)s of %(total)s, "
            "at least %(required)s needed."
        ) % {"answered": self.answered, "total": self.total, "required": self.required}

    @property
    def percent(self) -> float:
        """The score as a share of the top of the scale, for the bar (0 when missing)."""
        if self.score is None:
            return 0.0
        return round(self.score / self.scale_max * 100, 1)


@dataclass(frozen=True)
class CharacteristicResult:
    """Both parties' scores on one characteristic, and its pairs in instrument order."""

    key: str
    name: str
    description: str
    higher_is_better: bool
    client: SideScore
    professional: SideScore
    difference: float | None
    highlight: bool
    pairs: tuple[PairResult, ...]

    @property
    def is_friction(self) -> bool:
        return not self.higher_is_better

    @property
    def gap(self) -> float | None:
        return None if self.difference is None else abs(self.difference)

    @property
    def agenda_count(self) -> int:
        """How many of its pairs are on the agenda (flagged or far apart)."""
        return sum(1 for p in self.pairs if p.on_agenda)

    @property
    def client_higher(self) -> bool:
        return self.difference is not None and self.difference > 0


@dataclass(frozen=True)
class EvaluationResult:
    party: str
    party_label: str
    useful: str
    useful_label: str
    comment: str


@dataclass(frozen=True)
class RoundResults:
    """Everything the joint view and the client's results page show about one round."""

    #: The round the answers belong to; ``None`` for answers that are no round's (practice).
    round: MeasurementRound | None
    viewer: str
    instrument: Instrument
    language: str
    #: How the two parties are called for this viewer ("Client"/"Professional" on the shared
    #: screen, "You"/"Your probation officer" for the client).
    client_label: str
    professional_label: str
    professional_noun: str
    client_submitted: bool
    professional_submitted: bool
    characteristics: tuple[CharacteristicResult, ...]
    agenda: tuple[PairResult, ...]
    scale_min: int
    scale_max: int
    scale_labels: tuple[tuple[int, str], ...]
    conversation: Conversation | None = None
    agreements: tuple[Agreement, ...] = ()
    evaluations: tuple[EvaluationResult, ...] = ()
    pair_threshold: float = 2.0
    characteristic_threshold: float = 1.0
    flagged_count: int = field(default=0)
    #: The language the client read the statements in, when it is not the viewer's (empty
    #: otherwise, and for answers saved before the language was recorded).
    client_language: str = ""

    @property
    def client_language_name(self) -> str:
        """The client's language by name, in the viewer's language ("Turks")."""
        if not self.client_language:
            return ""
        return str(get_language_info(self.client_language)["name_translated"])

    @property
    def client_language_unvalidated(self) -> bool:
        return self.client_language in self.instrument.unvalidated_translations

    @property
    def for_client(self) -> bool:
        return self.viewer == "client"

    @property
    def scale_midpoint(self) -> float:
        return (self.scale_min + self.scale_max) / 2

    @property
    def friction_name(self) -> str:
        """The name of the characteristic where higher is worse (its bars have own colours)."""
        return next((c.name for c in self.characteristics if c.is_friction), "")

    def characteristic(self, key: str) -> CharacteristicResult | None:
        return next((c for c in self.characteristics if c.key == key), None)

    def evaluation_of(self, party: str) -> EvaluationResult | None:
        return next((e for e in self.evaluations if e.party == party), None)


def round_results(round: MeasurementRound, *, viewer: str) -> RoundResults:
    """The joint results of ``round`` for ``viewer`` (``"professional"`` or ``"client"``).

    Raises :class:`AnswersNotVisible` unless the blind rule lets both parties see both sides
    (:func:`~alliantiemonitor.measurements.services.round_answers_visible`). The caller has
    already checked that the viewer may open this round (``get_round_for`` for staff, the
    client session for the client).
    """
    if viewer not in VIEWERS:
        raise ValueError(f"viewer must be one of {VIEWERS}, not {viewer!r}")
    if not round_answers_visible(round):
        raise AnswersNotVisible(state=round.state)

    language = current_language()
    responses = {r.rater: r for r in round.responses.current().submitted()}
    client_response = responses.get(Rater.CLIENT)
    professional_response = responses.get(Rater.PROFESSIONAL)
    conversation, agreements, evaluations = _conversation(round)
    return _results_of(
        instrument=round.instrument,
        language=language,
        vocabulary=round.vocabulary(language),
        viewer=viewer,
        client_answers=client_response.answers if client_response else None,
        professional_answers=professional_response.answers if professional_response else None,
        flagged=client_response.flagged if client_response else (),
        client_language=client_response.language if client_response else "",
        round=round,
        conversation=conversation,
        agreements=agreements,
        evaluations=evaluations,
    )


def practice_results(
    case: PracticeCase,
    *,
    professional_answers: Mapping[str, Any] | None,
    language: str,
    vocabulary: Mapping[str, str],
) -> RoundResults:
    """The joint results of a practice case: its fictional client's answers and the player's.

    Takes the :class:`~alliantiemonitor.core.practice.PracticeCase` itself (never a round's
    answers): the computation has no blind rule, so nothing but a generated case may reach it
    without :func:`round_results`' check.
    """
    if not isinstance(case, PracticeCase):
        raise TypeError(f"practice_results takes a PracticeCase, not {type(case).__name__}")
    return _results_of(
        instrument=case.instrument,
        language=language,
        vocabulary=vocabulary,
        viewer="professional",
        client_answers=case.current_client,
        professional_answers=professional_answers,
        flagged=case.flagged,
    )


def _results_of(
    *,
    instrument: Instrument,
    language: str,
    vocabulary: Mapping[str, str],
    viewer: str,
    client_answers: Mapping[str, Any] | None,
    professional_answers: Mapping[str, Any] | None,
    flagged: Iterable[str] = (),
    client_language: str = "",
    round: MeasurementRound | None = None,
    conversation: Conversation | None = None,
    agreements: tuple[Agreement, ...] = (),
    evaluations: tuple[EvaluationResult, ...] = (),
) -> RoundResults:
    """The joint results of two sets of answers, read by ``viewer`` in ``language``.

    The computation behind :func:`round_results` and :func:`practice_results`, without the
    database and without the blind rule: private, so that only those two, which decide that
    the answers may be shown, reach it. ``None`` for a side's answers means that side
    sent nothing; ``{}`` that it sent an empty form. ``client_language`` is the language the
    client read the statements in (noted when it is not ``language``).
    """
    if viewer not in VIEWERS:
        raise ValueError(f"viewer must be one of {VIEWERS}, not {viewer!r}")
    client_submitted = client_answers is not None
    professional_submitted = professional_answers is not None
    client_answers = client_answers or {}
    professional_answers = professional_answers or {}
    flagged = set(flagged)

    client_scores = score_answers(instrument, client_answers, "client")
    professional_scores = score_answers(instrument, professional_answers, "professional")
    char_diffs = {
        d.characteristic: d
        for d in characteristic_discrepancies(
            client_scores,
            professional_scores,
            threshold=settings.ALLIANTIEMONITOR_CHARACTERISTIC_DISCREPANCY,
        )
    }
    pair_diffs = pair_discrepancies(
        instrument,
        client_answers,
        professional_answers,
        threshold=settings.ALLIANTIEMONITOR_PAIR_DISCREPANCY,
    )

    names = {c.key: pick_language(c.name, language) for c in instrument.characteristics}
    # The client read the easy-read wording when the variant has it; show what they read.
    client_easy = instrument.easy_read

    pairs: list[PairResult] = []
    for diff in pair_diffs:
        c_item = instrument.item(diff.client_item)
        p_item = instrument.item(diff.professional_item)
        pairs.append(
            PairResult(
                characteristic=diff.characteristic,
                characteristic_name=names.get(diff.characteristic, diff.characteristic),
                client_item=c_item.id,
                professional_item=p_item.id,
                client_text=c_item.display_text(language, vocabulary, easy_read=client_easy),
                professional_text=p_item.display_text(language, vocabulary),
                client_answer=_answer(instrument, language, diff.client_value),
                professional_answer=_answer(instrument, language, diff.professional_value),
                client_reverse=c_item.reverse,
                professional_reverse=p_item.reverse,
                difference=diff.difference,
                highlight=diff.highlight,
                flagged=c_item.id in flagged,
            )
        )

    characteristics = []
    for c in instrument.characteristics:
        diff = char_diffs.get(c.key)
        characteristics.append(
            CharacteristicResult(
                key=c.key,
                name=names[c.key],
                description=pick_language(c.description, language) if c.description else "",
                higher_is_better=c.higher_is_better,
                client=_side(
                    instrument,
                    c.key,
                    "client",
                    client_answers,
                    client_scores,
                    submitted=client_submitted,
                ),
                professional=_side(
                    instrument,
                    c.key,
                    "professional",
                    professional_answers,
                    professional_scores,
                    submitted=professional_submitted,
                ),
                difference=diff.difference if diff else None,
                highlight=bool(diff and diff.highlight),
                pairs=tuple(p for p in pairs if p.characteristic == c.key),
            )
        )

    professional_noun = vocabulary.get("professional") or gettext("professional")
    if viewer == "client":
        client_label = pgettext("the client, addressed", "You")
        professional_label = gettext("Your %(professional)s") % {"professional": professional_noun}
    else:
        client_label = gettext("Client")
        professional_label = gettext("Professional")

    return RoundResults(
        client_language="" if client_language in ("", language) else client_language,
        round=round,
        viewer=viewer,
        instrument=instrument,
        language=language,
        client_label=client_label,
        professional_label=professional_label,
        professional_noun=professional_noun,
        client_submitted=client_submitted,
        professional_submitted=professional_submitted,
        characteristics=tuple(characteristics),
        agenda=agenda_of(pairs),
        scale_min=instrument.scale.minimum,
        scale_max=instrument.scale.maximum,
        scale_labels=tuple(
            (p.value, pick_language(p.label, language)) for p in instrument.scale.points
        ),
        conversation=conversation,
        agreements=agreements,
        evaluations=evaluations,
        pair_threshold=settings.ALLIANTIEMONITOR_PAIR_DISCREPANCY,
        characteristic_threshold=settings.ALLIANTIEMONITOR_CHARACTERISTIC_DISCREPANCY,
        flagged_count=sum(1 for p in pairs if p.flagged),
    )


def agenda_of(pairs: list[PairResult]) -> tuple[PairResult, ...]:
    """The pairs to talk about: flagged by the client first, then by size of the difference.

    A pair is on the agenda when the client flagged it or its difference is highlighted.
    Within each group the bigger difference comes first (unanswered last), then the
    instrument order, which ``sorted`` keeps because it is stable.
    """
    on_agenda = [p for p in pairs if p.on_agenda]
    return tuple(
        sorted(on_agenda, key=lambda p: (not p.flagged, -(p.gap if p.gap is not None else -1)))
    )


def _answer(instrument: Instrument, language: str, value: int | None) -> Answer:
    if value is None:
        return Answer(None, gettext("Not answered"))
    for point in instrument.scale.points:
        if point.value == value:
            return Answer(value, pick_language(point.label, language))
    return Answer(value, str(value))  # pragma: no cover - validated on save


def _side(
    instrument: Instrument,
    key: str,
    rater: RaterKey,
    answers: Mapping[str, Any],
    scores: Mapping[str, float | None],
    *,
    submitted: bool,
) -> SideScore:
    items: tuple[Item, ...] = instrument.items_of(key, rater)
    answered = sum(1 for i in items if answers.get(i.id) is not None)
    return SideScore(
        score=scores.get(key),
        answered=answered,
        total=len(items),
        required=required_answers(len(items)) if items else 0,
        submitted=submitted,
        scale_max=instrument.scale.maximum,
    )


def _conversation(
    round: MeasurementRound,
) -> tuple[Conversation | None, tuple[Agreement, ...], tuple[EvaluationResult, ...]]:
    conversation = Conversation.objects.filter(round=round).first()
    if conversation is None:
        return None, (), ()
    agreements = tuple(conversation.agreements.all())
    evaluations = tuple(
        EvaluationResult(
            party=e.party,
            party_label=e.get_party_display(),
            useful=e.useful,
            useful_label=e.get_useful_display(),
            comment=e.comment,
        )
        for e in Evaluation.objects.filter(conversation=conversation).order_by("party")
    )
    return conversation, agreements, evaluations
