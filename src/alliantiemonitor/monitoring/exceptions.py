"""Errors raised by the monitoring services."""

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class SignalNotOpen(DomainError):
    code = "signal_not_open"
    default_message = _("This signal is no longer raised; there is nothing to acknowledge.")


class SignalAlreadyAcknowledged(DomainError):
    code = "signal_already_acknowledged"
    default_message = _("This signal has already been acknowledged.")


class NotAssigned(DomainError):
    code = "not_assigned"
    default_message = _("Only the professional of this trajectory can do this.")


class InvalidNote(DomainError):
    code = "invalid_note"
    default_message = _("Write a short note of at most 300 characters.")


class InvalidThresholds(DomainError):
    code = "invalid_thresholds"
    default_message = _("These thresholds are not valid.")
