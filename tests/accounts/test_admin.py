"""The user admin, scoped for organisation admins."""

from __future__ import annotations

import pytest

from alliantiemonitor.accounts.models import User
from alliantiemonitor.organisations.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_user_has_a_public_uuid_and_a_language(professional):
    assert professional.uuid
    assert professional.preferred_language == "nl"


def test_org_admin_sees_own_users_only(
    client, org_admin, professional, colleague, outsider, superuser
):
    client.force_login(org_admin)
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    assert professional.username in page.text
    assert colleague.username in page.text
    assert outsider.username not in page.text
    assert superuser.username not in page.text
    assert client.get(f"/admin/accounts/user/{professional.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/user/{outsider.pk}/change/").status_code == 302
    assert client.get(f"/admin/accounts/user/{outsider.pk}/password/").status_code == 404


def test_users_who_also_belong_elsewhere_are_out_of_reach(
    client, org_admin, professional, other_organisation
):
    # Otherwise an admin of one organisation could reset the password of another's member.
    MembershipFactory(user=professional, organisation=other_organisation, role="org_admin")
    client.force_login(org_admin)
    assert client.get(f"/admin/accounts/user/{professional.pk}/change/").status_code == 302


def test_org_admin_cannot_grant_superuser_or_permissions(client, org_admin, professional):
    client.force_login(org_admin)
    page = client.get(f"/admin/accounts/user/{professional.pk}/change/")
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    assert "is_active" in form.fields
    # Memberships of the user are shown inline.
    assert "memberships-TOTAL_FORMS" in page.text


def test_org_admin_adds_a_user_into_own_organisation(client, org_admin, organisation, team):
    client.force_login(org_admin)
    data = {
        "username": "nieuwe.collega",
        "password1": "een-lang-synthetisch-wachtwoord",
        "password2": "een-lang-synthetisch-wachtwoord",
        "usable_password": "true",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "1",
        "memberships-0-organisation": str(organisation.pk),
        "memberships-0-role": "professional",
        "memberships-0-teams": [str(team.pk)],
        "memberships-0-active": "on",
    }
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="nieuwe.collega")
    assert Membership.objects.filter(user=user, organisation=organisation).exists()


def test_org_admin_cannot_add_a_user_without_membership(client, org_admin):
    client.force_login(org_admin)
    data = {
        "username": "zwevend.account",
        "password1": "een-lang-synthetisch-wachtwoord",
        "password2": "een-lang-synthetisch-wachtwoord",
        "usable_password": "true",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200
    assert not User.objects.filter(username="zwevend.account").exists()


def test_org_admin_cannot_delete_users(client, org_admin, professional):
    client.force_login(org_admin)
    url = f"/admin/accounts/user/{professional.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=professional.pk).exists()
