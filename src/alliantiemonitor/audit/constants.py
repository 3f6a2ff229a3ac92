"""Choices of the audit log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    CLIENT = "client", _("Client")
    SYSTEM = "system", _("System")
