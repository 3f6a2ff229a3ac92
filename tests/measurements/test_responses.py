"""Saving, submitting and correcting responses."""

from __future__ import annotations

import pytest

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.exceptions import (
    AlreadySubmitted,
    ClientAnswersNotCorrectable,
    InvalidAnswers,
    InvalidCorrection,
    InvalidRespondent,
    NothingToSubmit,
    RoundNotOpen,
)
from alliantiemonitor.measurements.models import Response, ResponseSealed
from alliantiemonitor.measurements.services import (
    response_correct,
    response_save_answers,
    response_submit,
    round_cancel,
)
from tests.factories import full_answers

pytestmark = pytest.mark.django_db


def client_item_ids(instrument):
    return [item.id for item in instrument.items_for("client")]


def save_client(round_, answers, mode="own_device", **kwargs):
    return response_save_answers(round=round_, rater="client", answers=answers, mode=mode, **kwargs)


def save_professional(round_, professional, answers):
    return response_save_answers(
        round=round_,
        rater="professional",
        answers=answers,
        mode="professional_self",
        respondent=professional,
    )


def test_autosave_merges_answers_into_one_draft(measurement_round, instrument):
    first, second = client_item_ids(instrument)[:2]
    save_client(measurement_round, {first: 4})
    draft = save_client(measurement_round, {second: None}, flagged=[first])

    assert Response.objects.filter(round=measurement_round).count() == 1
    assert draft.answers == {first: 4, second: None}
    assert draft.flagged == [first]
    assert draft.submitted_at is None
    assert draft.version == 1


def test_a_later_answer_replaces_the_earlier_one(measurement_round, instrument):
    item = client_item_ids(instrument)[0]
    save_client(measurement_round, {item: 2})
    draft = save_client(measurement_round, {item: 5})
    assert draft.answers == {item: 5}


@pytest.mark.parametrize("value", [0, 6, -1, "3", 3.0, True])
def test_value_off_the_scale_is_rejected_and_changes_nothing(measurement_round, instrument, value):
    first, second = client_item_ids(instrument)[:2]
    save_client(measurement_round, {first: 4})

    with pytest.raises(InvalidAnswers) as excinfo:
        save_client(measurement_round, {second: 5, first: value})

    assert excinfo.value.problems
    draft = Response.objects.get(round=measurement_round)
    # The valid part of the rejected request was not stored either.
    assert draft.answers == {first: 4}


def test_items_of_the_other_rater_are_rejected(measurement_round, instrument, professional):
    professional_item = instrument.items_for("professional")[0].id
    with pytest.raises(InvalidAnswers):
        save_client(measurement_round, {professional_item: 3})
    client_item = instrument.items_for("client")[0].id
    with pytest.raises(InvalidAnswers):
        save_professional(measurement_round, professional, {client_item: 3})
    assert not Response.objects.filter(round=measurement_round).exists()


def test_unknown_item_and_unknown_flag_are_rejected(measurement_round, instrument):
    with pytest.raises(InvalidAnswers):
        save_client(measurement_round, {"c_does_not_exist": 3})
    with pytest.raises(InvalidAnswers):
        save_client(measurement_round, {}, flagged=["p_direction_1"])
    assert not Response.objects.exists()


def test_mode_must_fit_the_rater(measurement_round, instrument, professional):
    item = client_item_ids(instrument)[0]
    with pytest.raises(InvalidAnswers):
        response_save_answers(
            round=measurement_round, rater="client", answers={item: 3}, mode="professional_self"
        )


def test_professional_side_only_by_the_assigned_professional(
    measurement_round, instrument, colleague
):
    item = instrument.items_for("professional")[0].id
    with pytest.raises(InvalidRespondent):
        save_professional(measurement_round, colleague, {item: 3})
    with pytest.raises(InvalidRespondent):
        save_professional(measurement_round, None, {item: 3})


def test_submit_exactly_once(measurement_round, instrument):
    save_client(measurement_round, full_answers(instrument, "client", 4))
    response_submit(round=measurement_round, rater="client")

    with pytest.raises(AlreadySubmitted):
        response_submit(round=measurement_round, rater="client")

    assert Response.objects.filter(round=measurement_round, rater="client").count() == 1
    measurement_round.refresh_from_db()
    assert measurement_round.state == "client_done"
    assert AuditEvent.objects.filter(action="response.submit").count() == 1


def test_saving_after_submit_is_refused(measurement_round, instrument):
    item = client_item_ids(instrument)[0]
    save_client(measurement_round, {item: 4})
    response_submit(round=measurement_round, rater="client")

    with pytest.raises(AlreadySubmitted):
        save_client(measurement_round, {item: 1})

    assert Response.objects.get(round=measurement_round).answers == {item: 4}


def test_submit_without_draft_is_refused(measurement_round):
    with pytest.raises(NothingToSubmit):
        response_submit(round=measurement_round, rater="client")


def test_no_answers_in_a_cancelled_round(measurement_round, instrument, professional):
    round_cancel(round=measurement_round, by=professional)
    with pytest.raises(RoundNotOpen):
        save_client(measurement_round, {client_item_ids(instrument)[0]: 3})


def test_submitted_response_is_sealed_in_the_model(measurement_round, instrument):
    item = client_item_ids(instrument)[0]
    save_client(measurement_round, {item: 4})
    response_submit(round=measurement_round, rater="client")
    response = Response.objects.get(round=measurement_round)
    response.answers[item] = 1
    with pytest.raises(ResponseSealed):
        response.save()


def submit_both(round_, instrument, professional):
    save_client(round_, full_answers(instrument, "client", 4))
    response_submit(round=round_, rater="client")
    save_professional(round_, professional, full_answers(instrument, "professional", 3))
    response_submit(round=round_, rater="professional")


def test_correction_makes_a_new_version_and_keeps_the_old(
    measurement_round, instrument, professional
):
    # The professional typed in the client's paper form and corrects a typing error.
    save_client(measurement_round, full_answers(instrument, "client", 4), mode="paper_entry")
    response_submit(round=measurement_round, rater="client")
    save_professional(measurement_round, professional, full_answers(instrument, "professional", 3))
    response_submit(round=measurement_round, rater="professional")
    original = Response.objects.get(round=measurement_round, rater="client")
    item = client_item_ids(instrument)[0]

    corrected = response_correct(
        response=original, answers={item: 2}, reason="Typefout bij overnemen", by=professional
    )

    original.refresh_from_db()
    assert not original.is_current
    assert original.answers[item] == 4
    assert corrected.is_current
    assert corrected.version == 2
    assert corrected.supersedes == original
    assert corrected.correction_reason == "Typefout bij overnemen"
    assert corrected.answers[item] == 2
    # Items not named in the correction are carried over unchanged.
    assert corrected.answers == {**original.answers, item: 2}
    assert corrected.submitted_at is not None
    assert AuditEvent.objects.filter(action="response.submit", object_uuid=original.uuid).exists()
    correction = AuditEvent.objects.get(action="response.correct", object_uuid=corrected.uuid)
    assert correction.detail["supersedes"] == str(original.uuid)
    assert correction.actor == professional


def test_correction_needs_a_reason_and_a_current_submitted_response(
    measurement_round, instrument, professional
):
    item = client_item_ids(instrument)[0]
    draft = save_client(measurement_round, {item: 4}, mode="paper_entry")
    with pytest.raises(InvalidCorrection):
        response_correct(response=draft, answers={item: 2}, reason="fout", by=professional)
    response_submit(round=measurement_round, rater="client")
    draft.refresh_from_db()
    with pytest.raises(InvalidCorrection):
        response_correct(response=draft, answers={item: 2}, reason="  ", by=professional)
    response_correct(response=draft, answers={item: 2}, reason="fout", by=professional)
    with pytest.raises(InvalidCorrection):  # the old version is no longer current
        response_correct(response=draft, answers={item: 3}, reason="fout", by=professional)


def test_correction_validates_answers_and_refuses_others(
    measurement_round, instrument, professional, colleague
):
    item = client_item_ids(instrument)[0]
    save_client(measurement_round, {item: 4}, mode="paper_entry")
    original = response_submit(round=measurement_round, rater="client")
    with pytest.raises(InvalidAnswers):
        response_correct(response=original, answers={item: 9}, reason="x", by=professional)
    with pytest.raises(InvalidRespondent):
        response_correct(response=original, answers={item: 2}, reason="x", by=colleague)
    assert Response.objects.filter(round=measurement_round).count() == 1


def test_a_clients_own_answers_cannot_be_corrected_or_read_early(
    measurement_round, instrument, professional
):
    item = client_item_ids(instrument)[0]
    save_client(measurement_round, {item: 4})  # on the client's own device
    original = response_submit(round=measurement_round, rater="client")
    with pytest.raises(ClientAnswersNotCorrectable):
        response_correct(response=original, answers={}, reason="typo", by=professional)
    assert Response.objects.filter(round=measurement_round).count() == 1
    # The professional's own answers stay correctable by the professional.
    save_professional(measurement_round, professional, full_answers(instrument, "professional", 3))
    own = response_submit(round=measurement_round, rater="professional", respondent=professional)
    p_item = next(iter(own.answers))
    corrected = response_correct(response=own, answers={p_item: 5}, reason="mis", by=professional)
    assert corrected.answers[p_item] == 5


def test_a_handover_mid_round_does_not_pass_the_draft_on(
    measurement_round, instrument, professional, colleague
):
    from alliantiemonitor.trajectories.services import trajectory_hand_over

    draft = save_professional(
        measurement_round, professional, full_answers(instrument, "professional", 2)
    )
    trajectory_hand_over(
        trajectory=measurement_round.trajectory, to_professional=colleague, by=professional
    )
    # The new professional cannot send the previous professional's draft as their own.
    with pytest.raises(InvalidRespondent):
        response_submit(round=measurement_round, rater="professional", respondent=colleague)
    item = next(iter(full_answers(instrument, "professional", 5)))
    fresh = save_professional(measurement_round, colleague, {item: 5})
    assert fresh.pk != draft.pk
    assert fresh.answers == {item: 5}
    draft.refresh_from_db()
    assert not draft.is_current  # kept for the record, not lost
    sent = response_submit(round=measurement_round, rater="professional", respondent=colleague)
    assert sent.respondent == colleague


@pytest.fixture
def other_round(organisation, professional, team):
    """An open round of another client of the same professional."""
    import datetime as dt

    from django.utils import timezone

    from alliantiemonitor.measurements.services import round_start
    from alliantiemonitor.trajectories.services import trajectory_start
    from tests.factories import ClientFactory

    trajectory = trajectory_start(
        client=ClientFactory(organisation=organisation, display_name="B.W."),
        professional=professional,
        legal_frame="Schuldhulp",
        start_date=timezone.localdate() - dt.timedelta(days=10),
        team=team,
    )
    return round_start(trajectory=trajectory, by=professional)


def _seen(response: Response) -> Response:
    """``response`` as a page reads it: with its round's state, in one query."""
    return Response.objects.with_round_state().get(pk=response.pk)


def test_a_draft_the_caller_read_is_saved_into_and_checked_first(
    measurement_round, professional, other_round
):
    # The page hands over the draft it read (``seen``) so the service need not read it again;
    # anything but this rater's current draft in this round is refused before a write.
    draft = save_client(measurement_round, {"c_bond_1": 1})
    saved = save_client(measurement_round, {"c_bond_2": 2}, seen=_seen(draft))
    assert saved.pk == draft.pk
    assert Response.objects.get(pk=draft.pk).answers == {"c_bond_1": 1, "c_bond_2": 2}
    theirs = save_professional(measurement_round, professional, {"p_direction_1": 3})
    elsewhere = save_client(other_round, {"c_bond_1": 5})
    before = AuditEvent.objects.count()
    unsaved = Response(round=measurement_round, rater="client")
    for wrong in (_seen(theirs), _seen(elsewhere), "a draft", unsaved):
        with pytest.raises(ValueError, match="seen must be"):
            save_client(measurement_round, {"c_bond_3": 3}, seen=wrong)
    assert Response.objects.get(pk=draft.pk).answers == {"c_bond_1": 1, "c_bond_2": 2}
    assert AuditEvent.objects.count() == before
    # A draft that is no longer current (a restart since) is not written into either.
    old = _seen(draft)
    old.is_current = False
    with pytest.raises(ValueError, match="seen must be"):
        save_client(measurement_round, {"c_bond_3": 3}, seen=old)


def test_a_seen_draft_carries_the_rounds_state_of_its_own_reading(measurement_round, professional):
    # Review finding: the round read first, the draft after; the round ended in between.
    from alliantiemonitor.measurements.models import MeasurementRound

    save_client(measurement_round, {"c_bond_1": 1})
    stale = MeasurementRound.objects.get(pk=measurement_round.pk)  # as the session read it
    round_cancel(round=MeasurementRound.objects.get(pk=measurement_round.pk), by=professional)
    drafts = stale.responses.current().by_rater("client")
    with pytest.raises(ValueError, match="with_round_state"):
        save_client(stale, {"c_bond_2": 2}, seen=drafts.first())
    with pytest.raises(RoundNotOpen):
        save_client(stale, {"c_bond_2": 2}, seen=drafts.with_round_state().first())
    assert Response.objects.get(round=measurement_round, rater="client").answers == {"c_bond_1": 1}


def test_a_draft_the_caller_saw_changed_since_is_saved_under_the_lock(measurement_round):
    # The page read the draft; another tab saved meanwhile: nothing is lost.
    seen = _seen(save_client(measurement_round, {"c_bond_1": 1}))
    save_client(measurement_round, {"c_bond_2": 2})
    save_client(measurement_round, {"c_bond_3": 3}, seen=seen)
    assert Response.objects.get(pk=seen.pk).answers == {"c_bond_1": 1, "c_bond_2": 2, "c_bond_3": 3}
    # And a caller that saw no draft yet, where there is one now, merges into it too.
    save_client(measurement_round, {"c_bond_4": 4}, seen=None)
    assert Response.objects.filter(round=measurement_round, rater="client").count() == 1
    assert Response.objects.get(pk=seen.pk).answers["c_bond_4"] == 4
