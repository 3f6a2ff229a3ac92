"""Choices of clients, trajectories and outcome events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
    # Client pages only; an instrument without the language falls back to Dutch.
    TURKISH = "tr", _("Turkish")
    ARABIC = "ar", _("Arabic")
    POLISH = "pl", _("Polish")


class TrajectoryStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class OutcomeKind(models.TextChoices):
    """What happened in a trajectory; research links these to the course of the alliance."""

    NO_SHOW = "no_show", _("No-show")
    FORMAL_WARNING = "formal_warning", _("Formal warning or violation")
    NEW_ARREST_OR_SUSPICION = "new_arrest_or_suspicion", _("New arrest or suspicion")
    PREMATURE_END_NEGATIVE = "premature_end_negative", _("Premature end (negative)")
    PREMATURE_END_POSITIVE = "premature_end_positive", _("Premature end (positive)")
    REGULAR_COMPLETION = "regular_completion", _("Regular completion")
    RECIDIVISM_FOLLOWUP = "recidivism_followup", _("Recidivism at follow-up")


#: The outcome kinds that end a trajectory (``trajectory_end`` records one of these).
END_KINDS = frozenset(
    {
        OutcomeKind.PREMATURE_END_NEGATIVE,
        OutcomeKind.PREMATURE_END_POSITIVE,
        OutcomeKind.REGULAR_COMPLETION,
    }
)
