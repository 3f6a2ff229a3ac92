"""New client and trajectory: one form, minimal data, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.trajectories.exceptions import InvalidDisplayName, NotAProfessional
from alliantiemonitor.trajectories.models import Client, Trajectory
from alliantiemonitor.trajectories.services import client_enrol
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

URL = reverse("trajectories:new")


def form_data(organisation, **overrides):
    data = {
        "display_name": "A.B.",
        "preferred_language": "en",
        "easy_read": "on",
        "organisation": organisation.pk,
        "legal_frame": "Ondertoezichtstelling",
        "start_date": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_form_defaults(client, professional, team):
    client.force_login(professional)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    form = response.context["form"]
    assert form["start_date"].value() == timezone.localdate()
    assert form["team"].value() == team.pk  # the professional's only team
    assert not form.several_organisations
    assert 'type="hidden" name="organisation"' in html
    assert '<datalist id="legal-frames">' in html
    assert "<legend" in html  # the language radios are a fieldset


@pytest.mark.parametrize("persona", ["team_lead", "researcher"])
def test_only_professionals(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_creates_client_and_trajectory(client, professional, organisation, team):
    client.force_login(professional)
    response = client.post(URL, form_data(organisation, team=team.pk), follow=True)
    trajectory = Trajectory.objects.get(client__display_name="A.B.")
    assert response.redirect_chain[0][0] == reverse(
        "trajectories:detail", kwargs={"uuid": trajectory.uuid}
    )
    assert trajectory.client.preferred_language == "en"
    assert trajectory.client.easy_read is True
    assert trajectory.team == team
    assert trajectory.organisation == organisation
    assert trajectory.legal_frame == "Ondertoezichtstelling"
    assert trajectory.current_assignment.professional == professional
    assert any("A.B." in str(m) for m in response.context["messages"])
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"client.create", "trajectory.start"} <= actions


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"display_name": "Jan 123456789"}, "display_name"),  # looks like a national ID
        ({"display_name": ""}, "display_name"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"start_date": "yesterday"}, "start_date"),
    ],
)
def test_bad_input_changes_nothing(client, professional, organisation, overrides, field):
    client.force_login(professional)
    response = client.post(URL, form_data(organisation, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Client.objects.exists()
    assert not Trajectory.objects.exists()


def test_service_refusal_is_shown_on_the_field(client, professional, organisation):
    client.force_login(professional)
    response = client.post(URL, form_data(organisation, display_name="Client 1234567"))
    assert response.status_code == 200
    assert (
        str(InvalidDisplayName.default_message) in response.context["form"].errors["display_name"]
    )


def test_cannot_use_a_team_or_organisation_that_is_not_yours(
    client, professional, organisation, other_organisation
):
    foreign_team = TeamFactory(organisation=other_organisation, name="Elders")
    client.force_login(professional)
    response = client.post(URL, form_data(organisation, team=foreign_team.pk))
    assert response.status_code == 200
    response = client.post(URL, form_data(other_organisation))
    assert response.status_code == 200
    assert not Client.objects.exists()


def test_several_organisations_offer_a_choice(
    client, professional, organisation, other_organisation
):
    other_team = TeamFactory(organisation=other_organisation, name="Team Zuid")
    MembershipFactory(
        user=professional, organisation=other_organisation, role="professional", teams=[other_team]
    )
    client.force_login(professional)
    form = client.get(URL).context["form"]
    assert form.several_organisations
    response = client.post(URL, form_data(other_organisation, team=other_team.pk))
    assert response.status_code == 302
    assert Trajectory.objects.get().organisation == other_organisation
    # A team of the other organisation than the one chosen is refused.
    response = client.post(URL, form_data(organisation, team=other_team.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["team"]


def test_client_enrol_leaves_nothing_behind_when_refused(organisation, team_lead):
    with pytest.raises(NotAProfessional):
        client_enrol(
            organisation=organisation,
            professional=team_lead,
            display_name="X.Y.",
            legal_frame="",
            start_date=timezone.localdate() - dt.timedelta(days=1),
        )
    assert not Client.objects.exists()
    assert not AuditEvent.objects.filter(action="client.create").exists()
