"""The admin for an organisation admin is scoped to their own organisation."""

from __future__ import annotations

import pytest

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.organisations.models import Membership
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_team(other_organisation):
    return TeamFactory(organisation=other_organisation, name="Team Elders")


def test_org_admin_sees_only_own_organisation(client, org_admin, organisation, other_organisation):
    client.force_login(org_admin)
    page = client.get("/admin/organisations/organisation/")
    assert page.status_code == 200
    assert organisation.name in page.text
    assert other_organisation.name not in page.text
    assert (
        client.get(f"/admin/organisations/organisation/{organisation.pk}/change/").status_code
        == 200
    )
    # Another organisation does not exist for them (the admin redirects to its index).
    response = client.get(f"/admin/organisations/organisation/{other_organisation.pk}/change/")
    assert response.status_code == 302


def test_org_admin_cannot_add_or_delete_organisations(client, org_admin, organisation):
    client.force_login(org_admin)
    assert client.get("/admin/organisations/organisation/add/").status_code == 403
    url = f"/admin/organisations/organisation/{organisation.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403


def test_org_admin_edits_domain_and_variant(client, org_admin, organisation):
    client.force_login(org_admin)
    url = f"/admin/organisations/organisation/{organisation.pk}/change/"
    page = client.get(url)
    # The variant is a choice from the registry.
    for variant in ["standaard", "kort", "eenvoudig"]:
        assert f'value="{variant}"' in page.text
    data = {
        "name": organisation.name,
        "domain": "woonbegeleiding",
        "default_instrument": "kort",
        "teams-TOTAL_FORMS": "0",
        "teams-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert (organisation.domain, organisation.default_instrument) == ("woonbegeleiding", "kort")
    assert AuditEvent.objects.filter(
        action="organisation.admin_change", actor=org_admin, organisation=organisation
    ).exists()

    response = client.post(url, {**data, "default_instrument": "bestaat-niet"})
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.default_instrument == "kort"


def test_org_admin_sees_only_own_teams_and_memberships(
    client, org_admin, team, other_team, professional, outsider
):
    client.force_login(org_admin)
    teams = client.get("/admin/organisations/team/")
    assert team.name in teams.text
    assert other_team.name not in teams.text
    memberships = client.get("/admin/organisations/membership/")
    assert professional.username in memberships.text
    assert outsider.username not in memberships.text
    outsider_membership = Membership.objects.get(user=outsider)
    url = f"/admin/organisations/membership/{outsider_membership.pk}/change/"
    assert client.get(url).status_code == 302


def test_membership_form_offers_only_own_choices(
    client, org_admin, organisation, other_organisation, team, other_team, outsider
):
    client.force_login(org_admin)
    page = client.get("/admin/organisations/membership/add/")
    form = page.context["adminform"].form
    assert list(form.fields["organisation"].queryset) == [organisation]
    assert list(form.fields["teams"].queryset) == [team]
    assert outsider not in form.fields["user"].queryset


def test_team_of_another_organisation_is_refused(
    client, superuser, organisation, other_team, professional
):
    client.force_login(superuser)
    membership = Membership.objects.get(user=professional)
    response = client.post(
        f"/admin/organisations/membership/{membership.pk}/change/",
        {
            "user": professional.pk,
            "organisation": organisation.pk,
            "role": "professional",
            "teams": [other_team.pk],
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "teams" in response.context["adminform"].form.errors
    assert other_team not in membership.teams.all()


def test_org_admin_grants_a_role(client, org_admin, organisation, team):
    newcomer = MembershipFactory(organisation=organisation, role="researcher").user
    client.force_login(org_admin)
    response = client.post(
        "/admin/organisations/membership/add/",
        {
            "user": newcomer.pk,
            "organisation": organisation.pk,
            "role": "professional",
            "teams": [team.pk],
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, role="professional", teams=team).exists()
    assert AuditEvent.objects.filter(action="membership.admin_add", actor=org_admin).exists()


def test_staff_without_org_admin_role_sees_nothing(client, professional):
    professional.is_staff = True
    professional.save()
    client.force_login(professional)
    assert client.get("/admin/organisations/organisation/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403


def test_superuser_sees_everything(client, superuser, organisation, other_organisation):
    client.force_login(superuser)
    page = client.get("/admin/organisations/organisation/")
    assert organisation.name in page.text
    assert other_organisation.name in page.text
    assert client.get("/admin/organisations/organisation/add/").status_code == 200


def test_admin_has_a_translated_header_and_no_client_data(client, superuser):
    client.force_login(superuser)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Alliantiemonitor administration" in index.text
    for model in ["client", "trajectory", "response", "invitation", "measurementround"]:
        assert f"/{model}/" not in index.text


def test_memberships_are_never_hard_deleted(client, superuser, professional):
    membership = Membership.objects.get(user=professional, role="professional")
    client.force_login(superuser)
    url = f"/admin/organisations/membership/{membership.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_bulk_delete_in_the_admin_is_audited(client, superuser, organisation):
    team = TeamFactory(organisation=organisation, name="Team Weg")
    client.force_login(superuser)
    client.post(
        "/admin/organisations/team/",
        {"action": "delete_selected", "_selected_action": [team.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(action="team.admin_delete", object_uuid=team.uuid).exists()
