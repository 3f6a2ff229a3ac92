"""Errors raised by the trajectory services."""

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class TrajectoryEnded(DomainError):
    code = "trajectory_ended"
    default_message = _("This trajectory has ended.")


class NotAProfessional(DomainError):
    code = "not_a_professional"
    default_message = _(
        "This person has no active professional role in the organisation of this client."
    )


class SameProfessional(DomainError):
    code = "same_professional"
    default_message = _("This professional is already assigned to this trajectory.")


class WrongOrganisation(DomainError):
    code = "wrong_organisation"
    default_message = _("This belongs to another organisation.")


class InvalidEndReason(DomainError):
    code = "invalid_end_reason"
    default_message = _("Choose how the trajectory ended.")


class InvalidDates(DomainError):
    code = "invalid_dates"
    default_message = _("The end date cannot be before the start date.")


class InvalidDisplayName(DomainError):
    code = "invalid_display_name"
    default_message = _(
        "Enter a pseudonym or initials (at most 80 characters), not a full name or an "
        "identification number."
    )


class InvalidOutcomeKind(DomainError):
    code = "invalid_outcome_kind"
    default_message = _("Choose what happened.")


class NotAPrivacyOfficer(DomainError):
    code = "not_a_privacy_officer"
    default_message = _("Only an administrator of the client's organisation can do this.")


class WrongConfirmation(DomainError):
    code = "wrong_confirmation"
    default_message = _("Type the client's reference exactly as shown to confirm.")
