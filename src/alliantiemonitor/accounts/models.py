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
        choices=settings.STAFF_LANGUAGES,
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


class SsoIdentity(models.Model):
    """The account that an identity provider's subject (``iss`` + ``sub``) logs in to.

    ``sub`` is the provider's stable, never reassigned key of a person; an e-mail address may
    change or be handed on, so it only serves to link an account once (see docs/sso.md).
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sso_identities", verbose_name=_("user")
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique"),
            # One identity per provider and account: a second one would be a second key to it.
            models.UniqueConstraint(fields=["issuer", "user"], name="sso_identity_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.issuer}"


class PasswordResetRequest(models.Model):
    """One request for a password-reset mail, counted per address and per e-mail address typed.

    The count lives in the database so that the limit holds across app processes. Only a keyed
    hash of the key is kept: an address and an e-mail address are personal data, and an e-mail
    address typed by a stranger need not belong to any account.
    """

    scope = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key_hash", "created_at"])]
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"
