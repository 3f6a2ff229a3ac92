"""The user account of staff: professionals, team leads, admins and researchers.

Clients have no account: they reach their response through an invitation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.context import current_actor


class User(AbstractUser):
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when someone else (an administrator) set the password: the user chooses a "
            "new one at their next login before they can do anything else."
        ),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def set_password(self, raw_password: str | None) -> None:
        """Set the password; a password set by anyone but the user must be changed at login.

        Anyone but the user: an administrator in the admin, ``manage.py changepassword`` or a
        shell (no actor). Code that sets a known password on purpose (the demo, browser tests)
        clears :attr:`must_change_password` after this call. A hash upgrade at login also
        passes here, but saves only the password field, so the flag is not stored then.
        """
        super().set_password(raw_password)
        actor = current_actor()
        self.must_change_password = actor is None or actor.pk != self.pk
