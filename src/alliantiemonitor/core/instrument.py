"""The in-memory model of an instrument: characteristics, scale and items.

Instruments are data (YAML/JSON files, see docs/instrument-format.md); the loader turns a
file into these frozen dataclasses after validating it. Everything here is plain Python so a
researcher can use it in a notebook without Django.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

#: Who answers: the one rater type of the whole code base. The apps store it in a text column
#: (``measurements.constants.Rater`` gives these values their labels) and turn a stored value
#: back into a ``Rater`` with :func:`as_rater`.
Rater = Literal["client", "professional"]
CLIENT: Final = "client"
PROFESSIONAL: Final = "professional"
Polarity = Literal["positive", "negative"]
Presentation = Literal["statements", "one_per_screen"]
#: ``monitor``: the alliance monitor (four characteristics, mirrored pairs for two raters);
#: ``questionnaire``: a plain questionnaire (one respondent, its own scales, no mirror pairs).
Kind = Literal["monitor", "questionnaire"]
MONITOR: Final = "monitor"
QUESTIONNAIRE: Final = "questionnaire"
KINDS: tuple[Kind, ...] = (MONITOR, QUESTIONNAIRE)

RATERS: tuple[Rater, ...] = (CLIENT, PROFESSIONAL)
CHARACTERISTIC_KEYS: tuple[str, ...] = ("direction", "trust", "bond", "friction")

#: ``{name}`` in an item text is filled in from the domain vocabulary.
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")

#: Text in several languages, keyed by language code (``nl``, ``en``, ...).
Translated = Mapping[str, str]


def as_rater(value: str) -> Rater:
    """Return ``value`` as a :data:`Rater`; raise ``ValueError`` when it names no rater."""
    if value == CLIENT:
        return CLIENT
    if value == PROFESSIONAL:
        return PROFESSIONAL
    raise ValueError(f"not a rater: {value!r} (known: client, professional)")


def pick_language(text: Translated, language: str, fallback: str = "nl") -> str:
    """Return ``text`` in ``language``, falling back to ``fallback`` and then any language."""
    if language in text:
        return text[language]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")


def fill_placeholders(text: str, vocabulary: Mapping[str, str]) -> str:
    """Replace each ``{name}`` in ``text`` by ``vocabulary[name]``; unknown names stay as is."""
    return PLACEHOLDER_RE.sub(lambda m: vocabulary.get(m.group(1), m.group(0)), text)


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: Translated
    pictogram: str | None = None


@dataclass(frozen=True)
class Scale:
    points: tuple[ScalePoint, ...]
    not_answered_label: Translated
    #: The professional's own words for "not answered" ("cannot judge"): "rather not say" is a
    #: client's reason, not a professional's. ``None``: both use ``not_answered_label``.
    not_answered_label_professional: Translated | None = None

    def not_answered_label_for(self, rater: Rater) -> Translated:
        """The label of the "not answered" choice as ``rater`` reads it."""
        if rater == "professional" and self.not_answered_label_professional is not None:
            return self.not_answered_label_professional
        return self.not_answered_label

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)

    @property
    def minimum(self) -> int:
        return min(self.values)

    @property
    def maximum(self) -> int:
        return max(self.values)

    def reverse(self, value: float) -> float:
        """Mirror ``value`` on the scale: on a 1-5 scale this is ``6 - value``."""
        return self.minimum + self.maximum - value


@dataclass(frozen=True)
class ReferenceValues:
    """Spread and reliability of a characteristic score, used for the reliable change index."""

    sd: float
    reliability: float


@dataclass(frozen=True)
class Characteristic:
    """A characteristic of the monitor, or a scale of a plain questionnaire."""

    key: str
    name: Translated
    polarity: Polarity
    description: Translated = field(default_factory=dict)
    #: Reference values per rater (``client`` / ``professional``); may be empty.
    reference: Mapping[str, ReferenceValues] = field(default_factory=dict)

    @property
    def higher_is_better(self) -> bool:
        return self.polarity == "positive"


@dataclass(frozen=True)
class Item:
    """One statement. In a plain questionnaire ``rater`` is the respondent and ``mirror`` empty."""

    id: str
    characteristic: str
    rater: Rater
    mirror: str
    text: Translated
    reverse: bool = False
    easy_text: Translated | None = None
    pictogram: str | None = None

    def display_text(
        self,
        language: str,
        vocabulary: Mapping[str, str] | None = None,
        *,
        easy_read: bool = False,
    ) -> str:
        """The statement as a person reads it: chosen language, domain words filled in."""
        source = self.easy_text if easy_read and self.easy_text else self.text
        return fill_placeholders(pick_language(source, language), vocabulary or {})


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: Translated
    languages: tuple[str, ...]
    scale: Scale
    characteristics: tuple[Characteristic, ...]
    items: tuple[Item, ...]
    description: Translated = field(default_factory=dict)
    audience: Translated = field(default_factory=dict)
    #: ``own-wording`` for the project's own formulation, ``licensed`` for an official item set.
    provenance: str = "own-wording"
    provenance_note: Translated = field(default_factory=dict)
    presentation: Presentation = "statements"
    easy_read: bool = False
    kind: Kind = MONITOR
    #: Who answers a plain questionnaire (every item is theirs); ``None`` for the monitor.
    respondent: Rater | None = None
    #: Where the definition came from (file path), for error messages; not part of identity.
    source: str = field(default="", compare=False)
    #: Languages in which only what a client reads is translated (title, scale, client items).
    client_languages: tuple[str, ...] = ()
    #: Languages whose wording is a careful translation that no study has validated.
    unvalidated_translations: tuple[str, ...] = ()

    @property
    def client_language_choices(self) -> tuple[str, ...]:
        """Every language a client can fill this instrument in."""
        return self.languages + self.client_languages

    @property
    def ref(self) -> str:
        """``id@version``, the pin that a measurement round stores."""
        return f"{self.id}@{self.version}"

    @property
    def is_questionnaire(self) -> bool:
        """A plain questionnaire: score it with ``rater=instrument.respondent``."""
        return self.kind == QUESTIONNAIRE

    def characteristic(self, key: str) -> Characteristic:
        for c in self.characteristics:
            if c.key == key:
                return c
        raise KeyError(key)

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def items_for(self, rater: Rater) -> tuple[Item, ...]:
        """The items one party answers, in the order of the file."""
        return tuple(i for i in self.items if i.rater == rater)

    def items_of(self, characteristic: str, rater: Rater) -> tuple[Item, ...]:
        return tuple(
            i for i in self.items if i.characteristic == characteristic and i.rater == rater
        )

    def mirror_pairs(self) -> tuple[tuple[Item, Item], ...]:
        """(client item, professional item) for every mirrored pair, in client order."""
        by_id = {i.id: i for i in self.items}
        return tuple(
            (item, by_id[item.mirror]) for item in self.items_for("client") if item.mirror in by_id
        )
