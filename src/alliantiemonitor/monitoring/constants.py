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

#: Thresholds that count rounds: the rules need at least one.
THRESHOLD_COUNTS = frozenset(
    {"friction_high_rounds", "handover_rounds", "disagreement_large_rounds", "stopped_rounds"}
)
#: The largest whole-number threshold (days or rounds): ten years of days is plenty, and the
#: rules' date arithmetic overflows on much larger numbers.
THRESHOLD_INT_MAX = 3650
#: The largest decimal threshold (scale points or z): far beyond any sensible setting.
THRESHOLD_FLOAT_MAX = 100.0
