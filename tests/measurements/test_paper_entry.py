"""Typing a client's paper form in: the blind rule, double entry, exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.exceptions import (
    AlreadySubmitted,
    InvalidAnswers,
    InvalidRespondent,
    PaperEntryNoMismatch,
    PaperEntrySameTypist,
    PaperEntryTooEarly,
    WrongPaperCode,
)
from alliantiemonitor.measurements.models import PaperEntry, PaperEntryState, Response
from alliantiemonitor.measurements.services import response_save_answers
from alliantiemonitor.measurements.services.paper import (
    paper_code_check,
    paper_entry_resolve,
    paper_entry_save,
    paper_form_code,
)
from alliantiemonitor.trajectories.services import trajectory_hand_over
from tests.factories import answer_round, full_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_round(measurement_round, professional):
    """A round whose professional side is sent: the client's paper may be typed in."""
    answer_round(measurement_round, "professional", professional=professional)
    measurement_round.refresh_from_db()
    return measurement_round


def test_the_code_is_checked_digit_by_digit(measurement_round):
    code = paper_form_code(measurement_round, "client")
    assert paper_code_check(round=measurement_round, rater="client", typed=code) == code
    assert paper_code_check(
        round=measurement_round, rater="client", typed=f"{code[:4]} {code[4:8]} {code[8]}"
    )
    wrong_digit = code[:3] + str((int(code[3]) + 1) % 10) + code[4:]
    for typed in [wrong_digit, paper_form_code(measurement_round, "professional"), "", None]:
        with pytest.raises(WrongPaperCode):
            paper_code_check(round=measurement_round, rater="client", typed=typed)


def test_typing_in_waits_for_the_professionals_own_side(
    measurement_round, professional, instrument
):
    with pytest.raises(PaperEntryTooEarly):
        paper_entry_save(
            round=measurement_round,
            answers=full_answers(instrument, "client"),
            by=professional,
            verify=False,
        )
    assert not PaperEntry.objects.exists()
    assert not Response.objects.filter(rater="client").exists()


def test_one_typing_is_stored_as_the_clients_sent_response(ready_round, professional, instrument):
    answers = full_answers(instrument, "client", 4)
    first = next(iter(answers))
    answers[first] = None
    entry = paper_entry_save(round=ready_round, answers=answers, by=professional, verify=False)

    ready_round.refresh_from_db()
    assert entry.state == PaperEntryState.FINAL
    response = entry.response
    assert response.rater == "client"
    assert response.mode == "paper_entry"
    assert response.respondent is None
    assert response.is_submitted
    assert response.answers == answers
    assert response.paper_entry.first_by == professional
    assert ready_round.state == "both_done"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"paper_entry.type", "response.submit"} <= actions


def test_statements_left_out_count_as_not_answered(ready_round, professional, instrument):
    items = [item.id for item in instrument.items_for("client")]
    entry = paper_entry_save(
        round=ready_round, answers={items[0]: 2}, by=professional, verify=False
    )
    assert entry.response.answers == {items[0]: 2, **dict.fromkeys(items[1:])}


def test_an_unsent_online_start_is_kept_but_the_paper_counts(ready_round, professional, instrument):
    item = instrument.items_for("client")[0].id
    draft = response_save_answers(
        round=ready_round, rater="client", answers={item: 1}, mode="own_device"
    )
    entry = paper_entry_save(
        round=ready_round,
        answers=full_answers(instrument, "client", 5),
        by=professional,
        verify=False,
    )
    draft.refresh_from_db()
    assert not draft.is_current
    assert not draft.is_submitted
    assert entry.response.supersedes == draft
    assert entry.response.answers[item] == 5


def test_a_second_typing_that_agrees_makes_the_response(
    ready_round, trajectory, professional, colleague, instrument
):
    answers = full_answers(instrument, "client", 2)
    entry = paper_entry_save(round=ready_round, answers=answers, by=professional, verify=True)
    assert entry.state == PaperEntryState.AWAITING_SECOND
    assert entry.response is None
    assert not Response.objects.filter(round=ready_round, rater="client").exists()
    with pytest.raises(PaperEntrySameTypist):
        paper_entry_save(round=ready_round, answers=answers, by=professional, verify=False)

    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    entry = paper_entry_save(round=ready_round, answers=answers, by=colleague, verify=False)

    assert entry.state == PaperEntryState.FINAL
    assert (entry.first_by, entry.second_by) == (professional, colleague)
    assert entry.response.answers == answers
    assert Response.objects.filter(round=ready_round, rater="client").count() == 1


def test_differences_are_shown_item_by_item_and_resolved_from_the_paper(
    ready_round, trajectory, professional, colleague, instrument
):
    items = [item.id for item in instrument.items_for("client")]
    first = full_answers(instrument, "client", 3)
    second = {**first, items[1]: 4, items[3]: None}
    paper_entry_save(round=ready_round, answers=first, by=professional, verify=True)
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    entry = paper_entry_save(round=ready_round, answers=second, by=colleague, verify=False)

    assert entry.state == PaperEntryState.MISMATCH
    assert entry.mismatches() == sorted([items[1], items[3]])
    assert not Response.objects.filter(round=ready_round, rater="client").exists()
    with pytest.raises(InvalidAnswers):  # every difference needs a decision
        paper_entry_resolve(entry=entry, answers={items[1]: 4}, by=colleague)
    with pytest.raises(InvalidAnswers):  # and only the differences
        paper_entry_resolve(
            entry=entry, answers={items[1]: 4, items[3]: 1, items[0]: 5}, by=colleague
        )

    entry = paper_entry_resolve(entry=entry, answers={items[1]: 4, items[3]: 3}, by=colleague)
    assert entry.state == PaperEntryState.FINAL
    assert entry.resolved_by == colleague
    assert entry.response.answers == {**first, items[1]: 4}
    with pytest.raises(PaperEntryNoMismatch):
        paper_entry_resolve(entry=entry, answers={}, by=colleague)


def test_only_who_may_act_on_the_round_types_it_in(ready_round, colleague, instrument):
    with pytest.raises(InvalidRespondent):
        paper_entry_save(
            round=ready_round,
            answers=full_answers(instrument, "client"),
            by=colleague,
            verify=False,
        )


def test_a_second_save_after_the_final_one_changes_nothing(ready_round, professional, instrument):
    answers = full_answers(instrument, "client")
    paper_entry_save(round=ready_round, answers=answers, by=professional, verify=False)
    with pytest.raises(AlreadySubmitted):
        paper_entry_save(round=ready_round, answers=answers, by=professional, verify=False)
    assert Response.objects.filter(round=ready_round, rater="client").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_typists_at_once_make_one_entry(ready_round, professional, instrument):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    answers = full_answers(instrument, "client")
    outcomes: list[object] = []

    def type_in():
        try:
            outcomes.append(
                paper_entry_save(round=ready_round, answers=answers, by=professional, verify=True)
            )
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=type_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert PaperEntry.objects.filter(round=ready_round).count() == 1
    assert sorted(type(o).__name__ for o in outcomes) == ["PaperEntry", "PaperEntrySameTypist"]


ANSWER_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([None, 0, 6, -1, 3.5, float("nan"), "3", True, [], {}, "\x00"]),
)
ANY_ANSWERS = st.one_of(
    st.dictionaries(st.text(max_size=12), ANSWER_VALUES, max_size=4),
    st.sampled_from([None, 12, "abc", ["a"], b"x", object()]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=ANY_ANSWERS, verify=st.booleans())
def test_answers_of_any_shape_are_refused_whole_or_stored_whole(
    ready_round, professional, instrument, answers, verify
):
    valid = {item.id for item in instrument.items_for("client")}
    try:
        with transaction.atomic():
            try:
                entry = paper_entry_save(
                    round=ready_round, answers=answers, by=professional, verify=verify
                )
            except InvalidAnswers as error:
                assert error.problems  # noqa: PT017 - hypothesis draws valid answers too
                assert not PaperEntry.objects.exists()
            else:
                assert isinstance(answers, dict)
                assert set(answers) <= valid
                assert all(entry.first_answers[k] == v for k, v in answers.items())
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    """Rolls each example back."""


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=ANY_ANSWERS)
def test_resolving_with_answers_of_any_shape(
    ready_round, trajectory, professional, colleague, instrument, answers
):
    items = [item.id for item in instrument.items_for("client")]
    try:
        with transaction.atomic():
            first = full_answers(instrument, "client", 3)
            paper_entry_save(round=ready_round, answers=first, by=professional, verify=True)
            trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
            entry = paper_entry_save(
                round=ready_round, answers={**first, items[0]: 1}, by=colleague, verify=False
            )
            try:
                paper_entry_resolve(entry=entry, answers=answers, by=colleague)
            except InvalidAnswers:
                entry.refresh_from_db()
                assert entry.state == PaperEntryState.MISMATCH
                assert entry.response is None
            else:
                assert set(answers) == {items[0]}
            raise _Undo
    except _Undo:
        pass
