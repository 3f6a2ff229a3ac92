"""Choices of the audit log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    CLIENT = "client", _("Client")
    SYSTEM = "system", _("System")


class AccountAction:
    """Audit actions of account changes, recorded at model level whatever the route.

    The admin, the services, ``manage.py changepassword`` and a shell all save the same models,
    so :mod:`alliantiemonitor.accounts.signals` records these; nobody has to remember to.
    """

    PASSWORD_CHANGE = "account.password_change"  # noqa: S105 (an action name)
    ACTIVATE = "account.activate"
    DEACTIVATE = "account.deactivate"
    #: ``is_staff``, ``is_superuser``, groups or permissions changed.
    PRIVILEGES_CHANGE = "account.privileges_change"
    MEMBERSHIP_ADD = "account.membership_add"
    #: Role, organisation, teams or active flag of a membership changed.
    MEMBERSHIP_CHANGE = "account.membership_change"
