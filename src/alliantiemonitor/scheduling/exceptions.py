"""Errors raised by the scheduling services."""

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class NotAnAdmin(DomainError):
    code = "not_an_admin"
    default_message = _("Only an administrator of this organisation can change its schedule.")


class InvalidSchedule(DomainError):
    code = "invalid_schedule"
    default_message = _("This schedule is not valid.")


class InvalidUnsubscribeLink(DomainError):
    code = "invalid_unsubscribe_link"
    default_message = _("This link does not work. It may have been changed or cut off.")
