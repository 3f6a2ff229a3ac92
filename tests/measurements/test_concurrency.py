"""Two simultaneous submits of the same response: one wins, the other is told it was sent."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from alliantiemonitor.measurements.exceptions import AlreadySubmitted
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import response_save_answers, response_submit
from tests.factories import full_answers


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_store_exactly_once(measurement_round):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    response_save_answers(
        round=measurement_round,
        rater="client",
        answers=full_answers(measurement_round.instrument, "client", 4),
        mode="own_device",
    )
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def submit() -> None:
        try:
            start.wait()
            round_ = MeasurementRound.objects.get(pk=measurement_round.pk)
            response_submit(round=round_, rater="client")
            outcomes.append("submitted")
        except AlreadySubmitted:
            outcomes.append("already")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already", "submitted"]
    assert Response.objects.filter(round=measurement_round).count() == 1
    measurement_round.refresh_from_db()
    assert measurement_round.state == "client_done"


def _client_draft(measurement_round, value=4):
    return response_save_answers(
        round=measurement_round,
        rater="client",
        answers=full_answers(measurement_round.instrument, "client", value),
        mode="own_device",
    )


def _in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_an_autosave_waiting_on_a_send_is_refused(measurement_round):
    # The send holds the draft's row lock; the autosave, which takes no round lock, waits for
    # it, finds the draft sent and says so: nothing is written into a sent response.
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    from django.db import transaction

    draft = _client_draft(measurement_round)
    item = next(iter(draft.answers))
    sending = threading.Event()
    outcomes: list[str] = []

    def send() -> None:
        with transaction.atomic():
            response_submit(
                round=MeasurementRound.objects.get(pk=measurement_round.pk), rater="client"
            )
            sending.set()
            time.sleep(0.5)

    def save() -> None:
        sending.wait()
        try:
            response_save_answers(
                round=MeasurementRound.objects.get(pk=measurement_round.pk),
                rater="client",
                answers={item: 1},
                mode="own_device",
            )
            outcomes.append("saved")
        except AlreadySubmitted:
            outcomes.append("already")

    threads = [_in_thread(send), _in_thread(save)]
    for thread in threads:
        thread.join()
    assert outcomes == ["already"]
    sent = Response.objects.get(round=measurement_round)
    assert sent.is_submitted
    assert sent.answers[item] == 4


@pytest.mark.django_db(transaction=True)
def test_a_send_waiting_on_an_autosave_scores_the_saved_answer(measurement_round):
    # The autosave holds the draft's row (its conditional update); the send waits for it and
    # then scores the answers as saved, so the stored scores match the sent answers.
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    from django.db import transaction

    from alliantiemonitor.core.scoring import score_answers

    draft = _client_draft(measurement_round)
    items = [i.id for i in measurement_round.instrument.items_for("client")]
    saved = threading.Event()

    def save() -> None:
        with transaction.atomic():
            response_save_answers(
                round=MeasurementRound.objects.get(pk=measurement_round.pk),
                rater="client",
                answers=dict.fromkeys(items, 1),
                mode="own_device",
            )
            saved.set()
            time.sleep(0.5)

    def send() -> None:
        saved.wait()
        response_submit(round=MeasurementRound.objects.get(pk=measurement_round.pk), rater="client")

    threads = [_in_thread(save), _in_thread(send)]
    for thread in threads:
        thread.join()
    sent = Response.objects.get(pk=draft.pk)
    assert sent.is_submitted
    assert set(sent.answers.values()) == {1}
    expected = score_answers(measurement_round.instrument, sent.answers, "client")
    assert sent.score_map() == expected


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ["cancel", "close", "expire"])
def test_an_autosave_that_read_the_draft_before_the_round_ended_is_refused(
    measurement_round, professional, monkeypatch, ending
):
    """The save reads the draft without the round's lock; the round ends before it writes
    (review finding: the answer still landed in the ended round). Ending touches the drafts,
    so the save's conditional write misses and, under the lock, it is refused."""
    import datetime as dt

    from django.utils import timezone

    from alliantiemonitor.measurements.exceptions import RoundNotOpen
    from alliantiemonitor.measurements.services import responses, round_cancel, round_close
    from alliantiemonitor.measurements.services.rounds import rounds_expire

    items = [item.id for item in measurement_round.instrument.items_for("client")]
    response_save_answers(
        round=measurement_round, rater="client", answers={items[0]: 2}, mode="own_device"
    )
    if ending == "close":
        # Closing needs one side sent: the professional's.
        response_save_answers(
            round=measurement_round,
            rater="professional",
            answers=full_answers(measurement_round.instrument, "professional", 3),
            mode="professional_self",
            respondent=professional,
        )
        response_submit(round=measurement_round, rater="professional")
    read_unlocked = responses._current_unlocked

    def the_round_ends_meanwhile(round, rater):
        draft = read_unlocked(round, rater)
        if ending == "cancel":
            round_cancel(round=MeasurementRound.objects.get(pk=round.pk), by=professional)
        elif ending == "close":
            round_close(round=MeasurementRound.objects.get(pk=round.pk), by=professional)
        else:
            MeasurementRound.objects.filter(pk=round.pk).update(
                due_date=timezone.localdate() - dt.timedelta(days=30)
            )
            assert rounds_expire() == 1
        return draft

    monkeypatch.setattr(responses, "_current_unlocked", the_round_ends_meanwhile)
    with pytest.raises(RoundNotOpen):
        response_save_answers(
            round=measurement_round, rater="client", answers={items[1]: 5}, mode="own_device"
        )
    draft = Response.objects.get(round=measurement_round, rater="client", is_current=True)
    assert draft.answers == {items[0]: 2}


@pytest.mark.django_db(transaction=True)
def test_a_save_that_finds_the_draft_changed_does_not_deadlock_with_a_locked_save(
    measurement_round,
):
    """The e2e test of many saves at once found a deadlock on PostgreSQL: an autosave's
    conditional UPDATE waited for another save, found the draft changed, kept the draft's row
    lock and then waited for the round's lock, held by a save on the locked path that waited
    for the draft. Here the three steps are put in that order."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    from django.db import transaction
    from django.utils import timezone

    from alliantiemonitor.measurements.services._common import lock_round

    draft = _client_draft(measurement_round)
    item = next(iter(draft.answers))
    holding, release, round_locked, go_on = (threading.Event() for _ in range(4))
    errors: list[BaseException] = []

    def record(target):
        def run() -> None:
            try:
                target()
            except BaseException as error:
                errors.append(error)

        return run

    def another_save_in_flight() -> None:
        # Holds the draft's row (as a save that is writing it), then commits a change.
        with transaction.atomic():
            Response.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
            holding.set()
            release.wait(10)

    def the_autosave() -> None:
        holding.wait(10)
        response_save_answers(
            round=MeasurementRound.objects.get(pk=measurement_round.pk),
            rater="client",
            answers={item: 1},
            mode="own_device",
        )

    def a_locked_save() -> None:
        # Takes the round first and the draft second, as the locked path and a send do.
        holding.wait(10)
        with transaction.atomic():
            lock_round(MeasurementRound.objects.get(pk=measurement_round.pk))
            round_locked.set()
            go_on.wait(10)
            Response.objects.filter(pk=draft.pk).update(updated_at=timezone.now())

    threads = [
        _in_thread(record(another_save_in_flight)),
        _in_thread(record(the_autosave)),
        _in_thread(record(a_locked_save)),
    ]
    round_locked.wait(10)
    time.sleep(0.5)  # the autosave's UPDATE is now waiting for the save in flight
    release.set()
    time.sleep(0.5)  # it found the draft changed and went for the round's lock
    go_on.set()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Response.objects.get(pk=draft.pk).answers[item] == 1
