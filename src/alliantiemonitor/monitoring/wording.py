"""The words for patterns, raters and changes, shared by the page and the charts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from alliantiemonitor.common.formatting import signed_score_text
from alliantiemonitor.core.change import Pattern, ReliableChange


def rater_label(rater: str) -> str:
    return _("Client") if rater == "client" else _("Professional")


def pattern_label(pattern: Pattern) -> str:
    """The pattern in words; never a judgement beyond what the numbers carry."""
    return {
        # The rule labels only changes it can tell from noise; the rest is not proven stable.
        Pattern.STABLE: _("no clear change"),
        Pattern.IMPROVING: _("improving"),
        Pattern.DETERIORATING: _("deteriorating"),
        Pattern.FLUCTUATING: _("fluctuating"),
        Pattern.INSUFFICIENT: _("too few rounds to say"),
    }[Pattern(pattern)]


def direction_label(change: ReliableChange) -> str:
    """The direction of a change in words: reliable or not, better or worse."""
    if change.direction == "improved":
        return _("reliably improved")
    if change.direction == "deteriorated":
        return _("reliably deteriorated")
    return _("no reliable change")


def change_text(change: ReliableChange) -> str:
    """For example "reliably improved (+1.2)"."""
    return f"{direction_label(change)} ({signed_score_text(change.difference)})"
