"""The read-aloud audio address of a statement on a client page."""

from __future__ import annotations

from django import template
from django.urls import reverse

from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.speech import speech_address_parts

register = template.Library()


@register.simple_tag
def read_aloud_url(measurement_round: MeasurementRound, language: str, item_id: str) -> str:
    """The audio address of the client's statement ``item_id`` in ``language``; "" for none.

    No audio for a language without a voice (see :mod:`alliantiemonitor.measurements.speech`).
    """
    try:
        parts = speech_address_parts(measurement_round, item_id, language)
    except KeyError:
        return ""
    return reverse("client:read_aloud", kwargs=parts)
