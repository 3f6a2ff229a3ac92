"""Choices of the joint conversation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Party(models.TextChoices):
    CLIENT = "client", _("Client")
    PROFESSIONAL = "professional", _("Professional")


class Usefulness(models.TextChoices):
    """Three plain answers work for every client, the easy-read ones included."""

    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
