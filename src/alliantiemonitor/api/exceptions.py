"""Why a token or a webhook cannot be made or changed."""

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class NotAnOrganisationAdmin(DomainError):
    code = "not_organisation_admin"
    default_message = _(
        "Only an administrator of the organisation can manage its API tokens and webhooks."
    )


class InvalidScopes(DomainError):
    code = "invalid_scopes"
    default_message = _("Choose at least one scope from the list.")


class BoundScopeNeedsProfessional(DomainError):
    code = "scope_needs_professional"
    default_message = _(
        "Reading results and signals is only possible for a token bound to one professional."
    )


class NotAProfessionalHere(DomainError):
    code = "not_a_professional"
    default_message = _("A token can only be bound to an active professional of the organisation.")


class TokenAlreadyRevoked(DomainError):
    code = "token_revoked"
    default_message = _("This token has already been revoked.")


class InvalidWebhookEvents(DomainError):
    code = "invalid_webhook_events"
    default_message = _("Choose at least one event from the list.")


class WebhookInactive(DomainError):
    code = "webhook_inactive"
    default_message = _("This webhook has been switched off.")


class WebhookTestPending(DomainError):
    code = "webhook_test_pending"
    default_message = _(
        "A test event for this webhook is still waiting to be sent. Wait for its result first."
    )


class TooManyWebhooks(DomainError):
    code = "too_many_webhooks"
    default_message = _(
        "An organisation can have at most %(limit)s webhooks. Delete one you no longer use."
    )
