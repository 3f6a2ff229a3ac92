"""The joint conversation: only after the blind rule allows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.conversations.exceptions import (
    AnswersNotVisible,
    ConversationExists,
    ConversationMissing,
    EvaluationExists,
    InvalidAgreement,
    InvalidEvaluation,
)
from alliantiemonitor.conversations.services import (
    agreement_add,
    conversation_start,
    evaluation_record,
    round_mark_discussed,
)
from alliantiemonitor.measurements.exceptions import InvalidTransition
from alliantiemonitor.measurements.services import (
    round_close,
)
from tests.factories import answer_round

pytestmark = pytest.mark.django_db


def submit(round_, rater, professional=None):
    answer_round(round_, rater, professional=professional)


@pytest.fixture
def both_done(measurement_round, professional):
    submit(measurement_round, "client")
    submit(measurement_round, "professional", professional)
    return measurement_round


def test_conversation_needs_visible_answers(measurement_round, professional):
    with pytest.raises(AnswersNotVisible):
        conversation_start(round=measurement_round, by=professional)
    submit(measurement_round, "client")
    with pytest.raises(AnswersNotVisible):
        conversation_start(round=measurement_round, by=professional)


def test_conversation_after_a_round_closed_with_one_side(measurement_round, professional):
    submit(measurement_round, "client")
    round_close(round=measurement_round, by=professional)
    day = timezone.localdate(measurement_round.opened_at)
    conversation = conversation_start(round=measurement_round, by=professional, held_on=day)
    assert conversation.held_on == day


def test_one_conversation_per_round(both_done, professional):
    conversation_start(round=both_done, by=professional)
    with pytest.raises(ConversationExists):
        conversation_start(round=both_done, by=professional)


def test_agreements_are_ordered_and_audited(both_done, professional):
    conversation = conversation_start(round=both_done, by=professional)
    first = agreement_add(conversation=conversation, text="Elke week bellen", by=professional)
    second = agreement_add(conversation=conversation, text=" Samen naar de bank ", by=professional)
    assert (first.order, second.order) == (0, 1)
    assert second.text == "Samen naar de bank"
    assert list(conversation.agreements.values_list("order", flat=True)) == [0, 1]
    event = AuditEvent.objects.filter(action="agreement.add").first()
    assert event.client == both_done.trajectory.client
    with pytest.raises(InvalidAgreement):
        agreement_add(conversation=conversation, text="   ", by=professional)


def test_one_evaluation_per_party(both_done, professional):
    conversation = conversation_start(round=both_done, by=professional)
    evaluation_record(conversation=conversation, party="client", useful="yes")
    evaluation_record(
        conversation=conversation, party="professional", useful="partly", by=professional
    )
    with pytest.raises(EvaluationExists):
        evaluation_record(conversation=conversation, party="client", useful="no")
    with pytest.raises(InvalidEvaluation):
        evaluation_record(conversation=conversation, party="client", useful="4")
    assert sorted(conversation.evaluations.values_list("party", "useful")) == [
        ("client", "yes"),
        ("professional", "partly"),
    ]
    client_event = AuditEvent.objects.get(action="evaluation.record", detail__party="client")
    assert client_event.actor_kind == "client"


def test_mark_discussed_needs_the_conversation_and_both_done(
    measurement_round, both_done, professional
):
    with pytest.raises(ConversationMissing):
        round_mark_discussed(round=both_done, by=professional)
    conversation_start(round=both_done, by=professional)
    discussed = round_mark_discussed(round=both_done, by=professional)
    assert discussed.state == "discussed"
    with pytest.raises(InvalidTransition):
        round_mark_discussed(round=both_done, by=professional)


def test_a_conversation_cannot_be_dated_before_the_round_opened(both_done, professional):
    from alliantiemonitor.conversations.exceptions import InvalidConversationDate
    from alliantiemonitor.conversations.models import Conversation

    opened = timezone.localdate(both_done.opened_at)
    with pytest.raises(InvalidConversationDate):
        conversation_start(round=both_done, by=professional, held_on=opened - dt.timedelta(days=1))
    assert not Conversation.objects.filter(round=both_done).exists()
    assert conversation_start(round=both_done, by=professional, held_on=opened).held_on == opened
