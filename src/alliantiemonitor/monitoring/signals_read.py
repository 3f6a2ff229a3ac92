"""Reading signals: for the caseload, the course view and the team lead, in plain words."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.instrument import pick_language
from alliantiemonitor.measurements.exceptions import UnknownInstrument
from alliantiemonitor.monitoring.constants import SignalKind
from alliantiemonitor.monitoring.models import Signal


def open_signals_by_trajectory(trajectory_ids: Iterable[int]) -> dict[int, list[Signal]]:
    """``{trajectory pk: its open signals}``, unacknowledged first; one query for a caseload."""
    signals = (
        Signal.objects.open()
        .filter(trajectory_id__in=list(trajectory_ids))
        .order_by("trajectory_id", "acknowledged_at", "raised_at", "pk")
    )
    result: dict[int, list[Signal]] = defaultdict(list)
    for signal in signals:
        result[signal.trajectory_id].append(signal)
    return dict(result)


@dataclass(frozen=True)
class SignalBadge:
    """One kind of open signal on the caseload; seen when every signal of that kind is."""

    label: str
    is_acknowledged: bool


def signal_badges(signals: Iterable[Signal]) -> list[SignalBadge]:
    """One badge per kind, in the order given (unacknowledged first, as read above).

    One change in the scores raises several rows of the rules (both views pooled, one view,
    one characteristic); the caseload names the kind once and the course page has the rows.
    """
    seen: dict[str, bool] = {}
    labels: dict[str, str] = {}
    for signal in signals:
        seen[signal.kind] = seen.get(signal.kind, True) and signal.is_acknowledged
        labels.setdefault(signal.kind, str(signal.get_kind_display()))
    return [SignalBadge(labels[kind], acknowledged) for kind, acknowledged in seen.items()]


def characteristic_name(signal: Signal, language: str | None = None) -> str:
    """The name of ``signal``'s characteristic as its round's own variant gives it, else the key."""
    language = language or current_language()
    try:
        definition = signal.round.instrument.characteristic(signal.characteristic)
    except (KeyError, UnknownInstrument):
        return signal.characteristic
    return pick_language(definition.name, language)


def _seen(signal: Signal, name: str) -> str:
    """What the rule saw, in words that fit its row (see docs/signals.md for the rules).

    The rows of the rules: ``deterioration`` without a view pools both views, without a
    characteristic all characteristics; ``friction`` without a view is friction rising, with a
    view friction high; ``disagreement`` without a view is a large gap, with a view a growing
    one (that view sees it getting worse). Written about "the professional", not "you": the
    team lead reads the same words.
    """
    kind, rater, characteristic = signal.kind, signal.rater, signal.characteristic
    if kind == SignalKind.DETERIORATION:
        if characteristic:
            return _(
                "The scores on %(name)s have fallen clearly over the rounds, in the client's "
                "and the professional's answers together."
            ) % {"name": name.lower()}
        if rater == "client":
            return _(
                "The client's scores have clearly worsened over the rounds, all "
                "characteristics taken together."
            )
        if rater == "professional":
            return _(
                "The professional's own scores have clearly worsened over the rounds, all "
                "characteristics taken together."
            )
        return _(
            "The scores have clearly worsened over the rounds, all characteristics of the "
            "client and the professional taken together."
        )
    if kind == SignalKind.FRICTION:
        if rater == "client":
            return _("The client reported a lot of friction in the latest rounds.")
        if rater == "professional":
            return _("The professional reported a lot of friction in the latest rounds.")
        return _(
            "Friction has risen clearly over the rounds, in the client's and the "
            "professional's answers together."
        )
    if kind == SignalKind.AFTER_HANDOVER:
        return _(
            "Trust and the bond are lower since the change of professional than before it, in "
            "the client's and the professional's answers together."
        )
    if kind == SignalKind.DISAGREEMENT:
        if rater == "client":
            return _(
                "The client and the professional drift apart: the client sees the working "
                "relationship getting worse, the professional less so."
            )
        if rater == "professional":
            return _(
                "The client and the professional drift apart: the professional sees the "
                "working relationship getting worse, the client less so."
            )
        return _(
            "The client and the professional have seen the working relationship quite "
            "differently for several rounds."
        )
    if kind == SignalKind.NOT_DISCUSSED:
        return _("A round with answers has not been discussed with the client yet.")
    if kind == SignalKind.STOPPED_RESPONDING:
        return _("The client has not filled in the latest rounds.")
    return str(signal.get_kind_display())


_TALK_ABOUT = {
    SignalKind.DETERIORATION: lambda: _(
        "Ask how the contact feels now and what has changed since then."
    ),
    SignalKind.FRICTION: lambda: _(
        "Name the friction openly and ask what would make working together easier."
    ),
    SignalKind.AFTER_HANDOVER: lambda: _(
        "Talk about the change of professional: what the client misses, and what you can "
        "agree on together."
    ),
    SignalKind.DISAGREEMENT: lambda: _(
        "Put your answers side by side: where do you differ, and how does each of you see it?"
    ),
    SignalKind.NOT_DISCUSSED: lambda: _(
        "Plan the conversation about the results; the answers matter most when you talk "
        "about them soon."
    ),
    SignalKind.STOPPED_RESPONDING: lambda: _(
        "Ask whether the monitor still suits the client, and how filling it in could be easier."
    ),
}


@dataclass(frozen=True)
class SignalCard:
    """The open signals of one kind in one trajectory, as a page shows them.

    One change in the scores raises several rows of the rules (both views pooled, one view,
    one characteristic); the professional reads them as one card and marks them seen at once.
    ``signal`` is the card's first row: the one the acknowledge form posts to.
    """

    signal: Signal
    signals: tuple[Signal, ...]
    kind_label: str
    seen: tuple[str, ...]
    talk_about: str
    since: dt.date
    #: The joint conversation of the round that raised it, where the prompts are.
    round_uuid: Any

    @property
    def is_acknowledged(self) -> bool:
        return all(signal.is_acknowledged for signal in self.signals)


def _card(group: list[Signal]) -> SignalCard:
    first = min(group, key=lambda signal: (signal.raised_at, signal.pk))
    talk = _TALK_ABOUT.get(SignalKind(first.kind))
    seen = []
    for signal in group:
        name = characteristic_name(signal) if signal.characteristic else ""
        text = _seen(signal, name)
        if text not in seen:
            seen.append(text)
    return SignalCard(
        signal=first,
        signals=tuple(group),
        kind_label=str(first.get_kind_display()),
        seen=tuple(seen),
        talk_about=talk() if talk else "",
        since=min(timezone.localdate(signal.round.opened_at) for signal in group),
        round_uuid=first.round.uuid,
    )


def signal_cards(signals: Iterable[Signal]) -> list[SignalCard]:
    """One card per trajectory and kind, in the order of each kind's first signal given."""
    groups: dict[tuple[int, str], list[Signal]] = {}
    for signal in signals:
        groups.setdefault((signal.trajectory_id, signal.kind), []).append(signal)
    return [_card(group) for group in groups.values()]


def signal_card(signal: Signal) -> SignalCard:
    """The card ``signal`` belongs to: it and the other open signals of its kind."""
    group = list(
        Signal.objects.open()
        .filter(trajectory_id=signal.trajectory_id, kind=signal.kind)
        .select_related("round", "acknowledged_by")
        .order_by("raised_at", "pk")
    )
    return _card(group or [signal])
