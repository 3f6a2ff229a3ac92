"""A hand-built instrument for the scoring and change tests, independent of the shipped files.

Items per rater: direction 3, trust 4, bond 2, friction 5, so the two-thirds rule can be tested
at 3, 4, 2 and 5 items. Reverse-keyed: ``c_direction_2``/``p_direction_2``, ``c_trust_2`` (its
mirror ``p_trust_2`` is *not* reverse-keyed: "I keep things to myself" against "this client is
open with me") and ``c_friction_5``.
"""

from __future__ import annotations

from alliantiemonitor.core.instrument import (
    Characteristic,
    Instrument,
    Item,
    ReferenceValues,
    Scale,
    ScalePoint,
)

COUNTS = {"direction": 3, "trust": 4, "bond": 2, "friction": 5}
REVERSED = {"c_direction_2", "p_direction_2", "c_trust_2", "c_friction_5"}


def make_instrument() -> Instrument:
    """Build the four-characteristic test instrument (28 items, 14 per rater)."""
    scale = Scale(
        points=tuple(ScalePoint(v, {"nl": str(v), "en": str(v)}) for v in range(1, 6)),
        not_answered_label={"nl": "Weet ik niet", "en": "Don't know"},
    )
    characteristics = tuple(
        Characteristic(
            key=key,
            name={"nl": key, "en": key},
            polarity="negative" if key == "friction" else "positive",
            reference={
                "client": ReferenceValues(sd=0.7, reliability=0.84),
                "professional": ReferenceValues(sd=0.6, reliability=0.8),
            },
        )
        for key in COUNTS
    )
    items = []
    for key, count in COUNTS.items():
        for number in range(1, count + 1):
            for prefix, rater, other in (("c", "client", "p"), ("p", "professional", "c")):
                item_id = f"{prefix}_{key}_{number}"
                items.append(
                    Item(
                        id=item_id,
                        characteristic=key,
                        rater=rater,  # type: ignore[arg-type]
                        mirror=f"{other}_{key}_{number}",
                        text={"nl": f"Zin {item_id}", "en": f"Statement {item_id}"},
                        reverse=item_id in REVERSED,
                    )
                )
    return Instrument(
        id="scoretest",
        version="1.0.0",
        title={"nl": "Scoretest", "en": "Score test"},
        languages=("nl", "en"),
        scale=scale,
        characteristics=characteristics,
        items=tuple(items),
    )


def client_ids() -> list[str]:
    return [i.id for i in make_instrument().items_for("client")]


def professional_ids() -> list[str]:
    return [i.id for i in make_instrument().items_for("professional")]
