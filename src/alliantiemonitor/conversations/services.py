"""Writing conversations, agreements and evaluations, and marking a round as discussed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import clean_date, clean_text
from alliantiemonitor.conversations.constants import Party, Usefulness
from alliantiemonitor.conversations.exceptions import (
    AnswersNotVisible,
    ConversationExists,
    ConversationMissing,
    EvaluationExists,
    InvalidAgreement,
    InvalidConversationDate,
    InvalidEvaluation,
)
from alliantiemonitor.conversations.models import Agreement, Conversation, Evaluation
from alliantiemonitor.measurements import services as measurement_services
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import round_answers_visible


def conversation_date_check(*, round: MeasurementRound, held_on: dt.date) -> None:
    """Refuse a conversation date before ``round`` was opened or after today.

    Raises :class:`InvalidConversationDate`. The form calls this too, to show the error at
    the date field; the rule lives here.
    """
    held_on = clean_date(held_on, field=_("Date of the conversation"))
    opened_on = timezone.localdate(round.opened_at)
    if held_on < opened_on or held_on > timezone.localdate():
        raise InvalidConversationDate(opened_on=opened_on)


@transaction.atomic
def conversation_start(
    *, round: MeasurementRound, by: Any, held_on: dt.date | None = None
) -> Conversation:
    """Record the joint conversation about ``round`` (held on ``held_on``, default today).

    Only possible once the blind rule lets both see the answers (:class:`AnswersNotVisible`
    otherwise), once per round (:class:`ConversationExists`), and on a date from the round's
    opening to today (:class:`InvalidConversationDate`).
    """
    round.refresh_from_db(from_queryset=MeasurementRound.objects.select_for_update())
    held_on = held_on or timezone.localdate()
    conversation_date_check(round=round, held_on=held_on)
    if not round_answers_visible(round):
        raise AnswersNotVisible(state=round.state)
    if Conversation.objects.filter(round=round).exists():
        raise ConversationExists()
    conversation = Conversation.objects.create(round=round, held_on=held_on, held_by=by)
    audit_record(actor=by, action=Action.CONVERSATION_START, obj=conversation)
    return conversation


@transaction.atomic
def agreement_add(
    *, conversation: Conversation, text: str, by: Any, order: int | None = None
) -> Agreement:
    """Add an agreement to ``conversation``; it goes last unless ``order`` is given."""
    text = clean_text(
        text,
        field=_("Agreement"),
        max_length=1000,
        required=True,
        multiline=True,
        refuse=InvalidAgreement,
    )
    if order is None:
        highest = conversation.agreements.aggregate(highest=Max("order"))["highest"]
        order = 0 if highest is None else highest + 1
    agreement = Agreement.objects.create(
        conversation=conversation, text=text, order=order, created_by=by
    )
    audit_record(actor=by, action=Action.AGREEMENT_ADD, obj=agreement)
    return agreement


@transaction.atomic
def evaluation_record(
    *,
    conversation: Conversation,
    party: str,
    useful: str,
    comment: str = "",
    by: Any = None,
) -> Evaluation:
    """Record ``party``'s evaluation of ``conversation``, once per party.

    ``by`` is the professional who records it, or ``None`` when the client gives it
    themselves. Raises :class:`EvaluationExists` on a second evaluation by the same party.
    """
    if not isinstance(party, str) or party not in Party.values:
        raise InvalidEvaluation()
    if not isinstance(useful, str) or useful not in Usefulness.values:
        raise InvalidEvaluation()
    comment = clean_text(
        comment, field=_("Comment"), max_length=500, multiline=True, refuse=InvalidEvaluation
    )
    if conversation.evaluations.filter(party=party).exists():
        raise EvaluationExists()
    evaluation = Evaluation.objects.create(
        conversation=conversation,
        party=party,
        useful=useful,
        comment=comment,
        recorded_by=by,
    )
    audit_record(
        actor=by,
        actor_kind=ActorKind.USER if by else ActorKind.CLIENT,
        action=Action.EVALUATION_RECORD,
        obj=evaluation,
        detail={"party": party, "useful": useful},
    )
    return evaluation


@transaction.atomic
def round_mark_discussed(*, round: MeasurementRound, by: Any) -> MeasurementRound:
    """Mark ``round`` as discussed: both_done → discussed, after its conversation was recorded.

    Raises :class:`ConversationMissing` without a conversation and
    :class:`~alliantiemonitor.measurements.exceptions.InvalidTransition` from any other state.
    """
    # A conversation is never deleted, so the check holds without the round's lock; the
    # state change and its lock belong to the round's state machine in measurements.
    if not Conversation.objects.filter(round=round).exists():
        raise ConversationMissing()
    return measurement_services.round_mark_discussed(round=round, by=by)
