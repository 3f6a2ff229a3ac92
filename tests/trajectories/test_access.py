"""get_trajectory_for / trajectories_for with every persona."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from alliantiemonitor.organisations.services import membership_revoke
from alliantiemonitor.trajectories.access import get_trajectory_for, trajectories_for
from alliantiemonitor.trajectories.services import trajectory_end, trajectory_hand_over

pytestmark = pytest.mark.django_db

OTHERS = ["colleague", "team_lead", "researcher", "outsider", "org_admin", "superuser"]


def test_assigned_professional_sees_the_trajectory(trajectory, professional):
    assert get_trajectory_for(professional, trajectory.uuid) == trajectory
    assert list(trajectories_for(professional)) == [trajectory]


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_else_sees_it(trajectory, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        get_trajectory_for(user, trajectory.uuid)
    assert not trajectories_for(user).exists()


def test_anonymous_and_malformed(trajectory, professional):
    with pytest.raises(Http404):
        get_trajectory_for(AnonymousUser(), trajectory.uuid)
    with pytest.raises(Http404):
        get_trajectory_for(professional, "not-a-uuid")
    with pytest.raises(Http404):
        get_trajectory_for(professional, uuid.uuid4())


def test_handover_moves_access_to_the_new_professional(trajectory, professional, colleague):
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    assert get_trajectory_for(colleague, trajectory.uuid) == trajectory
    with pytest.raises(Http404):
        get_trajectory_for(professional, trajectory.uuid)


def test_last_professional_keeps_access_to_an_ended_trajectory(trajectory, professional):
    trajectory_end(
        trajectory=trajectory,
        end_date=timezone.localdate(),
        reason_kind="regular_completion",
        by=professional,
    )
    assert get_trajectory_for(professional, trajectory.uuid) == trajectory


def test_access_ends_with_the_membership_or_the_account(trajectory, professional, organisation):
    membership = professional.memberships.get(organisation=organisation)
    membership_revoke(membership=membership)
    with pytest.raises(Http404):
        get_trajectory_for(professional, trajectory.uuid)


def test_inactive_account_has_no_access(trajectory, professional):
    professional.is_active = False
    professional.save()
    with pytest.raises(Http404):
        get_trajectory_for(professional, trajectory.uuid)


def test_professional_with_a_second_role_still_sees_only_own(trajectory, colleague, organisation):
    from tests.factories import MembershipFactory

    MembershipFactory(user=colleague, organisation=organisation, role="team_lead")
    assert not trajectories_for(colleague).exists()
