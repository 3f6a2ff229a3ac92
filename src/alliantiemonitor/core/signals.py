"""Warning signals in a trajectory's course, from the scores of its rounds.

placeholder — replaced by helper S's module at merge. It has exactly the fixed interface
(``SIGNAL_KINDS``, ``SignalSettings``, ``detect_signals``) with simple, honest rules, so that the
web app can be built and tested against it; the measured rules live in helper S's module.

Placeholder rules, evaluated at every round r with the rounds up to r only (no hindsight); as
in helper S's module, a signal is reported at the first round of every run of rounds in which
its rule holds:

* ``deterioration``: a rater's score on a characteristic is ``deterioration_points`` or more
  worse than in that rater's first scored round (for friction, higher is worse);
* ``friction``: a rater's friction is ``friction_high`` or more;
* ``after_handover``: in a round after a change of professional, trust or bond of a rater is
  ``handover_drop`` or more below that rater's score in the last round before the change;
* ``disagreement``: client and professional differ ``disagreement_large`` or more on a
  characteristic in the same round;
* ``not_discussed``: a round's scores were complete more than ``not_discussed_days`` days
  before ``today`` and it has no ``discussed_date``;
* ``stopped_responding``: the client did not submit in the last ``stopped_rounds`` rounds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

SIGNAL_KINDS: tuple[str, ...] = (
    "deterioration",
    "friction",
    "after_handover",
    "disagreement",
    "not_discussed",
    "stopped_responding",
)

_CHARACTERISTICS = ("direction", "trust", "bond", "friction")
_HIGHER_IS_WORSE = frozenset({"friction"})
_OUTPUT_COLUMNS = ["trajectory_id", "kind", "round_index", "characteristic", "rater", "detail"]


@dataclass(frozen=True)
class SignalSettings:
    """Thresholds of the signal rules; every field has a documented default."""

    #: Points worse than the first round that count as a deterioration.
    deterioration_points: float = 1.0
    #: Friction score from which friction counts as high.
    friction_high: float = 3.75
    #: Points that trust or bond fall after a change of professional.
    handover_drop: float = 1.0
    #: Points of difference between client and professional that count as disagreement.
    disagreement_large: float = 1.5
    #: Days within which a complete round should be discussed.
    not_discussed_days: int = 28
    #: Rounds in a row without the client's answers.
    stopped_rounds: int = 2


def detect_signals(
    scores: pd.DataFrame,
    *,
    settings: SignalSettings | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """One row per signal raised (see the module docstring for the placeholder rules)."""
    settings = settings or SignalSettings()
    today = today or dt.date.today()
    characteristics = [c for c in _CHARACTERISTICS if c in scores.columns]
    by_trajectory: dict[str, list[dict[str, Any]]] = {}
    for record in scores.to_dict("records"):
        by_trajectory.setdefault(str(record["trajectory_id"]), []).append(
            {str(k): v for k, v in record.items()}
        )
    rows: list[dict[str, object]] = []
    for trajectory_id, records in by_trajectory.items():
        records.sort(key=lambda r: (int(r["round_index"]), str(r["rater"])))
        raised = _trajectory_signals(trajectory_id, records, characteristics, settings, today)
        flagged = {(r["kind"], r["characteristic"], r["rater"], r["round_index"]) for r in raised}
        rows += [
            r
            for r in raised
            if (r["kind"], r["characteristic"], r["rater"], int(str(r["round_index"])) - 1)
            not in flagged
        ]
    return pd.DataFrame(rows, columns=_OUTPUT_COLUMNS)


def _value(record: dict[str, Any], key: str) -> float | None:
    value = record.get(key)
    if value is None or pd.isna(value):
        return None
    return float(value)


def _worse(key: str, before: float, after: float) -> float:
    return after - before if key in _HIGHER_IS_WORSE else before - after


def _trajectory_signals(
    trajectory_id: str,
    records: list[dict[str, Any]],
    characteristics: list[str],
    settings: SignalSettings,
    today: dt.date,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    eps = 1e-9

    def add(kind: str, r: int, key: str | None, rater: str | None, detail: str) -> None:
        rows.append(
            {
                "trajectory_id": trajectory_id,
                "kind": kind,
                "round_index": r,
                "characteristic": key,
                "rater": rater,
                "detail": detail,
            }
        )

    for rater in ("client", "professional"):
        own = [r for r in records if r["rater"] == rater]
        for key in characteristics:
            first: tuple[int, float] | None = None
            before_handover: float | None = None
            for record in own:
                r, value = int(record["round_index"]), _value(record, key)
                if value is None:
                    continue
                if first is None:
                    first = (r, value)
                worse = _worse(key, first[1], value)
                if r > first[0] and worse >= settings.deterioration_points - eps:
                    add(
                        "deterioration", r, key, rater, f"{key} {worse:+.1f} since round {first[0]}"
                    )
                if key == "friction" and value >= settings.friction_high - eps:
                    add("friction", r, key, rater, f"friction {value:.1f}")
                if key in ("trust", "bond"):
                    if bool(record["after_handover"]) and before_handover is not None:
                        drop = before_handover - value
                        if drop >= settings.handover_drop - eps:
                            add(
                                "after_handover", r, key, rater, f"{key} -{drop:.1f} after handover"
                            )
                    else:
                        before_handover = value
    rounds: dict[int, dict[str, dict[str, Any]]] = {}
    for record in records:
        rounds.setdefault(int(record["round_index"]), {})[str(record["rater"])] = record
    for r, pair in sorted(rounds.items()):
        if "client" in pair and "professional" in pair:
            for key in characteristics:
                a, b = _value(pair["client"], key), _value(pair["professional"], key)
                if (
                    a is not None
                    and b is not None
                    and abs(a - b) >= settings.disagreement_large - eps
                ):
                    add("disagreement", r, key, None, f"{key} gap {abs(a - b):.1f}")
        any_record = next(iter(pair.values()))
        discussed = any_record.get("discussed_date")
        complete = len(pair) == 2 and all(bool(p["submitted"]) for p in pair.values())
        round_date = pd.Timestamp(any_record["round_date"]).date()
        late = (today - round_date).days > settings.not_discussed_days
        if "discussed_date" in any_record and complete and pd.isna(discussed) and late:
            add("not_discussed", r, None, None, f"not discussed since {round_date}")
    missed = 0
    for r, pair in sorted(rounds.items()):
        client = pair.get("client")
        missed = 0 if client is not None and bool(client["submitted"]) else missed + 1
        if missed >= settings.stopped_rounds:
            add("stopped_responding", r, None, "client", f"{missed} rounds missed")
    return rows
