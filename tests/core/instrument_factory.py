"""A small valid instrument as plain data, for tests that need one without the shipped files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

_NAMES = {
    "direction": ("Richting en kader", "Direction and frame"),
    "trust": ("Vertrouwen", "Trust"),
    "bond": ("Binding", "Bond"),
    "friction": ("Stroefheid", "Friction"),
}

_LABELS = [
    ("Helemaal oneens", "Strongly disagree"),
    ("Beetje oneens", "Somewhat disagree"),
    ("Niet eens, niet oneens", "Neither agree nor disagree"),
    ("Beetje eens", "Somewhat agree"),
    ("Helemaal eens", "Strongly agree"),
]


def minimal_instrument_data() -> dict[str, Any]:
    """Four characteristics, two mirrored pairs each (16 items), Dutch and English.

    Item ``c_trust_2`` / ``p_trust_2`` are reverse-keyed; ``c_direction_1`` uses the
    ``{professional}`` placeholder.
    """
    items: list[dict[str, Any]] = []
    for key in _NAMES:
        for number in (1, 2):
            for rater, prefix, other in (("client", "c", "p"), ("professional", "p", "c")):
                items.append(
                    {
                        "id": f"{prefix}_{key}_{number}",
                        "characteristic": key,
                        "rater": rater,
                        "mirror": f"{other}_{key}_{number}",
                        "reverse": key == "trust" and number == 2,
                        "text": {
                            "nl": f"Testzin {key} {number} voor de {rater}.",
                            "en": f"Test statement {key} {number} for the {rater}.",
                        },
                    }
                )
    items[0]["text"] = {
        "nl": "Mijn {professional} legt uit wat er van mij verwacht wordt.",
        "en": "My {professional} explains what is expected of me.",
    }
    return {
        "id": "testmonitor",
        "version": "1.0.0",
        "title": {"nl": "Testmonitor", "en": "Test monitor"},
        "languages": ["nl", "en"],
        "provenance": "own-wording",
        "scale": {
            "points": [
                {"value": value, "label": {"nl": nl, "en": en}}
                for value, (nl, en) in enumerate(_LABELS, start=1)
            ],
            "not_answered_label": {"nl": "Weet ik niet", "en": "Don't know"},
        },
        "characteristics": [
            {
                "key": key,
                "name": {"nl": nl, "en": en},
                "polarity": "negative" if key == "friction" else "positive",
            }
            for key, (nl, en) in _NAMES.items()
        ],
        "items": items,
    }


def write_instrument(folder: Path, data: dict[str, Any] | None = None, name: str = "") -> Path:
    """Write instrument ``data`` (default: the minimal one) as YAML into ``folder``."""
    data = copy.deepcopy(data) if data is not None else minimal_instrument_data()
    path = folder / (name or f"{data.get('id', 'instrument')}-{data.get('version', '0')}.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
