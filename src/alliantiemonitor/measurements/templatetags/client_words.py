"""Words that client pages take from the round: one name for the professional everywhere."""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext

from alliantiemonitor.common.language import current_language
from alliantiemonitor.measurements.models import MeasurementRound

register = template.Library()


@register.simple_tag
def professional_word(round: MeasurementRound | None) -> str:
    """How the client calls their professional: the domain's word ("reclasseringswerker").

    The same word as in the statements, so that a client never wonders whether "your
    professional" on one page and "your probation officer" on the next are two people.
    """
    language = current_language()
    word = round.vocabulary(language).get("professional") if round is not None else None
    return word or pgettext("the client's professional, when the domain has no word", "counsellor")
