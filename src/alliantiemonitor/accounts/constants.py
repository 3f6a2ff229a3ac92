"""Choices of the account app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Session key set on a login through the identity provider. The two-factor rules accept such a
#: session as having its second factor: the provider's login is the one that counts.
SSO_SESSION_KEY = "am_sso"


class SsoRefusal(models.TextChoices):
    """Why a single sign-on login was refused (the audit event's ``detail["reason"]``)."""

    #: No account is linked to the provider's subject, and none could be linked by e-mail.
    NOT_LINKED = "not_linked", _("No account is linked")
    #: Several accounts share the verified e-mail address: linking one would be a guess.
    AMBIGUOUS = "ambiguous", _("Several accounts have this e-mail address")
    #: The account is already linked to another subject of this provider.
    OTHER_SUBJECT = "other_subject", _("The account is linked to another identity")
    #: The account exists but has no active membership of an organisation.
    NO_MEMBERSHIP = "no_membership", _("No active membership")
    DEACTIVATED = "deactivated", _("The account is deactivated")
    #: The provider's answer failed a check: state, nonce, signature, expiry, issuer, audience.
    INVALID = "invalid", _("The provider's answer failed a check")
    #: The provider answered with an error (the person cancelled, or it refused them).
    PROVIDER_ERROR = "provider_error", _("The provider reported an error")
    #: The provider could not be reached or answered nonsense.
    UNREACHABLE = "unreachable", _("The provider could not be reached")
