"""Clients, trajectories, hand-overs and outcome events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.organisations.services import membership_revoke
from alliantiemonitor.trajectories.exceptions import (
    InvalidDates,
    InvalidDisplayName,
    InvalidEndReason,
    InvalidOutcomeKind,
    NotAProfessional,
    SameProfessional,
    TrajectoryEnded,
    WrongOrganisation,
)
from alliantiemonitor.trajectories.models import Assignment, OutcomeEvent
from alliantiemonitor.trajectories.services import (
    client_create,
    outcome_record,
    trajectory_end,
    trajectory_hand_over,
    trajectory_start,
)
from tests.factories import AssignmentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_client_create_is_audited(organisation, professional):
    client = client_create(
        organisation=organisation, display_name=" A.B. ", by=professional, easy_read=True
    )
    assert client.display_name == "A.B."
    assert client.easy_read
    event = AuditEvent.objects.get(action="client.create")
    assert (event.client, event.organisation, event.actor) == (client, organisation, professional)


@pytest.mark.parametrize("name", ["", "   ", "123456789", "Jan 12345678", "x" * 81])
def test_client_display_name_refuses_empty_long_or_id_numbers(organisation, professional, name):
    with pytest.raises(InvalidDisplayName):
        client_create(organisation=organisation, display_name=name, by=professional)


def test_trajectory_start_opens_the_first_assignment(trajectory, professional, team):
    assignment = Assignment.objects.get(trajectory=trajectory)
    assert assignment.professional == professional
    assert assignment.end is None
    assert assignment.handed_over_from is None
    assert trajectory.team == team
    assert trajectory.status == "active"
    assert AuditEvent.objects.filter(action="trajectory.start", client=trajectory.client).exists()


def test_trajectory_start_refuses_non_professionals_and_foreign_teams(
    client_record, team_lead, outsider, professional, other_organisation
):
    start = dt.date(2025, 1, 6)
    for user in [team_lead, outsider]:
        with pytest.raises(NotAProfessional):
            trajectory_start(
                client=client_record, professional=user, legal_frame="", start_date=start
            )
    with pytest.raises(WrongOrganisation):
        trajectory_start(
            client=client_record,
            professional=professional,
            legal_frame="",
            start_date=start,
            team=TeamFactory(organisation=other_organisation),
        )
    assert not client_record.trajectories.exists()


def test_hand_over_closes_the_previous_assignment(trajectory, professional, colleague):
    at = timezone.now() + dt.timedelta(minutes=5)
    new = trajectory_hand_over(
        trajectory=trajectory,
        to_professional=colleague,
        by=professional,
        reason="Verhuizing",
        at=at,
    )
    previous = Assignment.objects.get(trajectory=trajectory, professional=professional)
    assert previous.end == at
    assert new.start == at
    assert new.end is None
    assert new.handed_over_from == previous
    assert new.reason == "Verhuizing"
    assert trajectory.current_assignment == new
    event = AuditEvent.objects.get(action="trajectory.hand_over")
    assert event.detail["to_professional"] == str(colleague.uuid)
    assert event.detail["from_professional"] == str(professional.uuid)


def test_hand_over_refusals_change_nothing(
    trajectory, professional, colleague, team_lead, outsider, organisation
):
    with pytest.raises(SameProfessional):
        trajectory_hand_over(trajectory=trajectory, to_professional=professional, by=professional)
    for user in [team_lead, outsider]:
        with pytest.raises(NotAProfessional):
            trajectory_hand_over(trajectory=trajectory, to_professional=user, by=professional)
    membership_revoke(membership=colleague.memberships.get(organisation=organisation))
    with pytest.raises(NotAProfessional):
        trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    someone_else = _another_professional(organisation)
    with pytest.raises(InvalidDates):
        trajectory_hand_over(
            trajectory=trajectory,
            to_professional=someone_else,
            by=professional,
            at=timezone.now() - dt.timedelta(days=1),
        )
    assert trajectory.assignments.count() == 1
    assert trajectory.current_assignment.professional == professional


def _another_professional(organisation):
    from tests.factories import MembershipFactory

    return MembershipFactory(organisation=organisation, role="professional").user


def test_hand_over_on_an_ended_trajectory_is_refused(trajectory, professional, colleague):
    trajectory_end(
        trajectory=trajectory,
        end_date=timezone.localdate(),
        reason_kind="premature_end_negative",
        by=professional,
    )
    with pytest.raises(TrajectoryEnded):
        trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)


def test_at_most_one_open_assignment_in_the_database(trajectory, colleague):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(trajectory=trajectory, professional=colleague)


def test_end_records_the_outcome_and_closes_the_assignment(trajectory, professional):
    end_date = timezone.localdate()
    trajectory_end(
        trajectory=trajectory, end_date=end_date, reason_kind="regular_completion", by=professional
    )
    trajectory.refresh_from_db()
    assert (trajectory.status, trajectory.end_date) == ("ended", end_date)
    assert trajectory.current_assignment is None
    event = OutcomeEvent.objects.get(trajectory=trajectory)
    assert (event.kind, event.date, event.recorded_by) == (
        "regular_completion",
        end_date,
        professional,
    )
    with pytest.raises(TrajectoryEnded):
        trajectory_end(
            trajectory=trajectory,
            end_date=end_date,
            reason_kind="regular_completion",
            by=professional,
        )


def test_end_refuses_other_kinds_and_early_dates(trajectory, professional):
    with pytest.raises(InvalidEndReason):
        trajectory_end(
            trajectory=trajectory,
            end_date=timezone.localdate(),
            reason_kind="no_show",
            by=professional,
        )
    with pytest.raises(InvalidDates):
        trajectory_end(
            trajectory=trajectory,
            end_date=trajectory.start_date - dt.timedelta(days=1),
            reason_kind="regular_completion",
            by=professional,
        )
    trajectory.refresh_from_db()
    assert trajectory.status == "active"


def test_outcome_record(trajectory, professional):
    event = outcome_record(
        trajectory=trajectory, kind="no_show", date=timezone.localdate(), by=professional
    )
    assert event.kind == "no_show"
    assert AuditEvent.objects.filter(action="outcome.record", object_uuid=event.uuid).exists()
    with pytest.raises(InvalidOutcomeKind):
        outcome_record(
            trajectory=trajectory,
            kind="regular_completion",
            date=timezone.localdate(),
            by=professional,
        )
    with pytest.raises(InvalidOutcomeKind):
        outcome_record(
            trajectory=trajectory, kind="made_up", date=timezone.localdate(), by=professional
        )


def test_only_follow_up_after_the_end(trajectory, professional):
    today = timezone.localdate()
    trajectory_end(
        trajectory=trajectory, end_date=today, reason_kind="regular_completion", by=professional
    )
    with pytest.raises(TrajectoryEnded):
        outcome_record(trajectory=trajectory, kind="formal_warning", date=today, by=professional)
    follow_up = outcome_record(
        trajectory=trajectory,
        kind="recidivism_followup",
        date=today + dt.timedelta(days=700),
        by=professional,
    )
    assert follow_up.kind == "recidivism_followup"
