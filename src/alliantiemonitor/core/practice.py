"""Practice cases: one synthetic client, drawn from the generator, to play a round against.

A practice case is fixed by ``(instrument, course, domain, seed)``: the same four give the same
client, the same previous round and the same answers of the current round, so a teacher can
give a whole class one case and anyone can replay it. Nothing here is a real person or a
finding; the answers come from :func:`alliantiemonitor.core.synth.generate`, with its
parameters pinned so that the chosen course really happens:

``stable``         no change of the whole alliance between the previous round and this one;
``improving``      the whole alliance improves by the generator's change (about 0.9 points);
``deteriorating``  the whole alliance deteriorates by as much;
``handover``       the previous round was with another professional; the course is drawn as
                   the generator draws it after a handover (deterioration made more likely,
                   as the research reports for a change of professional).

Each case has two rounds: the previous one (both sides answered) and the current one, in which
only the client has answered. The player fills in the professional's side of the current round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.synth import DEFAULT_DOMAINS, SynthParams, generate

__all__ = [
    "PRACTICE_COURSES",
    "PRACTICE_SEED_MAX",
    "PracticeCase",
    "practice_case",
]

#: The courses a player can choose, in the order the start page offers them.
PRACTICE_COURSES: tuple[str, ...] = ("stable", "improving", "deteriorating", "handover")
#: Seeds run from 1 to this (five digits: short enough to read out to a class).
PRACTICE_SEED_MAX = 99_999

#: Letters for the fictional initials (no letters that read alike: I/L/O/Q/U/Y/X/C).
_INITIALS = "ABDEFGHJKMNPRSTVWZ"

_PINNED: Mapping[str, Any] = {
    # Two rounds: the previous one and the current one.
    "rounds_min": 2,
    "rounds_max": 2,
    # Both parties answer every round; nobody stops.
    "client_round_missing_rate": 0.0,
    "professional_round_missing_rate": 0.0,
    "p_stops_responding": 0.0,
    # The narrower courses would blur the chosen one.
    "p_one_characteristic": 0.0,
    "p_disagreement": 0.0,
    # One professional per trajectory, so that two trajectories give a pool of two: the
    # generator hands over only where the domain has another professional.
    "caseload": 1,
}

_COURSE_PARAMS: Mapping[str, Mapping[str, Any]] = {
    "stable": {"p_improving": 0.0, "p_deteriorating": 0.0, "handover_probability": 0.0},
    "improving": {"p_improving": 1.0, "p_deteriorating": 0.0, "handover_probability": 0.0},
    "deteriorating": {
        "p_improving": 0.0,
        "p_deteriorating": 1.0,
        "rr_deteriorating_substance": 1.0,
        "rr_deteriorating_handover": 1.0,
        "rr_deteriorating_motivated": 1.0,
        "handover_probability": 0.0,
    },
    # About half of the cases after a handover deteriorate (0.2 × the handover's 2.5), the
    # rest mostly stay as they were: a change of professional is a risk, not a certainty.
    "handover": {"p_deteriorating": 0.2, "handover_probability": 1.0},
}

Answers = dict[str, int | None]


@dataclass(frozen=True)
class PracticeCase:
    """One fictional client with a previous round and the client's side of the current one."""

    instrument: Instrument
    course: str
    domain: str
    seed: int
    #: Fictional initials, e.g. ``"K.M."``; the pages say that the client is fictional.
    pseudonym: str
    legal_frame: str
    #: The course the generator actually drew (``stable``/``improving``/``deteriorating``);
    #: for ``handover`` it may be any of them, for the others it equals the chosen one.
    drawn_course: str
    #: The previous round was with another professional.
    after_handover: bool
    #: Days between the previous round and this one.
    interval_days: int
    previous_client: Answers
    previous_professional: Answers
    current_client: Answers
    #: Client items the client marked as "I want to talk about this", in instrument order.
    flagged: tuple[str, ...]


def practice_case(instrument: Instrument, *, course: str, seed: int, domain: str) -> PracticeCase:
    """Draw the practice case ``(instrument, course, domain, seed)``; the same four, the same case.

    Raises ``ValueError`` for an unknown course or domain, or a seed outside
    ``1..PRACTICE_SEED_MAX``.
    """
    if course not in PRACTICE_COURSES:
        raise ValueError(f"course must be one of {PRACTICE_COURSES}, not {course!r}")
    if domain not in DEFAULT_DOMAINS:
        raise ValueError(f"domain must be one of {DEFAULT_DOMAINS}, not {domain!r}")
    if not 1 <= seed <= PRACTICE_SEED_MAX:
        raise ValueError(f"seed must lie between 1 and {PRACTICE_SEED_MAX}, got {seed}")
    params = SynthParams(**_PINNED, **_COURSE_PARAMS[course])
    data = generate(instrument, trajectories=2, seed=seed, domains=(domain,), params=params)
    trajectory = data.trajectories.iloc[0]
    tid = trajectory["trajectory_id"]
    responses = data.responses[data.responses["trajectory_id"] == tid]

    def answers(rater: str, round_index: int) -> Answers:
        row = responses[(responses["rater"] == rater) & (responses["round_index"] == round_index)]
        values = row.iloc[0]
        return {
            item.id: None if np.isnan(values[item.id]) else int(values[item.id])
            for item in instrument.items_for("client" if rater == "client" else "professional")
        }

    rounds = data.rounds[data.rounds["trajectory_id"] == tid].sort_values("round_index")
    dates = list(rounds["round_date"])
    current_client = answers("client", 1)
    # A stream of its own for what the generator does not draw (initials, flags), so the
    # answers stay exactly the generator's.
    rng = np.random.default_rng(np.random.SeedSequence([seed, PRACTICE_COURSES.index(course)]))
    first, second = rng.choice(list(_INITIALS), size=2)
    return PracticeCase(
        instrument=instrument,
        course=course,
        domain=domain,
        seed=seed,
        pseudonym=f"{first}.{second}.",
        legal_frame=str(trajectory["legal_frame"]),
        drawn_course=str(trajectory["course"]),
        after_handover=bool(rounds.iloc[1]["after_handover"]),
        interval_days=int((dates[1] - dates[0]).days),
        previous_client=answers("client", 0),
        previous_professional=answers("professional", 0),
        current_client=current_client,
        flagged=_flags(instrument, current_client, rng),
    )


def _flags(instrument: Instrument, answers: Answers, rng: np.random.Generator) -> tuple[str, ...]:
    """Up to two statements the client marks: among those that sound least favourable."""
    count = int(rng.integers(0, 3))
    scale = instrument.scale
    weights: list[tuple[float, float, str]] = []
    for item in instrument.items_for("client"):
        value = answers.get(item.id)
        if value is None:
            continue
        keyed = scale.reverse(value) if item.reverse else float(value)
        polarity = instrument.characteristic(item.characteristic).polarity
        favourable = keyed if polarity == "positive" else scale.minimum + scale.maximum - keyed
        weights.append((favourable, float(rng.random()), item.id))
    chosen = {item_id for _f, _tie, item_id in sorted(weights)[:count]}
    return tuple(i.id for i in instrument.items_for("client") if i.id in chosen)
