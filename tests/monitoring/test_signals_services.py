"""Stored signals: recomputed from the rounds, idempotent, acknowledged by the professional."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.core.signals import SignalSettings
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.monitoring.exceptions import (
    InvalidNote,
    InvalidThresholds,
    NotAssigned,
    SignalAlreadyAcknowledged,
    SignalNotOpen,
)
from alliantiemonitor.monitoring.models import Signal, organisation_signal_settings
from alliantiemonitor.monitoring.services import (
    signal_acknowledge,
    signal_thresholds_update,
    signals_recompute,
)
from alliantiemonitor.monitoring.signals_input import signal_input
from alliantiemonitor.trajectories.services import trajectory_end
from tests.monitoring.helpers import make_round

pytestmark = pytest.mark.django_db

FLAT = {"direction": 4, "trust": 4, "bond": 4, "friction": 2}
GOOD = {"direction": 5, "trust": 5, "bond": 5, "friction": 1}
#: The client's view falls on every characteristic (friction rises): a clear deterioration.
FALLEN = {"direction": 2, "trust": 2, "bond": 2, "friction": 4}


def deteriorating(trajectory, professional):
    """Two rounds in which the client's scores fall clearly while the professional's stay."""
    make_round(trajectory, professional, days_ago=3, client=GOOD, pro=FLAT)
    return make_round(trajectory, professional, days_ago=1, client=FALLEN, pro=FLAT)


def client_view_deterioration(trajectory):
    """The rule's deterioration of the client's view: all characteristics pooled."""
    return Signal.objects.for_trajectory(trajectory).filter(
        kind="deterioration", characteristic="", rater="client"
    )


def test_input_leaves_out_collecting_rounds_and_keeps_blind_scores_out(trajectory, professional):
    make_round(trajectory, professional, days_ago=3, client=FLAT, pro=FLAT)
    make_round(trajectory, professional, days_ago=1, client=FALLEN)  # client_done
    data = signal_input([trajectory])
    assert set(data.frame["round_index"]) == {1}
    assert data.latest == {trajectory.pk: 1}
    client = data.frame[data.frame["rater"] == "client"].iloc[0]
    assert client["trust"] == pytest.approx(4.0)
    assert bool(client["submitted"])


def test_recompute_opens_a_signal_for_a_clear_deterioration(trajectory, professional):
    latest = deteriorating(trajectory, professional)
    result = signals_recompute(trajectory=trajectory)
    signal = client_view_deterioration(trajectory).get()
    assert signal.is_open
    assert not signal.is_acknowledged
    assert signal.round == latest
    assert result.opened >= 1
    assert AuditEvent.objects.filter(action="signal.raise", object_uuid=signal.uuid).exists()
    # The rows as the rule gives them: both views pooled (no view, no characteristic), one
    # characteristic of both views (no view), rising friction (kind friction, no view).
    keys = set(Signal.objects.open().values_list("kind", "characteristic", "rater"))
    assert ("deterioration", "", "") in keys
    assert ("deterioration", "trust", "") in keys
    assert ("friction", "friction", "") in keys
    assert not any(k == "deterioration" and c and r for k, c, r in keys)


def test_a_deterioration_that_recovers_is_resolved(trajectory, professional):
    deteriorating(trajectory, professional)
    signals_recompute(trajectory=trajectory)
    signal = client_view_deterioration(trajectory).get()
    signal_acknowledge(signal=signal, by=professional, note="Besproken, we letten erop.")

    # Still down at the next round: the rule still holds, the signal stays as it was.
    make_round(trajectory, professional, days_ago=0, client=FALLEN, pro=FLAT)
    again = signals_recompute(trajectory=trajectory)
    signal.refresh_from_db()
    assert signal.is_open
    assert signal.is_acknowledged
    assert client_view_deterioration(trajectory).count() == 1
    assert again.kept >= 1

    # Back up for two rounds: the trend over the rounds is flat again.
    for _ in range(2):
        make_round(trajectory, professional, days_ago=0, client=GOOD, pro=FLAT)
    result = signals_recompute(trajectory=trajectory)
    signal.refresh_from_db()
    assert not signal.is_open
    assert result.resolved >= 1
    assert not Signal.objects.open().filter(kind="deterioration").exists()
    assert AuditEvent.objects.filter(action="signal.resolve", object_uuid=signal.uuid).exists()


def test_flat_course_raises_no_deterioration(trajectory, professional):
    for days_ago in (5, 3, 1):
        make_round(trajectory, professional, days_ago=days_ago, client=FLAT, pro=FLAT)
    signals_recompute(trajectory=trajectory)
    assert not Signal.objects.filter(kind__in=["deterioration", "after_handover"]).exists()


def test_recompute_is_idempotent_and_keeps_the_acknowledgement(trajectory, professional):
    deteriorating(trajectory, professional)
    signals_recompute(trajectory=trajectory)
    signal = client_view_deterioration(trajectory).get()
    signal_acknowledge(signal=signal, by=professional, note="Besproken, we letten erop.")
    count, events = Signal.objects.count(), AuditEvent.objects.count()

    again = signals_recompute(trajectory=trajectory)
    signals_recompute(organisation=trajectory.organisation)
    signals_recompute()

    assert again.opened == 0
    assert again.resolved == 0
    assert Signal.objects.count() == count
    assert AuditEvent.objects.count() == events
    signal.refresh_from_db()
    assert signal.is_acknowledged
    assert signal.is_open


def test_a_signal_the_rules_no_longer_raise_is_resolved_and_can_open_again(
    trajectory, professional
):
    latest = deteriorating(trajectory, professional)
    signals_recompute(trajectory=trajectory)
    # A cancelled round does not count: without it there is nothing to signal.
    MeasurementRound.objects.filter(pk=latest.pk).update(state="cancelled")
    result = signals_recompute(trajectory=trajectory)
    assert result.resolved >= 1
    assert not client_view_deterioration(trajectory).open().exists()
    assert client_view_deterioration(trajectory).get().resolved_at is not None
    MeasurementRound.objects.filter(pk=latest.pk).update(state="both_done")
    signals_recompute(trajectory=trajectory)
    assert client_view_deterioration(trajectory).count() == 2
    assert client_view_deterioration(trajectory).open().count() == 1


def test_ending_the_trajectory_resolves_its_signals(trajectory, professional):
    deteriorating(trajectory, professional)
    signals_recompute(trajectory=trajectory)
    trajectory_end(
        trajectory=trajectory,
        by=professional,
        end_date=timezone.localdate(),
        reason_kind="regular_completion",
    )
    signals_recompute(organisation=trajectory.organisation)
    assert not Signal.objects.open().exists()


def test_one_open_signal_per_key(trajectory, professional):
    latest = deteriorating(trajectory, professional)
    fields = {
        "trajectory": trajectory,
        "kind": "friction",
        "characteristic": "friction",
        "rater": "client",
        "round": latest,
        "raised_at": timezone.now(),
    }
    Signal.objects.create(**fields)
    Signal.objects.create(**fields, resolved_at=timezone.now())  # a resolved one may repeat
    with pytest.raises(IntegrityError):
        Signal.objects.create(**fields)


def test_both_done_recomputes_after_commit(
    trajectory, professional, django_capture_on_commit_callbacks
):
    make_round(trajectory, professional, days_ago=3, client=GOOD, pro=FLAT)
    with django_capture_on_commit_callbacks(execute=True):
        make_round(trajectory, professional, days_ago=1, client=FALLEN, pro=FLAT)
    assert client_view_deterioration(trajectory).open().exists()


def test_not_discussed_uses_the_organisations_days(trajectory, professional):
    make_round(trajectory, professional, days_ago=40, client=FLAT, pro=FLAT)
    signals_recompute(trajectory=trajectory)
    assert Signal.objects.open().filter(kind="not_discussed").exists()
    signal_thresholds_update(
        organisation=trajectory.organisation, values={"not_discussed_days": 60}, by=None
    )
    signals_recompute(trajectory=trajectory)
    assert not Signal.objects.open().filter(kind="not_discussed").exists()


def test_acknowledge_rules(trajectory, professional, colleague):
    deteriorating(trajectory, professional)
    signals_recompute(trajectory=trajectory)
    signal = client_view_deterioration(trajectory).get()
    with pytest.raises(InvalidNote):
        signal_acknowledge(signal=signal, by=professional, note="   ")
    with pytest.raises(InvalidNote):
        signal_acknowledge(signal=signal, by=professional, note="x" * 301)
    with pytest.raises(NotAssigned):
        signal_acknowledge(signal=signal, by=colleague, note="Gezien")
    signal_acknowledge(signal=signal, by=professional, note="Gezien, besproken")
    with pytest.raises(SignalAlreadyAcknowledged):
        signal_acknowledge(signal=signal, by=professional, note="Nog eens")
    # One change raises several rows of the rules; marking one seen marks its kind seen.
    same_kind = Signal.objects.open().filter(trajectory=trajectory, kind=signal.kind)
    assert same_kind.count() > 1
    assert not same_kind.filter(acknowledged_at__isnull=True).exists()
    assert set(same_kind.values_list("acknowledgement_note", flat=True)) == {"Gezien, besproken"}
    events = AuditEvent.objects.filter(action="signal.acknowledge")
    assert events.count() == same_kind.count()
    assert not any("Gezien" in str(event.detail) for event in events)
    Signal.objects.filter(pk=signal.pk).update(
        resolved_at=timezone.now(), acknowledged_at=None, acknowledged_by=None
    )
    with pytest.raises(SignalNotOpen):
        signal_acknowledge(signal=signal, by=professional, note="Te laat")


def test_thresholds_defaults_and_validation(organisation, org_admin):
    assert organisation_signal_settings(organisation) == SignalSettings()
    with pytest.raises(InvalidThresholds):
        signal_thresholds_update(organisation=organisation, values={"nonsense": 1}, by=org_admin)
    with pytest.raises(InvalidThresholds):
        signal_thresholds_update(
            organisation=organisation, values={"not_discussed_days": -1}, by=org_admin
        )
    signal_thresholds_update(
        organisation=organisation, values={"not_discussed_days": 21}, by=org_admin
    )
    assert organisation_signal_settings(organisation).not_discussed_days == 21
    assert AuditEvent.objects.filter(action="signal_thresholds.update").count() == 1


def test_stopped_responding_after_expired_rounds(trajectory, professional):
    make_round(trajectory, professional, days_ago=9, client=FLAT, pro=FLAT)
    for days_ago in (6, 3):
        round_ = make_round(trajectory, professional, days_ago=days_ago, pro=FLAT)
        MeasurementRound.objects.filter(pk=round_.pk).update(state="expired")
    signals_recompute(trajectory=trajectory, today=timezone.localdate() + dt.timedelta(days=1))
    assert Signal.objects.open().filter(kind="stopped_responding", rater="client").exists()
