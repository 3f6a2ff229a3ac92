"""Samples of dyads for interviews: stratified per pattern, seeded and reproducible.

**Which dyads.** The consenting enrolled trajectories of the study
(:func:`~.services.consenting_trajectories`) with at least ``min_rounds`` scored rounds (rounds
whose answers both parties may see).

**Their pattern** is what the trajectory's course page shows the professional:
:func:`~alliantiemonitor.monitoring.course.trajectory_course` labels every characteristic for
both raters by the signals rule of :mod:`alliantiemonitor.core.patterns` (with the
organisation's thresholds, on the rounds of the latest variant). The dyad's pattern combines
those labels (:func:`dyad_pattern`): *deteriorating* when any label deteriorates and none
improves, *improving* the other way round, *mixed* when both occur, *stable* when every label
is stable. A dyad with no label (too few scores) is not eligible.

**The draw.** Within each pattern, every eligible dyad gets the rank
``SHA-256("<seed>:<enrolled trajectory's public id>")`` and the lowest ranks are drawn. The same
seed on the same eligible set draws the same dyads, whatever the order of the rows, Python's
version or the machine; a pattern with fewer eligible dyads than asked gives all of them
(the sample records how many were eligible).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.core.change import Pattern
from alliantiemonitor.monitoring.course import trajectory_course
from alliantiemonitor.research.access import manages_study
from alliantiemonitor.research.constants import (
    SAMPLE_MAX_SIZE,
    SAMPLE_MIN_ROUNDS,
    DyadPattern,
)
from alliantiemonitor.research.exceptions import InvalidSampleInput, NotAllowed
from alliantiemonitor.research.models import (
    EnrolledTrajectory,
    InterviewSample,
    InterviewSampleEntry,
    Study,
)
from alliantiemonitor.research.services import consenting_trajectories
from alliantiemonitor.trajectories.models import Trajectory

#: The largest seed (it fits the database's signed 64-bit integer).
MAX_SEED = 2**63 - 1


def dyad_pattern(labels: Iterable[Pattern | str]) -> DyadPattern | None:
    """The dyad's pattern from the course labels of its series; ``None`` without any label."""
    found = {Pattern(label) for label in labels} - {Pattern.INSUFFICIENT}
    up = Pattern.IMPROVING in found or Pattern.FLUCTUATING in found
    down = Pattern.DETERIORATING in found or Pattern.FLUCTUATING in found
    if up and down:
        return DyadPattern.MIXED
    if down:
        return DyadPattern.DETERIORATING
    if up:
        return DyadPattern.IMPROVING
    return DyadPattern.STABLE if found else None


def rank(seed: int, public_id: Any) -> str:
    """The place of a dyad in the draw with ``seed`` (lower is drawn first)."""
    return hashlib.sha256(f"{seed}:{public_id}".encode("ascii")).hexdigest()


def draw(
    eligible: Mapping[str, Sequence[Any]], sizes: Mapping[str, int], seed: int
) -> dict[str, list[Any]]:
    """Per pattern, the ``sizes[pattern]`` items of ``eligible`` with the lowest rank.

    Items are anything with a ``uuid``; all of them when fewer are eligible than asked.
    """
    return {
        pattern: sorted(eligible.get(pattern, ()), key=lambda item: rank(seed, item.uuid))[:size]
        for pattern, size in sizes.items()
        if size > 0
    }


def trajectory_pattern(trajectory: Trajectory) -> tuple[DyadPattern | None, int]:
    """The dyad pattern of ``trajectory`` and its number of scored rounds."""
    course = trajectory_course(trajectory)
    labels = [series.pattern for c in course.characteristics for series in c.series]
    return dyad_pattern(labels), sum(1 for info in course.rounds if info.scored)


def eligible_dyads(
    study: Study, *, min_rounds: int = SAMPLE_MIN_ROUNDS
) -> dict[str, list[EnrolledTrajectory]]:
    """The study's consenting dyads with at least ``min_rounds`` scored rounds, per pattern."""
    found: dict[str, list[EnrolledTrajectory]] = {pattern: [] for pattern in DyadPattern.values}
    for enrolled in consenting_trajectories(study).select_related("trajectory__organisation"):
        assert enrolled.trajectory is not None  # consenting_trajectories leaves erased ones out
        pattern, rounds = trajectory_pattern(enrolled.trajectory)
        if pattern is not None and rounds >= min_rounds:
            found[pattern].append(enrolled)
    return found


def _valid_sizes(sizes: Mapping[str, Any]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for pattern, size in sizes.items():
        if pattern not in DyadPattern.values:
            raise InvalidSampleInput(field="pattern")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= SAMPLE_MAX_SIZE:
            raise InvalidSampleInput(field=pattern)
        cleaned[pattern] = size
    if not any(cleaned.values()):
        raise InvalidSampleInput(field="sizes")
    return cleaned


@transaction.atomic
def interview_sample_draw(
    *,
    study: Study,
    by: Any,
    sizes: Mapping[str, int],
    seed: int | None = None,
    min_rounds: int = SAMPLE_MIN_ROUNDS,
) -> InterviewSample:
    """Draw and keep a stratified sample of the study's dyads (see the module's rules).

    ``sizes`` maps patterns (:class:`DyadPattern`) to how many dyads are wanted; without a
    ``seed`` a fresh one is chosen and kept, so the draw can be repeated. Raises
    ``NotAllowed`` for anyone but a researcher of the study, ``InvalidSampleInput`` for sizes
    outside 0–500 (none above 0), a negative or huge seed, or fewer than two rounds.
    Audited with the sizes, the numbers eligible and drawn, and the seed (never a key).
    """
    if not manages_study(by, study):
        raise NotAllowed
    wanted = _valid_sizes(sizes)
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise InvalidSampleInput(field="seed")
    if not isinstance(min_rounds, int) or not 2 <= min_rounds <= 100:
        raise InvalidSampleInput(field="min_rounds")
    eligible = eligible_dyads(study, min_rounds=min_rounds)
    drawn = draw(eligible, wanted, seed)
    sample = InterviewSample.objects.create(
        study=study,
        seed=seed,
        min_rounds=min_rounds,
        sizes=wanted,
        eligible={pattern: len(eligible[pattern]) for pattern in wanted},
        drawn_by=by,
    )
    InterviewSampleEntry.objects.bulk_create(
        InterviewSampleEntry(sample=sample, enrolled=enrolled, pattern=pattern, rank=place)
        for pattern, chosen in drawn.items()
        for place, enrolled in enumerate(chosen)
    )
    audit_record(
        actor=by,
        action=Action.INTERVIEW_SAMPLE_DRAW,
        obj=sample,
        detail={
            "study": study.uuid,
            "seed": seed,
            "min_rounds": min_rounds,
            "sizes": wanted,
            "eligible": sample.eligible,
            "drawn": {pattern: len(chosen) for pattern, chosen in drawn.items()},
        },
    )
    return sample


@dataclass(frozen=True)
class StratumSummary:
    pattern: str
    label: str
    asked: int
    eligible: int
    drawn: int

    @property
    def short(self) -> bool:
        return self.eligible < self.asked


def sample_summary(sample: InterviewSample) -> list[StratumSummary]:
    """Per pattern asked: how many were asked, eligible and drawn."""
    drawn = {pattern: sample.entries.filter(pattern=pattern).count() for pattern in sample.sizes}
    return [
        StratumSummary(
            pattern=pattern,
            label=str(DyadPattern(pattern).label),
            asked=asked,
            eligible=int(sample.eligible.get(pattern, 0)),
            drawn=drawn[pattern],
        )
        for pattern, asked in sample.sizes.items()
    ]


def sample_entries(sample: InterviewSample) -> Any:
    """The drawn dyads whose consent still stands (a client who withdrew is not approached)."""
    return (
        sample.entries.filter(enrolled__in=consenting_trajectories(sample.study).values("pk"))
        .select_related("enrolled")
        .order_by("pattern", "rank")
    )


def interview_samples(study: Study) -> Any:
    """The study's samples, newest first."""
    return InterviewSample.objects.filter(study=study).select_related("drawn_by")


def interview_draws(trajectory: Trajectory) -> dict[int, Any]:
    """``{study pk: when it was drawn}`` for the studies that drew this trajectory's client.

    Only while the consent stands: a client who withdrew is not to be approached.
    """
    found: dict[int, Any] = {}
    entries = (
        InterviewSampleEntry.objects.filter(enrolled__trajectory=trajectory)
        .filter(
            enrolled__in=EnrolledTrajectory.objects.filter(trajectory=trajectory)
            .consenting()
            .values("pk")
        )
        .select_related("sample")
        .order_by("sample__drawn_at")
    )
    for entry in entries:
        found[entry.sample.study_id] = entry.sample.drawn_at
    return found
