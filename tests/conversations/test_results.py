"""The joint results: scores, highlighted pairs, the agenda and the blind rule."""

from __future__ import annotations

import pytest
from django.utils import translation

from alliantiemonitor.conversations.exceptions import AnswersNotVisible
from alliantiemonitor.conversations.results import round_results
from alliantiemonitor.conversations.services import agreement_add, conversation_start
from alliantiemonitor.measurements.services import round_close
from tests.conversations.conftest import answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def pair(results, client_item):
    return next(p for c in results.characteristics for p in c.pairs if p.client_item == client_item)


def test_refused_until_both_have_submitted(measurement_round, professional):
    with pytest.raises(AnswersNotVisible):
        round_results(measurement_round, viewer="professional")
    answer(measurement_round, "client", 2)
    answer(measurement_round, "professional", 4, professional=professional, submit=False)
    for viewer in ("professional", "client"):
        with pytest.raises(AnswersNotVisible):
            round_results(measurement_round, viewer=viewer)


def test_scores_side_by_side(measurement_round, professional):
    answer(measurement_round, "client", 2)
    answer(measurement_round, "professional", 4, professional=professional)
    results = round_results(measurement_round, viewer="professional")
    direction = results.characteristic("direction")
    # Four statements answered 2 and one reverse-keyed statement answered 2 (scores 4).
    assert direction.client.score == pytest.approx((2 * 4 + 4) / 5)
    assert direction.professional.score == pytest.approx((4 * 4 + 2) / 5)
    assert direction.difference == pytest.approx(-1.2)
    assert direction.highlight
    friction = results.characteristic("friction")
    assert friction.is_friction
    assert not friction.higher_is_better
    assert (friction.client.score, friction.professional.score) == (2, 4)
    assert results.client_label == "Client"
    assert results.professional_label == "Professional"
    assert pair(results, "c_direction_1").client_text.startswith("My probation officer")


def test_pair_highlighted_from_exactly_two_points(measurement_round, professional):
    answer(measurement_round, "client", 3, c_trust_1=5, c_trust_2=4)
    answer(measurement_round, "professional", 3, professional=professional)
    results = round_results(measurement_round, viewer="professional")
    exactly_two, one = pair(results, "c_trust_1"), pair(results, "c_trust_2")
    assert exactly_two.difference == 2
    assert exactly_two.highlight
    assert one.difference == 1
    assert not one.highlight
    assert [p.client_item for p in results.agenda] == ["c_trust_1"]


def test_flagged_first_then_by_size(measurement_round, professional):
    answer(
        measurement_round,
        "client",
        3,
        c_bond_1=5,  # 2 points apart
        c_trust_1=1,  # 2 points apart the other way
        c_direction_1=5,  # ... and 4 points apart below
        flagged=["c_friction_2", "c_bond_3"],
    )
    answer(measurement_round, "professional", 3, professional=professional, p_direction_1=1)
    results = round_results(measurement_round, viewer="professional")
    order = [p.client_item for p in results.agenda]
    assert set(order[:2]) == {"c_friction_2", "c_bond_3"}
    assert order[2] == "c_direction_1"
    assert set(order[3:]) == {"c_bond_1", "c_trust_1"}
    assert all(p.flagged for p in results.agenda[:2])
    assert results.flagged_count == 2


def test_reverse_keyed_pair_compared_after_reversing(measurement_round, professional):
    # Client agrees fully with "I keep important things to myself" (trust score 1); the
    # professional disagrees fully with its mirror (score 5): raw 5 vs 1, but the scores
    # tell the same story the other way round.
    answer(measurement_round, "client", 3, c_trust_5=5)
    answer(measurement_round, "professional", 3, professional=professional, p_trust_5=1)
    results = round_results(measurement_round, viewer="professional")
    reversed_pair = pair(results, "c_trust_5")
    assert reversed_pair.client_reverse
    assert reversed_pair.professional_reverse
    assert (reversed_pair.client_answer.value, reversed_pair.professional_answer.value) == (5, 1)
    assert reversed_pair.difference == -4
    assert reversed_pair.highlight


def test_not_answered_and_missing_characteristic(measurement_round, professional):
    answer(
        measurement_round,
        "client",
        4,
        c_friction_1=None,
        c_friction_2=None,
    )
    answer(measurement_round, "professional", 4, professional=professional)
    results = round_results(measurement_round, viewer="professional")
    friction = results.characteristic("friction")
    assert friction.client.score is None
    assert friction.difference is None
    assert not friction.highlight
    assert friction.client.missing_reason == (
        "Too few statements answered for a score: 2 of 4, at least 3 needed."
    )
    assert friction.professional.missing_reason == ""
    unanswered = pair(results, "c_friction_1")
    assert not unanswered.client_answer.answered
    assert unanswered.client_answer.label == "Not answered"
    assert unanswered.difference is None
    assert not unanswered.on_agenda


def test_round_closed_with_one_side(measurement_round, professional):
    answer(measurement_round, "client", 4)
    round_close(round=measurement_round, by=professional)
    results = round_results(measurement_round, viewer="client")
    assert results.client_submitted
    assert not results.professional_submitted
    assert results.characteristic("trust").professional.missing_reason == "No answers were sent."


def test_client_viewer_labels_and_agreements(both_done, professional):
    conversation = conversation_start(round=both_done, by=professional)
    agreement_add(conversation=conversation, text="Elke week bellen", by=professional)
    results = round_results(both_done, viewer="client")
    assert results.for_client
    assert results.client_label == "You"
    assert results.professional_label == "Your probation officer"
    assert [a.text for a in results.agreements] == ["Elke week bellen"]
    assert results.conversation == conversation


def test_partial_for_the_client_has_no_prompts(both_done, professional):
    from django.template.loader import render_to_string

    conversation = conversation_start(round=both_done, by=professional)
    agreement_add(conversation=conversation, text="Elke week bellen", by=professional)
    html = render_to_string(
        "conversations/_results.html", {"results": round_results(both_done, viewer="client")}
    )
    assert "Your probation officer" in html
    assert "Elke week bellen" in html
    assert "Conversation prompts" not in html
    assert "The client wants to talk about this" not in html
    assert 'style="' not in html


def test_statement_texts_follow_the_language(both_done):
    with translation.override("nl"):
        results = round_results(both_done, viewer="professional")
    assert pair(results, "c_direction_1").client_text.startswith("Mijn reclasseringswerker")
    assert pair(results, "c_direction_1").client_answer.label == "Beetje eens"


def test_unknown_viewer(both_done):
    with pytest.raises(ValueError):
        round_results(both_done, viewer="team_lead")


@pytest.mark.parametrize("viewer", ["professional", "client"])
def test_results_of_the_answers_equal_the_rounds_results(measurement_round, professional, viewer):
    """The pure computation gives exactly what the round's results give for the same answers."""
    from alliantiemonitor.conversations.results import _results_of

    flagged = ["c_trust_1", "c_bond_2"]
    answer(measurement_round, "client", 2, flagged=flagged, c_trust_1=5, c_direction_2=None)
    answer(measurement_round, "professional", 4, professional=professional, p_bond_1=1)
    agreement_add(
        conversation=conversation_start(round=measurement_round, by=professional),
        text="Samen de doelen doorlopen.",
        by=professional,
    )
    from_round = round_results(measurement_round, viewer=viewer)
    responses = {r.rater: r for r in measurement_round.responses.current()}
    pure = _results_of(
        instrument=measurement_round.instrument,
        language="en",
        vocabulary=measurement_round.vocabulary("en"),
        viewer=viewer,
        client_answers=responses["client"].answers,
        professional_answers=responses["professional"].answers,
        flagged=responses["client"].flagged,
        client_language=responses["client"].language,
        round=measurement_round,
        conversation=from_round.conversation,
        agreements=from_round.agreements,
        evaluations=from_round.evaluations,
    )
    assert pure == from_round
    assert from_round.flagged_count == 2
    assert len(from_round.agreements) == 1


def test_results_of_one_side_only_say_the_other_sent_nothing():
    from alliantiemonitor.conversations.results import _results_of
    from alliantiemonitor.instruments.registry import get_registry

    instrument = get_registry().get("kort")
    client = {i.id: 3 for i in instrument.items_for("client")}
    results = _results_of(
        instrument=instrument,
        language="en",
        vocabulary={},
        viewer="professional",
        client_answers=client,
        professional_answers=None,
    )
    assert results.round is None
    assert results.client_submitted
    assert not results.professional_submitted
    direction = results.characteristic("direction")
    assert direction.client.score is not None
    assert direction.professional.missing_reason == "No answers were sent."


def test_practice_results_take_only_a_practice_case(both_done):
    """The computation without the blind rule is reached for a generated case only."""
    from alliantiemonitor.conversations.results import practice_results

    with pytest.raises(TypeError, match="takes a PracticeCase"):
        practice_results(both_done, professional_answers={}, language="nl", vocabulary={})
