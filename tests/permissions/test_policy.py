"""The permission layer itself: the rules, the scopes and the audit of a fetch."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.organisations.models import Membership, Team
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import RULES, Perm
from alliantiemonitor.trajectories.access import get_trajectory_for, trajectories_for
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_every_permission_has_a_rule():
    perms = {value for key, value in vars(Perm).items() if key.isupper()}
    assert perms == set(RULES)


def test_an_unknown_permission_is_an_error(professional):
    with pytest.raises(KeyError):
        policy.may(professional, "trajectory.veiw")


def test_the_fetch_records_the_view_when_asked(professional, trajectory):
    before = AuditEvent.objects.count()
    get_trajectory_for(professional, trajectory.uuid)
    assert AuditEvent.objects.count() == before

    found = get_trajectory_for(
        professional, trajectory.uuid, action=Action.TRAJECTORY_VIEW, detail={"page": "x"}
    )
    event = AuditEvent.objects.order_by("-pk").first()
    assert found == trajectory
    assert (event.action, event.actor, event.client) == (
        Action.TRAJECTORY_VIEW,
        professional,
        trajectory.client,
    )
    assert event.detail == {"page": "x"}


def test_a_refused_fetch_records_nothing(colleague, trajectory):
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        get_trajectory_for(colleague, trajectory.uuid, action=Action.TRAJECTORY_VIEW)
    assert AuditEvent.objects.count() == before


def test_a_handover_moves_access_at_once(professional, colleague, trajectory):
    from alliantiemonitor.trajectories.services import trajectory_hand_over

    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    with pytest.raises(Http404):
        get_trajectory_for(professional, trajectory.uuid)
    assert get_trajectory_for(colleague, trajectory.uuid) == trajectory


@pytest.mark.parametrize("perm", [Perm.TRAJECTORY_VIEW, Perm.TRAJECTORY_CHANGE])
def test_only_an_active_role_counts(professional, trajectory, perm):
    assert list(trajectories_for(professional, perm)) == [trajectory]
    Membership.objects.filter(user=professional).update(active=False)
    assert not trajectories_for(professional, perm).exists()


def test_a_deactivated_account_reaches_nothing(professional, trajectory):
    professional.is_active = False
    assert not trajectories_for(professional).exists()
    assert not policy.may(professional, Perm.CASELOAD_VIEW)


def test_a_professional_role_in_another_organisation_does_not_open_this_one(outsider, trajectory):
    assert policy.may(outsider, Perm.TRAJECTORY_VIEW)
    with pytest.raises(Http404):
        get_trajectory_for(outsider, trajectory.uuid)


def test_pages_of_a_role_refuse_other_roles_with_403(team_lead, researcher, professional):
    policy.require(professional, Perm.CASELOAD_VIEW)
    for user in (team_lead, researcher):
        with pytest.raises(PermissionDenied):
            policy.require(user, Perm.CASELOAD_VIEW)


def test_team_scope(team, team_lead, org_admin, organisation, other_organisation, outsider):
    other_team = TeamFactory(organisation=organisation, name="Team Zuid")
    elsewhere = TeamFactory(organisation=other_organisation, name="Team Elders")
    teams = Team.objects.all()
    assert set(policy.scoped(team_lead, Perm.TEAM_DASHBOARD_VIEW, teams)) == {team}
    assert set(policy.scoped(org_admin, Perm.TEAM_DASHBOARD_VIEW, teams)) == {team, other_team}
    assert not policy.scoped(outsider, Perm.TEAM_DASHBOARD_VIEW, teams).exists()
    # A team lead of another organisation's team sees that one, not ours.
    MembershipFactory(
        user=outsider, organisation=other_organisation, role="team_lead", teams=[elsewhere]
    )
    assert set(policy.scoped(outsider, Perm.TEAM_DASHBOARD_VIEW, teams)) == {elsewhere}


def test_a_round_follows_its_trajectory(professional, colleague, measurement_round):
    from alliantiemonitor.measurements.access import get_round_for

    assert get_round_for(professional, measurement_round.uuid) == measurement_round
    with pytest.raises(Http404):
        get_round_for(colleague, measurement_round.uuid)


def test_not_a_uuid_is_a_404(professional):
    with pytest.raises(Http404):
        get_trajectory_for(professional, "../../etc/passwd")
