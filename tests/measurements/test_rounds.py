"""Starting rounds, the pin, and the round state machine."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.exceptions import (
    InvalidTransition,
    RoundNotAllowed,
    RoundStillOpen,
    UnknownInstrument,
)
from alliantiemonitor.measurements.models import MeasurementRound, PinChanged
from alliantiemonitor.measurements.services import (
    round_cancel,
    round_close,
    round_mark_discussed,
    round_start,
    rounds_expire,
)
from alliantiemonitor.trajectories.services import trajectory_end, trajectory_hand_over
from tests.factories import ClientFactory, answer_round

pytestmark = pytest.mark.django_db


def submit(round_, rater, instrument, professional=None):
    assert instrument.ref == round_.instrument.ref
    return answer_round(round_, rater, professional=professional, value=3)


class RegistryWithNewerVersion:
    """The real registry plus a ``standaard`` 9.0.0, as if a newer file had been installed."""

    def __init__(self, real):
        self.real = real
        self.newer = dataclasses.replace(real.get("standaard"), version="9.0.0")

    def ids(self):
        return self.real.ids()

    def get(self, instrument_id, version=None):
        if instrument_id == "standaard" and version in (None, "9.0.0"):
            return self.newer
        return self.real.get(instrument_id, version)


def test_round_pins_the_latest_version_and_a_newer_one_does_not_change_it(
    trajectory, professional, monkeypatch
):
    from alliantiemonitor.instruments import registry

    first = round_start(trajectory=trajectory, by=professional)
    assert (first.instrument_id, first.instrument_version) == ("standaard", "1.0.0")

    fake = RegistryWithNewerVersion(registry.get_registry())
    monkeypatch.setattr(registry, "get_registry", lambda: fake)

    first.refresh_from_db()
    assert first.instrument_version == "1.0.0"
    assert first.instrument.version == "1.0.0"
    # Answers are still validated against the pinned version.
    submit(first, "client", first.instrument)
    submit(first, "professional", first.instrument, professional)

    second = round_start(trajectory=trajectory, by=professional)
    assert second.instrument_version == "9.0.0"
    first.refresh_from_db()
    assert first.instrument_ref == "standaard@1.0.0"


def test_the_pin_cannot_be_changed_on_a_saved_round(measurement_round):
    measurement_round = MeasurementRound.objects.get(pk=measurement_round.pk)
    measurement_round.instrument_version = "2.0.0"
    with pytest.raises(PinChanged):
        measurement_round.save()


def test_variant_defaults_to_the_organisations_and_easy_read_for_easy_read_clients(
    trajectory, professional, organisation
):
    organisation.default_instrument = "kort"
    organisation.save()
    assert round_start(trajectory=trajectory, by=professional).instrument_id == "kort"

    trajectory.client.easy_read = True
    trajectory.client.save()
    round_cancel(round=trajectory.rounds.get(), by=professional)
    easy = round_start(trajectory=trajectory, by=professional)
    assert easy.instrument_id == "eenvoudig"
    assert easy.domain == "reclassering"
    assert easy.professional == professional


def test_explicit_variant_and_unknown_variant(trajectory, professional):
    with pytest.raises(UnknownInstrument):
        round_start(trajectory=trajectory, by=professional, instrument_id="bestaat-niet")
    with pytest.raises(UnknownInstrument):
        round_start(trajectory=trajectory, by=professional, instrument_id="kort", version="0.1")
    assert not MeasurementRound.objects.exists()
    chosen = round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")
    assert chosen.instrument_ref == "eenvoudig@1.0.0"


def test_no_second_round_while_one_collects_answers(measurement_round, trajectory, professional):
    instrument = measurement_round.instrument
    with pytest.raises(RoundStillOpen):
        round_start(trajectory=trajectory, by=professional)
    submit(measurement_round, "client", instrument)
    with pytest.raises(RoundStillOpen):  # client_done still collects the professional's side
        round_start(trajectory=trajectory, by=professional)
    submit(measurement_round, "professional", instrument, professional)
    assert round_start(trajectory=trajectory, by=professional).state == "open"


def test_no_round_in_an_ended_trajectory(trajectory, professional):
    trajectory_end(
        trajectory=trajectory,
        end_date=timezone.localdate(),
        reason_kind="regular_completion",
        by=professional,
    )
    with pytest.raises(RoundNotAllowed):
        round_start(trajectory=trajectory, by=professional)


def test_handover_marks_the_next_round(trajectory, professional, colleague):
    first = round_start(trajectory=trajectory, by=professional)
    assert not first.after_handover
    instrument = first.instrument
    submit(first, "client", instrument)
    submit(first, "professional", instrument, professional)

    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)

    second = round_start(trajectory=trajectory, by=colleague)
    assert second.after_handover
    assert second.professional == colleague
    submit(second, "client", instrument)
    submit(second, "professional", instrument, colleague)
    # No new handover since the second round: the third is not marked.
    assert not round_start(trajectory=trajectory, by=colleague).after_handover


def test_first_round_after_an_early_handover_is_marked(trajectory, professional, colleague):
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    assert round_start(trajectory=trajectory, by=colleague).after_handover


def test_state_machine_client_first(measurement_round, professional):
    from alliantiemonitor.conversations.services import conversation_start, round_mark_discussed

    instrument = measurement_round.instrument
    assert measurement_round.state == "open"
    submit(measurement_round, "client", instrument)
    measurement_round.refresh_from_db()
    assert measurement_round.state == "client_done"
    submit(measurement_round, "professional", instrument, professional)
    measurement_round.refresh_from_db()
    assert measurement_round.state == "both_done"
    conversation_start(round=measurement_round, by=professional)
    round_mark_discussed(round=measurement_round, by=professional)
    measurement_round.refresh_from_db()
    assert measurement_round.state == "discussed"
    round_close(round=measurement_round, by=professional)
    measurement_round.refresh_from_db()
    assert measurement_round.state == "closed"
    assert measurement_round.closed_at is not None


def test_round_mark_discussed_moves_only_a_both_done_round(measurement_round, professional):
    instrument = measurement_round.instrument
    submit(measurement_round, "client", instrument)
    with pytest.raises(InvalidTransition):
        round_mark_discussed(round=measurement_round, by=professional)
    submit(measurement_round, "professional", instrument, professional)
    round_mark_discussed(round=measurement_round, by=professional)
    assert measurement_round.state == "discussed"
    assert AuditEvent.objects.filter(action="round.discussed").count() == 1
    with pytest.raises(InvalidTransition):
        round_mark_discussed(round=measurement_round, by=professional)


def test_state_machine_professional_first(measurement_round, professional):
    instrument = measurement_round.instrument
    submit(measurement_round, "professional", instrument, professional)
    measurement_round.refresh_from_db()
    assert measurement_round.state == "professional_done"
    submit(measurement_round, "client", instrument)
    measurement_round.refresh_from_db()
    assert measurement_round.state == "both_done"


def test_close_needs_one_submission_and_happens_once(measurement_round, professional):
    with pytest.raises(InvalidTransition):
        round_close(round=measurement_round, by=professional)
    submit(measurement_round, "client", measurement_round.instrument)
    closed = round_close(round=measurement_round, by=professional)
    assert closed.state == "closed"
    with pytest.raises(InvalidTransition):
        round_close(round=measurement_round, by=professional)
    with pytest.raises(InvalidTransition):
        round_cancel(round=measurement_round, by=professional)


def test_cancel_only_while_collecting(measurement_round, professional):
    cancelled = round_cancel(round=measurement_round, by=professional)
    assert cancelled.state == "cancelled"
    assert AuditEvent.objects.filter(action="round.cancel").count() == 1
    with pytest.raises(InvalidTransition):
        round_cancel(round=measurement_round, by=professional)


def test_expire_after_due_date_plus_grace_and_idempotent(trajectory, professional):
    due = dt.date(2025, 3, 1)
    round_ = round_start(trajectory=trajectory, by=professional, due_date=due)
    # 1 March + 7 days grace = 8 March: still running on 8 March, expired on 9 March.
    on_8_march = timezone.make_aware(dt.datetime(2025, 3, 8, 12, 0))
    on_9_march = timezone.make_aware(dt.datetime(2025, 3, 9, 12, 0))
    assert rounds_expire(on_8_march) == 0
    assert rounds_expire(on_9_march) == 1
    round_.refresh_from_db()
    assert round_.state == "expired"
    assert rounds_expire(on_9_march) == 0
    assert AuditEvent.objects.filter(action="round.expire").count() == 1


def test_expire_leaves_done_rounds(trajectory, professional, organisation):
    later = timezone.now() + dt.timedelta(days=400)
    done = round_start(trajectory=trajectory, by=professional, due_date=dt.date(2025, 1, 1))
    submit(done, "client", done.instrument)
    submit(done, "professional", done.instrument, professional)
    other = ClientFactory(organisation=organisation)
    assert other  # a client without rounds changes nothing
    assert rounds_expire(later) == 0
    done.refresh_from_db()
    assert done.state == "both_done"


def test_a_round_without_due_date_expires_six_weeks_and_the_grace_after_it_opened(
    trajectory, professional
):
    """Before, a round started without a date collected answers for ever: no scheduled round
    opened after it and a client who stopped answering was never signalled."""
    round_ = round_start(trajectory=trajectory, by=professional)
    opened = timezone.make_aware(dt.datetime(2025, 3, 1, 16, 0))
    MeasurementRound.objects.filter(pk=round_.pk).update(opened_at=opened)
    # Opened 1 March: due 42 days later (12 April), plus 7 days grace = 19 April.
    assert rounds_expire(timezone.make_aware(dt.datetime(2025, 4, 19, 23, 0))) == 0
    assert rounds_expire(timezone.make_aware(dt.datetime(2025, 4, 20, 1, 0))) == 1
    round_.refresh_from_db()
    assert round_.state == "expired"


def test_a_round_fills_in_its_domain_words_and_survives_a_retired_domain(measurement_round):
    assert measurement_round.vocabulary("nl")["professional"] == "reclasseringswerker"
    measurement_round.domain = "a-domain-no-longer-shipped"
    assert measurement_round.vocabulary("nl") == {}


def test_a_round_whose_pinned_instrument_is_gone_says_so(measurement_round):
    """``MeasurementRound.instrument`` is the one way to a round's instrument, with one error."""
    from alliantiemonitor.measurements.exceptions import UnknownInstrument

    MeasurementRound.objects.filter(pk=measurement_round.pk).update(instrument_version="9.9.9")
    measurement_round.refresh_from_db()
    with pytest.raises(UnknownInstrument):
        _ = measurement_round.instrument
