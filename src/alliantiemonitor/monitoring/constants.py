"""Choices of the monitoring app: the kinds of warning signal."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalKind(models.TextChoices):
    """The signal kinds of :data:`alliantiemonitor.core.signals.SIGNAL_KINDS`, with a label."""

    DETERIORATION = "deterioration", _("Deterioration")
    FRICTION = "friction", _("Friction")
    AFTER_HANDOVER = "after_handover", _("Falling after a change of professional")
    DISAGREEMENT = "disagreement", _("Disagreement")
    NOT_DISCUSSED = "not_discussed", _("Not discussed")
    STOPPED_RESPONDING = "stopped_responding", _("Stopped responding")


#: The longest acknowledgement note, in characters.
ACKNOWLEDGEMENT_NOTE_MAX = 300
