"""Handing a trajectory over to a colleague."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.organisations.services import membership_revoke
from alliantiemonitor.trajectories.models import Assignment
from alliantiemonitor.trajectories.services import trajectory_end
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

OTHERS = ["colleague", "outsider", "team_lead", "researcher", "org_admin"]


def url(trajectory):
    return reverse("trajectories:hand_over", kwargs={"uuid": trajectory.uuid})


def valid(person, **overrides):
    data = {"colleague": person.pk, "reason": "Nieuwe verdeling", "confirm": "on"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_form_lists_colleagues_of_the_organisation_only(
    client, professional, colleague, outsider, team_lead, trajectory
):
    inactive = UserFactory(username="vertrokken", is_active=False)
    MembershipFactory(user=inactive, organisation=trajectory.organisation, role="professional")
    client.force_login(professional)
    response = client.get(url(trajectory))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    choices = list(response.context["form"].fields["colleague"].queryset)
    assert choices == [colleague]
    assert colleague.get_full_name() in html
    assert AuditEvent.objects.filter(action="trajectory.view", actor=professional).exists()


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_else_gets_in(client, trajectory, persona, request, colleague):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(trajectory)).status_code == 404
    assert client.post(url(trajectory), valid(colleague)).status_code == 404
    assert Assignment.objects.count() == 1


def test_hand_over_moves_the_trajectory(client, professional, colleague, trajectory):
    client.force_login(professional)
    response = client.post(url(trajectory), valid(colleague), follow=True)
    assert response.redirect_chain[0][0] == reverse("trajectories:caseload")
    assert any("K.V." in str(m) for m in response.context["messages"])
    assert response.context["rows"] == []
    assert trajectory.current_assignment.professional == colleague
    assert trajectory.current_assignment.reason == "Nieuwe verdeling"
    assert AuditEvent.objects.filter(action="trajectory.hand_over").count() == 1
    detail = reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid})
    assert client.get(detail).status_code == 404
    client.force_login(colleague)
    assert client.get(detail).status_code == 200
    caseload = client.get(reverse("trajectories:caseload"))
    assert [row.trajectory for row in caseload.context["rows"]] == [trajectory]


@pytest.mark.parametrize(
    "overrides",
    [
        {"confirm": None},
        {"reason": ""},
        {"colleague": ""},
        {"colleague": "999999"},
    ],
)
def test_bad_input_changes_nothing(client, professional, colleague, trajectory, overrides):
    client.force_login(professional)
    response = client.post(url(trajectory), valid(colleague, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert trajectory.current_assignment.professional == professional


def test_cannot_hand_over_to_yourself_or_an_outsider(client, professional, outsider, trajectory):
    client.force_login(professional)
    for person in (professional, outsider):
        response = client.post(url(trajectory), valid(person))
        assert response.status_code == 200
        assert response.context["form"].errors["colleague"]
    assert Assignment.objects.count() == 1


def test_service_refusal_is_shown(client, professional, colleague, trajectory, organisation):
    # The colleague loses the role between showing and sending the form.
    client.force_login(professional)
    form_page = client.get(url(trajectory))
    assert colleague in form_page.context["form"].fields["colleague"].queryset
    membership = colleague.memberships.get(organisation=organisation)
    membership_revoke(membership=membership, by=professional)
    response = client.post(url(trajectory), valid(colleague))
    assert response.status_code == 200
    assert Assignment.objects.count() == 1


def test_ended_trajectory_cannot_be_handed_over(client, professional, colleague, trajectory):
    trajectory_end(
        trajectory=trajectory,
        end_date=timezone.localdate(),
        reason_kind="regular_completion",
        by=professional,
    )
    client.force_login(professional)
    response = client.get(url(trajectory))
    assert 'name="colleague"' not in response.content.decode()
    response = client.post(url(trajectory), valid(colleague))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Assignment.objects.filter(professional=colleague).exists()
