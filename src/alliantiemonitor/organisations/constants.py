"""Choices shared by organisations and the apps that build on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    """The field of work an organisation is in; it fills in the instrument's domain words."""

    RECLASSERING = "reclassering", _("Probation (reclassering)")
    JEUGDBESCHERMING = "jeugdbescherming", _("Youth protection (jeugdbescherming)")
    JEUGDRECLASSERING = "jeugdreclassering", _("Youth probation (jeugdreclassering)")
    SCHULDHULPVERLENING = "schuldhulpverlening", _("Debt counselling (schuldhulpverlening)")
    ARBEIDSINTEGRATIE = "arbeidsintegratie", _("Labour integration (arbeidsintegratie)")
    WOONBEGELEIDING = "woonbegeleiding", _("Supported housing and shelter (woonbegeleiding)")
    JUSTITIEHUIS = "justitiehuis", _("House of justice, Flanders (justitiehuis)")


class Role(models.TextChoices):
    """What a user does within one organisation."""

    PROFESSIONAL = "professional", _("Professional")
    TEAM_LEAD = "team_lead", _("Team lead")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    RESEARCHER = "researcher", _("Researcher")


#: The instrument variant an organisation uses unless it chooses another.
DEFAULT_INSTRUMENT = "standaard"
#: The variant a round uses for a client who prefers easy-read.
EASY_READ_INSTRUMENT = "eenvoudig"
