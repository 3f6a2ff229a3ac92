"""Practice cases on the web: the case code, the case it stands for, and the player's answers.

A case code names the whole case in readable words, ``<variant>-<course>-<domain>-<seed>``
(``kort-verslechterend-reclassering-4821``), so a teacher can write it on the board and a class
opens the same fictional client. The code is all the case there is: the client's answers are
drawn again from it on every page (:func:`~alliantiemonitor.core.practice.practice_case`).

The player's own answers live in the (server-side) session only, per case code, never in the
client tables. What comes back from the session is checked like a form: anything that is not
an answer on this case's scale is dropped, so a tampered session changes nothing but itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.practice import (
    PRACTICE_SEED_MAX,
    PracticeCase,
    practice_case,
)
from alliantiemonitor.core.synth import DEFAULT_DOMAINS
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.organisations.constants import DEFAULT_INSTRUMENT, Domain

#: The course as it reads in a case code (Dutch, like the addresses), and as a choice.
COURSE_WORDS: Mapping[str, str] = {
    "stable": "stabiel",
    "improving": "verbeterend",
    "deteriorating": "verslechterend",
    "handover": "wisseling",
}
COURSE_LABELS: Mapping[str, Any] = {
    "stable": _("Stable"),
    "improving": _("Improving"),
    "deteriorating": _("Deteriorating"),
    "handover": _("After a change of professional"),
}
COURSE_HINTS: Mapping[str, Any] = {
    "stable": _("The alliance is about as it was at the previous round."),
    "improving": _("The alliance has grown since the previous round."),
    "deteriorating": _("The alliance has weakened since the previous round."),
    "handover": _(
        "The previous round was with another professional; you have just taken over. "
        "What that did to the alliance is part of the case."
    ),
}
#: The variants a player may practise with, in the order the start page offers them.
VARIANTS: tuple[str, ...] = ("standaard", "kort", "eenvoudig")
#: The domains whose wording a case can use (the generator's and the organisations' alike).
DOMAINS: tuple[str, ...] = tuple(d for d in Domain.values if d in DEFAULT_DOMAINS)
#: Cases kept per session: enough for a lesson, not a growing store.
SESSION_CASES = 6
SESSION_KEY = "practice"


@dataclass(frozen=True)
class CaseCode:
    variant: str
    course: str
    domain: str
    seed: int

    def __str__(self) -> str:
        return f"{self.variant}-{COURSE_WORDS[self.course]}-{self.domain}-{self.seed}"

    @property
    def instrument(self) -> Instrument:
        return get_registry().get(self.variant)

    def case(self) -> PracticeCase:
        return practice_case(
            self.instrument, course=self.course, seed=self.seed, domain=self.domain
        )


def new_seed(*, exclude: int | None = None) -> int:
    """A random seed for a new case (never ``exclude``, so "a new case" is always another)."""
    while True:
        seed = 1 + secrets.randbelow(PRACTICE_SEED_MAX)
        if seed != exclude:
            return seed


def parse_code(code: str) -> CaseCode | None:
    """The case a code names, or ``None`` for anything that is not exactly a case code."""
    parts = str(code).rsplit("-", 3)
    if len(parts) != 4:
        return None
    variant, word, domain, seed_text = parts
    courses = {w: c for c, w in COURSE_WORDS.items()}
    if variant not in VARIANTS or word not in courses or domain not in DOMAINS:
        return None
    if not (seed_text.isascii() and seed_text.isdigit()) or seed_text.startswith("0"):
        return None
    seed = int(seed_text)
    if not 1 <= seed <= PRACTICE_SEED_MAX:
        return None
    return CaseCode(variant, courses[word], domain, seed)


def default_variant() -> str:
    return DEFAULT_INSTRUMENT if DEFAULT_INSTRUMENT in VARIANTS else VARIANTS[0]


# --------------------------------------------------------------------------- the player's side


@dataclass(frozen=True)
class PlayerSide:
    """The player's answers to one case: item → value (``None``: cannot judge), and sent."""

    answers: dict[str, int | None]
    sent: bool = False


def _clean(instrument: Instrument, raw: Any) -> PlayerSide:
    if not isinstance(raw, dict):
        return PlayerSide({})
    answers = raw.get("answers")
    items = {i.id for i in instrument.items_for("professional")}
    scale = set(instrument.scale.values)
    clean: dict[str, int | None] = {}
    if isinstance(answers, dict):
        for key, value in answers.items():
            if key not in items:
                continue
            if value is None or (type(value) is int and value in scale):
                clean[key] = value
    return PlayerSide(clean, sent=raw.get("sent") is True and bool(clean))


def player_side(session: Any, code: CaseCode) -> PlayerSide:
    """The player's answers to ``code`` in this session (nothing yet: empty)."""
    store = session.get(SESSION_KEY)
    if not isinstance(store, dict):
        return PlayerSide({})
    return _clean(code.instrument, store.get(str(code)))


def player_side_save(session: Any, code: CaseCode, side: PlayerSide) -> None:
    """Keep ``side`` for ``code``; the oldest other cases go when there are too many."""
    store = session.get(SESSION_KEY)
    store = dict(store) if isinstance(store, dict) else {}
    store.pop(str(code), None)
    store[str(code)] = {"answers": side.answers, "sent": side.sent}
    while len(store) > SESSION_CASES:
        store.pop(next(iter(store)))
    session[SESSION_KEY] = store


def player_side_clear(session: Any, code: CaseCode) -> None:
    """Forget the player's answers to ``code`` (to play it again)."""
    store = session.get(SESSION_KEY)
    if isinstance(store, dict) and str(code) in store:
        store = dict(store)
        del store[str(code)]
        session[SESSION_KEY] = store
