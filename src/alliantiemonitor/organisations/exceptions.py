"""The errors of organisations, teams and memberships (see ``common.errors.DomainError``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class InvalidInstrument(DomainError):
    code = "invalid_instrument"
    default_message = _("This instrument variant is not available.")


class InvalidTeam(DomainError):
    code = "invalid_team"
    default_message = _("This team belongs to another organisation.")


class MembershipExists(DomainError):
    code = "membership_exists"
    default_message = _("This user already has this role in this organisation.")
