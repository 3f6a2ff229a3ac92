"""Every change of password, privileges, activation, role or membership is audited, by any route."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from alliantiemonitor.audit.constants import AccountAction
from alliantiemonitor.audit.context import acting_as
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.organisations.services import membership_grant
from tests.conftest import second_factor_verified
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kastanje-Regenboog-2031"


def _events(action, user):
    return AuditEvent.objects.filter(
        action=action, object_type="accounts.user", object_uuid=user.uuid
    )


def test_admin_setting_a_password_is_audited_and_forces_a_change(client, org_admin, professional):
    client.force_login(org_admin)
    response = client.post(
        f"/admin/accounts/user/{professional.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    event = _events(AccountAction.PASSWORD_CHANGE, professional).get()
    assert event.actor == org_admin
    assert event.detail == {"by_self": False, "must_change_password": True}
    professional.refresh_from_db()
    assert professional.must_change_password


def test_the_admin_cannot_then_simply_use_the_account(client, org_admin, professional):
    """The password the admin chose opens only the password change page."""
    client.force_login(org_admin)
    client.post(
        f"/admin/accounts/user/{professional.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    client.logout()
    client.post(reverse("login"), {"username": professional.username, "password": NEW_PASSWORD})
    # The second step comes first (tests/accounts/test_second_factor.py), then the change.
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor_enrol"))
    second_factor_verified(client, professional)
    for url in [reverse("home"), reverse("trajectories:caseload"), "/admin/"]:
        assert client.get(url)["Location"] == reverse("password_change"), url
    assert client.get(reverse("password_change")).status_code == 200

    # The same password again is not a change.
    same = client.post(
        reverse("password_change"),
        {
            "old_password": NEW_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert same.status_code == 200
    mine = "Eigen-Wachtwoord-Van-Pim-77"
    changed = client.post(
        reverse("password_change"),
        {"old_password": NEW_PASSWORD, "new_password1": mine, "new_password2": mine},
    )
    assert changed["Location"] == reverse("home")
    professional.refresh_from_db()
    assert not professional.must_change_password
    assert client.get(reverse("trajectories:caseload")).status_code == 200
    own = _events(AccountAction.PASSWORD_CHANGE, professional).order_by("at", "pk").last()
    assert own.actor == professional
    assert own.detail == {"by_self": True, "must_change_password": False}


def test_changepassword_command_is_audited_as_the_system(professional, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", professional.username, stdout=None)
    event = _events(AccountAction.PASSWORD_CHANGE, professional).get()
    assert (event.actor, event.actor_kind) == (None, "system")
    professional.refresh_from_db()
    assert professional.must_change_password
    assert professional.check_password(NEW_PASSWORD)


def test_set_password_in_a_shell_is_audited(professional):
    professional.set_password(NEW_PASSWORD)
    professional.save()
    assert _events(AccountAction.PASSWORD_CHANGE, professional).count() == 1


def test_a_hash_upgrade_at_login_is_not_a_password_change(client, professional, settings):
    # The factory hash is Argon2; with PBKDF2 preferred, logging in rehashes the password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    client.post(reverse("login"), {"username": professional.username, "password": PASSWORD})
    professional.refresh_from_db()
    assert professional.password.startswith("pbkdf2")
    assert not _events(AccountAction.PASSWORD_CHANGE, professional).exists()
    assert not professional.must_change_password


def test_deactivation_and_privileges_are_audited_by_any_route(
    client, org_admin, superuser, professional
):
    professional.is_active = False
    professional.save()
    assert _events(AccountAction.DEACTIVATE, professional).get().actor is None

    with acting_as(superuser):
        professional.is_active = True
        professional.is_staff = True
        professional.save(update_fields=["is_active", "is_staff"])
    assert _events(AccountAction.ACTIVATE, professional).get().actor == superuser
    privileges = _events(AccountAction.PRIVILEGES_CHANGE, professional).get()
    assert privileges.detail == {"is_staff": True}

    # Saving without a change (a login stamps last_login) writes nothing.
    before = AuditEvent.objects.count()
    professional.first_name = "Piet"
    professional.save()
    assert AuditEvent.objects.count() == before


def test_admin_deactivation_is_audited_with_the_admin_as_actor(
    client, org_admin, professional, organisation
):
    # Users without memberships push user ids past membership ids (as on PostgreSQL, whose
    # sequences are not reset between tests): the inline once compared the two.
    for _ in range(3):
        UserFactory()
    professional = UserFactory(username="nieuw.lid")
    MembershipFactory(user=professional, organisation=organisation, role="professional")
    client.force_login(org_admin)
    page = client.get(f"/admin/accounts/user/{professional.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "is_active": "",
            "is_staff": "",
            "date_joined_0": professional.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": professional.date_joined.strftime("%H:%M:%S"),
        }
    )
    membership = professional.memberships.get()
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(membership.pk),
            "memberships-0-user": str(professional.pk),
            "memberships-0-organisation": str(membership.organisation_id),
            "memberships-0-role": "team_lead",
            "memberships-0-teams": [str(t.pk) for t in membership.teams.all()],
            "memberships-0-active": "on",
        }
    )
    response = client.post(f"/admin/accounts/user/{professional.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert _events(AccountAction.DEACTIVATE, professional).get().actor == org_admin
    role = AuditEvent.objects.get(action=AccountAction.MEMBERSHIP_CHANGE, actor=org_admin)
    assert role.actor == org_admin
    assert role.detail["fields"] == ["role"]
    assert role.detail["role"] == "team_lead"


def test_membership_changes_are_audited_outside_the_services(
    organisation, team, professional, colleague
):
    setup = AuditEvent.objects.order_by("pk").last().pk  # the fixtures' own memberships
    membership = Membership.objects.get(user=professional)
    membership.role = "team_lead"
    membership.save()
    membership.active = False
    membership.save(update_fields=["active", "updated_at"])
    other_team = TeamFactory(organisation=organisation, name="Team Zuid")
    membership.teams.add(other_team)
    other_team.memberships.add(Membership.objects.get(user=colleague))
    changes = AuditEvent.objects.filter(
        action=AccountAction.MEMBERSHIP_CHANGE, pk__gt=setup
    ).order_by("pk")
    assert [(e.detail["user"], e.detail["fields"]) for e in changes] == [
        (str(professional.uuid), ["role"]),
        (str(professional.uuid), ["active"]),
        (str(professional.uuid), ["teams"]),
        (str(colleague.uuid), ["teams"]),
    ]
    assert all(e.organisation == organisation and e.actor is None for e in changes)


def test_a_new_membership_is_audited_with_its_role(organisation, colleague, org_admin):
    with acting_as(org_admin):
        membership_grant(user=colleague, organisation=organisation, role="researcher", by=org_admin)
    added = AuditEvent.objects.get(action=AccountAction.MEMBERSHIP_ADD, detail__role="researcher")
    assert added.actor == org_admin
    assert added.detail["user"] == str(colleague.uuid)


def test_group_changes_are_privilege_changes(professional):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Extra rechten")
    professional.groups.add(group)
    group.user_set.remove(professional)
    events = _events(AccountAction.PRIVILEGES_CHANGE, professional).order_by("pk")
    assert [e.detail for e in events] == [
        {"field": "groups", "change": "add"},
        {"field": "groups", "change": "remove"},
    ]
