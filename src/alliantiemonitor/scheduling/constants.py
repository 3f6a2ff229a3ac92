"""Choices and defaults of schedules, channels and deliveries."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a client hears about a round that the schedule opened."""

    EMAIL = "email", _("By e-mail, to clients who gave an address and agreed to mail")
    HANDOVER = "handover", _("The professional hands it over (no message)")


class DeliveryKind(models.TextChoices):
    ROUND_OPEN = "round_open", _("Scheduled round opened")
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")
    DIGEST = "digest", _("Weekly digest")


#: The defaults of a new organisation's schedule (see docs/schedules.md).
DEFAULT_EVERY_WEEKS = 12
DEFAULT_AFTER_HANDOVER_WEEKS = 4
DEFAULT_BEFORE_END_WEEKS = 4
DEFAULT_REMINDER_AFTER_DAYS = 3
DEFAULT_REMINDER_MAX = 2
#: The weekly digest goes out on the first worker run on or after this weekday (0 = Monday)
#: and local hour.
DIGEST_WEEKDAY = 0
DIGEST_HOUR = 7
