"""Errors raised by the conversation services."""

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class AnswersNotVisible(DomainError):
    code = "answers_not_visible"
    default_message = _(
        "The conversation can start once both have sent their answers, or the round is closed."
    )


class ConversationExists(DomainError):
    code = "conversation_exists"
    default_message = _("This round already has a conversation.")


class ConversationMissing(DomainError):
    code = "conversation_missing"
    default_message = _("Record the conversation first.")


class EvaluationExists(DomainError):
    code = "evaluation_exists"
    default_message = _("This evaluation has already been given. Thank you!")


class InvalidAgreement(DomainError):
    code = "invalid_agreement"
    default_message = _("Write the agreement in at most 1000 characters.")


class InvalidEvaluation(DomainError):
    code = "invalid_evaluation"
    default_message = _("Choose whether the conversation was useful.")


class InvalidConversationDate(DomainError):
    code = "invalid_conversation_date"
    default_message = _(
        "The conversation cannot be before the round was opened, nor in the future."
    )
