"""Ending a trajectory closes or cancels its open rounds and revokes their invitations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.exceptions import InvalidInvitation, RoundNotAllowed
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import (
    OpenRounds,
    invitation_create,
    invitation_resolve,
    round_start,
    trajectory_close,
    trajectory_open_rounds,
)
from alliantiemonitor.trajectories.exceptions import InvalidDates, TrajectoryEnded
from alliantiemonitor.trajectories.models import OutcomeEvent
from tests.factories import answer_round

pytestmark = pytest.mark.django_db


def _close(trajectory, professional, **kwargs):
    return trajectory_close(
        trajectory=trajectory,
        end_date=kwargs.pop("end_date", timezone.localdate()),
        reason_kind=kwargs.pop("reason_kind", "regular_completion"),
        by=professional,
        **kwargs,
    )


def test_a_round_nobody_answered_is_cancelled_and_its_link_stops(trajectory, professional):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    assert trajectory_open_rounds(trajectory) == OpenRounds(to_close=0, to_cancel=1)

    result = _close(trajectory, professional)

    assert result == OpenRounds(to_close=0, to_cancel=1)
    assert MeasurementRound.objects.get(pk=measurement_round.pk).state == "cancelled"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    with pytest.raises(InvalidInvitation):
        invitation_resolve(secret=secret, kind="link")
    assert trajectory_open_rounds(trajectory).total == 0


def test_a_round_with_a_submitted_side_is_closed(trajectory, professional):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    invitation, _secret = invitation_create(round=measurement_round, kind="code", by=professional)
    answer_round(measurement_round, "professional", professional=professional)
    assert trajectory_open_rounds(trajectory) == OpenRounds(to_close=1, to_cancel=0)

    result = _close(trajectory, professional, reason_kind="premature_end_positive")

    assert result.to_close == 1
    measurement_round.refresh_from_db()
    assert measurement_round.state == "closed"
    # What was submitted stays.
    assert measurement_round.responses.current().submitted().count() == 1
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    revoke = AuditEvent.objects.get(action="invitation.revoke", object_uuid=invitation.uuid)
    assert revoke.detail == {"reason": "trajectory_end"}


def test_a_draft_alone_does_not_count_as_answered(trajectory, professional):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    answer_round(measurement_round, "client", submit=False)
    assert trajectory_open_rounds(trajectory) == OpenRounds(to_close=0, to_cancel=1)
    _close(trajectory, professional)
    assert MeasurementRound.objects.get(pk=measurement_round.pk).state == "cancelled"


def test_rounds_that_no_longer_collect_are_left_alone(trajectory, professional):
    done = round_start(trajectory=trajectory, by=professional)
    answer_round(done, "client")
    answer_round(done, "professional", professional=professional)
    assert trajectory_open_rounds(trajectory).total == 0

    _close(trajectory, professional)

    assert MeasurementRound.objects.get(pk=done.pk).state == "both_done"


def test_ending_records_the_end_and_no_round_can_start(trajectory, professional):
    _close(trajectory, professional, reason_kind="premature_end_negative", note=" Gestopt ")
    trajectory.refresh_from_db()
    assert trajectory.status == "ended"
    event = OutcomeEvent.objects.get(trajectory=trajectory)
    assert (event.kind, event.note) == ("premature_end_negative", "Gestopt")
    with pytest.raises(RoundNotAllowed):
        round_start(trajectory=trajectory, by=professional)


def test_a_refused_end_changes_nothing(trajectory, professional):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    with pytest.raises(InvalidDates):
        _close(trajectory, professional, end_date=trajectory.start_date - dt.timedelta(days=1))
    trajectory.refresh_from_db()
    assert trajectory.status == "active"
    assert MeasurementRound.objects.get(pk=measurement_round.pk).state == "open"


def test_ending_twice_is_refused(trajectory, professional):
    _close(trajectory, professional)
    with pytest.raises(TrajectoryEnded):
        _close(trajectory, professional)
    assert OutcomeEvent.objects.filter(trajectory=trajectory).count() == 1
