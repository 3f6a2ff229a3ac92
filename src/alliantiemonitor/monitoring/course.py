"""The course of the alliance over time in one trajectory (verloop), as plain data.

:func:`trajectory_course` gathers a trajectory's rounds, scores them with the core and judges
the changes between them; the view and the SVG renderer only read what it returns.

Rules that shape the result:

* Blind until both are done: a round whose answers are not yet visible
  (:func:`round_answers_visible`) has no scores here. A round that still collects answers is
  listed as pending; a round that ended without visible answers (cancelled, expired) is left
  out, because there is nothing to show of it.
* Variants differ (``standaard``, ``kort``, ``eenvoudig``): their scores share the 1–5 scale but
  not their items or reference values, so a change is only computed between two rounds of the
  same instrument id. The pattern and the first → latest change use the rounds of the variant
  of the latest scored round.
* The pattern (improving, deteriorating, no clear change) follows the signals rule
  (:mod:`alliantiemonitor.core.patterns`) with the organisation's thresholds, so that a long
  stable course is not labelled more often than a short one.
* A characteristic with too few answered statements has no score (``None``): a gap in the
  line, never a zero.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.change import (
    Pattern,
    ReliableChange,
    choose_reference,
    clear_change,
)
from alliantiemonitor.core.instrument import (
    CHARACTERISTIC_KEYS,
    CLIENT,
    PROFESSIONAL,
    RATERS,
    Instrument,
    Polarity,
    Rater,
    ReferenceValues,
    as_rater,
    pick_language,
)
from alliantiemonitor.core.patterns import Series as PatternSeries
from alliantiemonitor.core.patterns import course_patterns
from alliantiemonitor.core.signals import SignalSettings
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import round_answers_visible
from alliantiemonitor.monitoring.models import (
    OwnReferences,
    organisation_references,
    organisation_signal_settings,
)
from alliantiemonitor.trajectories.constants import END_KINDS
from alliantiemonitor.trajectories.models import Trajectory


@dataclass(frozen=True)
class Handover:
    """A change of professional (wisseling van begeleider) on the time axis."""

    at: dt.datetime
    date: dt.date
    from_name: str
    to_name: str


@dataclass(frozen=True)
class OutcomeMark:
    """An outcome event, or the end of the trajectory, on the time axis."""

    #: Midday of ``date``, so that the mark sits in the middle of its day on the axis.
    at: dt.datetime
    date: dt.date
    kind: str
    label: str
    note: str
    is_end: bool


@dataclass(frozen=True)
class RoundInfo:
    """One round as it appears on the time axis and in the table."""

    uuid: Any
    at: dt.datetime
    date: dt.date
    instrument_id: str
    instrument_version: str
    instrument_title: str
    state: str
    #: False while the round still collects answers (pending: no scores yet).
    scored: bool
    after_handover: bool

    @property
    def instrument_ref(self) -> str:
        return f"{self.instrument_id}@{self.instrument_version}"


@dataclass(frozen=True)
class Point:
    """One rater's score on one characteristic in one round."""

    round: RoundInfo
    #: ``None`` when the round is pending, the rater did not submit, or too few statements
    #: of this characteristic were answered.
    score: float | None
    #: The change since the previous scored round of the same variant (``None`` for the
    #: first, or when there is no comparable earlier score).
    change: ReliableChange | None = None
    #: True when there is an earlier score, but of another variant, so nothing was compared.
    not_comparable: bool = False
    #: Whether this rater submitted in this round (a missing score then means too few
    #: statements of the characteristic were answered).
    submitted: bool = False


@dataclass(frozen=True)
class RaterSeries:
    """The course of one characteristic for one rater."""

    rater: Rater
    points: tuple[Point, ...]
    #: Reference values (SD, reliability) of the latest scored round's variant, if it has any.
    reference: ReferenceValues | None
    #: Minimum detectable change in points, from ``reference``.
    mdc: float | None
    pattern: Pattern
    #: The change from the first to the latest scored round of the latest variant.
    overall: ReliableChange | None
    #: The variant whose rounds the pattern and ``overall`` are based on.
    instrument_id: str | None

    @property
    def scored_points(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.score is not None)

    @property
    def reliable_changes(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.change is not None and p.change.reliable)


@dataclass(frozen=True)
class CharacteristicCourse:
    key: str
    name: str
    polarity: Polarity
    client: RaterSeries
    professional: RaterSeries

    @property
    def series(self) -> tuple[RaterSeries, RaterSeries]:
        return (self.client, self.professional)

    @property
    def is_friction(self) -> bool:
        return self.key == "friction"

    @property
    def higher_is_better(self) -> bool:
        return self.polarity == "positive"

    def rows(self) -> list[tuple[RoundInfo, Point, Point]]:
        """(round, client point, professional point) per round, in time order."""
        return [
            (c.round, c, p)
            for c, p in zip(self.client.points, self.professional.points, strict=True)
        ]


@dataclass(frozen=True)
class Course:
    trajectory: Trajectory
    rounds: tuple[RoundInfo, ...]
    handovers: tuple[Handover, ...]
    characteristics: tuple[CharacteristicCourse, ...]
    #: Outcome events and the end, oldest first.
    events: tuple[OutcomeMark, ...] = ()
    #: The number of responses behind the organisation's own reference values that this
    #: course uses; ``None`` when it uses only the questionnaire's provisional values.
    own_reference_n: int | None = None

    @property
    def has_scores(self) -> bool:
        """Whether any round has a score to show (otherwise: the empty state)."""
        return any(r.scored for r in self.rounds)

    @property
    def pending_rounds(self) -> tuple[RoundInfo, ...]:
        return tuple(r for r in self.rounds if not r.scored)

    @property
    def mixed_variants(self) -> bool:
        """Whether the scored rounds used more than one variant (so not all are compared)."""
        return len({r.instrument_id for r in self.rounds if r.scored}) > 1

    def characteristic(self, key: str) -> CharacteristicCourse:
        for c in self.characteristics:
            if c.key == key:
                return c
        raise KeyError(key)


def person_name(user: Any) -> str:
    """How a professional is named on the page: full name, else user name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _handovers(trajectory: Trajectory) -> tuple[Handover, ...]:
    assignments = (
        trajectory.assignments.handovers()
        .select_related("professional", "handed_over_from__professional")
        .order_by("start", "pk")
    )
    return tuple(
        Handover(
            at=a.start,
            date=timezone.localdate(a.start),
            from_name=person_name(a.handed_over_from.professional if a.handed_over_from else None),
            to_name=person_name(a.professional),
        )
        for a in assignments
    )


def _outcome_marks(trajectory: Trajectory) -> tuple[OutcomeMark, ...]:
    return tuple(
        OutcomeMark(
            at=timezone.make_aware(dt.datetime.combine(event.date, dt.time(12))),
            date=event.date,
            kind=event.kind,
            label=event.get_kind_display(),
            note=event.note,
            is_end=event.kind in END_KINDS,
        )
        for event in trajectory.outcome_events.order_by("date", "pk")
    )


def _round_scores(measurement_round: MeasurementRound) -> dict[str, dict[str, float | None]]:
    """``{rater: {characteristic: score}}`` of the current submitted responses (stored scores)."""
    scores: dict[str, dict[str, float | None]] = {}
    for response in measurement_round.responses.all():
        # Filtered in Python so the prefetch in trajectory_course serves every round.
        if response.is_current and response.is_submitted:
            scores[as_rater(response.rater)] = response.score_map()
    return scores


def _series(
    key: str,
    rater: Rater,
    rounds: Sequence[RoundInfo],
    scores: Sequence[float | None],
    submitted: Sequence[bool],
    instruments: dict[str, Instrument],
    polarity: Polarity,
    own: dict[tuple[str, str, str], OwnReferences],
    settings: SignalSettings,
) -> RaterSeries:
    """One rater's series, each change judged against the round-to-round wobble.

    Every change shown on the page (each round against the one before, the first against the
    latest) is one comparison of one family (:func:`~alliantiemonitor.core.change.clear_change`),
    so the marks of a stable series do not multiply with its rounds. The pattern is judged
    later for all series at once by the signals rule (see :func:`_with_patterns`).
    """
    # First the comparable pairs: a round against the scored one before it, same variant,
    # with reference values for the round's own version.
    steps: list[tuple[float, float] | None] = []
    not_comparable: list[bool] = []
    previous: tuple[RoundInfo, float] | None = None
    for info, score in zip(rounds, scores, strict=True):
        step = None
        mismatch = False
        if score is not None and previous is not None:
            earlier_round, earlier_score = previous
            if earlier_round.instrument_id != info.instrument_id:
                mismatch = True
            elif _reference(instruments[info.instrument_ref], key, rater, own, info) is not None:
                step = (earlier_score, score)
        steps.append(step)
        not_comparable.append(mismatch)
        if score is not None:
            previous = (info, score)

    scored = [
        (info, score) for info, score in zip(rounds, scores, strict=True) if score is not None
    ]
    latest = scored[-1][0] if scored else None
    reference = (
        _reference(instruments[latest.instrument_ref], key, rater, own, latest)
        if latest is not None
        else None
    )
    if reference is None:
        points = tuple(
            Point(round=info, score=score, change=None, not_comparable=mismatch, submitted=done)
            for info, score, done, mismatch in zip(
                rounds, scores, submitted, not_comparable, strict=True
            )
        )
        instrument_id = latest.instrument_id if latest is not None else None
        return RaterSeries(rater, points, None, None, Pattern.INSUFFICIENT, None, instrument_id)

    assert latest is not None  # a reference needs a scored round
    same_variant = [score for info, score in scored if info.instrument_id == latest.instrument_id]
    first_to_latest = (same_variant[0], same_variant[-1]) if len(same_variant) >= 2 else None
    comparisons = max(1, sum(step is not None for step in steps) + (first_to_latest is not None))
    # The wobble between rounds includes the measurement error; reference values that speak
    # of a larger error (an organisation's own, with a wide spread) still count.
    wobble = max(settings.noise(rater, key), reference.sd * math.sqrt(1 - reference.reliability))

    def judged(pair: tuple[float, float]) -> ReliableChange:
        return clear_change(
            pair[0], pair[1], wobble=wobble, comparisons=comparisons, polarity=polarity
        )

    points = tuple(
        Point(
            round=info,
            score=score,
            change=judged(step) if step is not None else None,
            not_comparable=mismatch,
            submitted=done,
        )
        for info, score, done, step, mismatch in zip(
            rounds, scores, submitted, steps, not_comparable, strict=True
        )
    )
    return RaterSeries(
        rater=rater,
        points=points,
        reference=reference,
        mdc=judged((0.0, 0.0)).mdc,
        pattern=Pattern.INSUFFICIENT,
        overall=judged(first_to_latest) if first_to_latest is not None else None,
        instrument_id=latest.instrument_id,
    )


def _reference(
    instrument: Instrument,
    key: str,
    rater: Rater,
    own: dict[tuple[str, str, str], OwnReferences],
    info: RoundInfo,
) -> ReferenceValues | None:
    """The organisation's own values for the round's instrument version, else the instrument's."""
    stored = own.get((info.instrument_id, info.instrument_version, rater))
    try:
        return choose_reference(instrument, key, rater, own=stored.values if stored else None)
    except KeyError:  # the variant lacks this characteristic
        return None


def trajectory_course(trajectory: Trajectory, *, language: str | None = None) -> Course:
    """Gather the course of every characteristic over ``trajectory``'s rounds.

    Only what the blind rule allows is scored (see the module docstring); names and variant
    titles are given in ``language`` (default: the active language).
    """
    language = language or current_language()
    rounds_qs = (
        MeasurementRound.objects.for_trajectory(trajectory)
        .prefetch_related("responses__scores")
        .order_by("opened_at", "pk")
    )
    infos: list[RoundInfo] = []
    round_scores: list[dict[str, dict[str, float | None]]] = []
    instruments: dict[str, Instrument] = {}
    for measurement_round in rounds_qs:
        visible = round_answers_visible(measurement_round)
        if not visible and not measurement_round.is_collecting:
            continue
        instrument = measurement_round.instrument
        instruments[measurement_round.instrument_ref] = instrument
        infos.append(
            RoundInfo(
                uuid=measurement_round.uuid,
                at=measurement_round.opened_at,
                date=timezone.localdate(measurement_round.opened_at),
                instrument_id=measurement_round.instrument_id,
                instrument_version=measurement_round.instrument_version,
                instrument_title=pick_language(instrument.title, language),
                state=measurement_round.state,
                scored=visible,
                after_handover=measurement_round.after_handover,
            )
        )
        round_scores.append(_round_scores(measurement_round) if visible else {})

    # Names and polarity as the latest round's own variant defines them.
    defining = [instruments[info.instrument_ref] for info in infos]
    if not defining:
        defining = _next_round_instrument(trajectory)
    # One query per course page: the organisation's own reference values, if it has any.
    own = organisation_references(trajectory.organisation)
    settings = organisation_signal_settings(trajectory.organisation)
    characteristics: list[CharacteristicCourse] = []
    for key in _keys(instruments.values()):
        definition = _definition(key, defining)
        name = pick_language(definition.name, language) if definition else key
        polarity: Polarity = definition.polarity if definition else "positive"
        series = {
            rater: _series(
                key,
                rater,
                infos,
                [scores.get(rater, {}).get(key) for scores in round_scores],
                [rater in scores for scores in round_scores],
                instruments,
                polarity,
                own,
                settings,
            )
            for rater in RATERS
        }
        characteristics.append(
            CharacteristicCourse(
                key=key,
                name=name,
                polarity=polarity,
                client=series[CLIENT],
                professional=series[PROFESSIONAL],
            )
        )
    return Course(
        trajectory=trajectory,
        rounds=tuple(infos),
        handovers=_handovers(trajectory),
        characteristics=_with_patterns(characteristics, settings),
        events=_outcome_marks(trajectory),
        own_reference_n=_own_reference_n(infos, own),
    )


def _own_reference_n(
    infos: Sequence[RoundInfo], own: dict[tuple[str, str, str], OwnReferences]
) -> int | None:
    """How many responses the own reference values used for the scored rounds rest on."""
    used = {
        (info.instrument_id, info.instrument_version, rater)
        for info in infos
        if info.scored
        for rater in RATERS
    }
    counts = [own[key].n for key in sorted(used) if key in own]
    return sum(counts) if counts else None


def _with_patterns(
    characteristics: Sequence[CharacteristicCourse], settings: SignalSettings
) -> tuple[CharacteristicCourse, ...]:
    """Label every series by the signals rule, in one pass (:mod:`core.patterns`).

    A series is judged on the scored rounds of the variant of its latest scored round, like
    the change since the first round; one with no reference values stays "too few rounds".
    """
    judged = [
        (c, series)
        for c in characteristics
        for series in c.series
        if series.reference is not None and series.instrument_id is not None
    ]
    labels = course_patterns(
        [
            PatternSeries(
                c.key,
                series.rater,
                [
                    p.score
                    for p in series.scored_points
                    if p.round.instrument_id == series.instrument_id
                ],
            )
            for c, series in judged
        ],
        settings=settings,
    )
    pattern = {
        (c.key, series.rater): label for (c, series), label in zip(judged, labels, strict=True)
    }
    return tuple(
        dataclasses.replace(
            c,
            client=dataclasses.replace(
                c.client, pattern=pattern.get((c.key, c.client.rater), Pattern.INSUFFICIENT)
            ),
            professional=dataclasses.replace(
                c.professional,
                pattern=pattern.get((c.key, c.professional.rater), Pattern.INSUFFICIENT),
            ),
        )
        for c in characteristics
    )


def _keys(instruments: Any) -> list[str]:
    """The four characteristics in their usual order, then any a loaded variant adds."""
    keys = list(CHARACTERISTIC_KEYS)
    for instrument in instruments:
        keys += [c.key for c in instrument.characteristics if c.key not in keys]
    return keys


def _definition(key: str, instruments: Sequence[Instrument]) -> Any:
    """The characteristic as the latest of ``instruments`` that has it defines it."""
    for instrument in reversed(instruments):
        try:
            return instrument.characteristic(key)
        except KeyError:
            continue
    return None


def _next_round_instrument(trajectory: Trajectory) -> list[Instrument]:
    """The instrument a first round would use, to name the characteristics before there is one."""
    try:
        return [get_registry().get(trajectory.default_variant)]
    except KeyError:  # an organisation default that is no longer installed
        return []
