"""Organisations, teams and memberships."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.organisations.exceptions import InvalidInstrument, InvalidTeam
from alliantiemonitor.organisations.models import Membership, Organisation
from alliantiemonitor.organisations.services import (
    membership_grant,
    membership_revoke,
    organisation_create,
    team_create,
)
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organisation_create_checks_domain_and_instrument(superuser):
    organisation = organisation_create(
        name="Schuldhulp Voorbeeld",
        slug="schuldhulp-voorbeeld",
        domain="schuldhulpverlening",
        default_instrument="kort",
        by=superuser,
    )
    assert organisation.default_instrument == "kort"
    assert AuditEvent.objects.filter(action="organisation.create", organisation=organisation)
    with pytest.raises(InvalidInstrument):
        organisation_create(name="X", slug="x", domain="reclassering", default_instrument="nope")
    with pytest.raises(DomainError):
        organisation_create(name="Y", slug="y", domain="ziekenhuis")
    assert Organisation.objects.count() == 1


def test_model_clean_validates_the_instrument_against_the_registry(organisation):
    organisation.default_instrument = "eenvoudig"
    organisation.full_clean()
    organisation.default_instrument = "bestaat-niet"
    with pytest.raises(ValidationError) as excinfo:
        organisation.full_clean()
    assert "default_instrument" in excinfo.value.message_dict


def test_membership_grant_is_idempotent_and_reactivates(organisation, team):
    user = UserFactory()
    first = membership_grant(user=user, organisation=organisation, role="professional")
    membership_revoke(membership=first)
    second = membership_grant(
        user=user, organisation=organisation, role="professional", teams=[team]
    )
    assert second.pk == first.pk
    assert second.active
    assert list(second.teams.all()) == [team]
    assert Membership.objects.active().for_user(user).count() == 1
    assert list(Organisation.objects.for_user(user)) == [organisation]


def test_membership_grant_refuses_teams_of_another_organisation(organisation, other_organisation):
    user = UserFactory()
    with pytest.raises(InvalidTeam):
        membership_grant(
            user=user,
            organisation=organisation,
            role="professional",
            teams=[TeamFactory(organisation=other_organisation)],
        )
    assert not Membership.objects.filter(user=user).exists()


def test_revoked_membership_drops_out_of_querysets(organisation, professional):
    membership = Membership.objects.get(user=professional)
    membership_revoke(membership=membership)
    assert not Membership.objects.active().for_user(professional).exists()
    assert not Organisation.objects.for_user(professional).exists()
    assert AuditEvent.objects.filter(action="membership.revoke").count() == 1


def test_team_create(organisation):
    team = team_create(organisation=organisation, name="Team Zuid")
    assert team.organisation == organisation
    assert AuditEvent.objects.filter(action="team.create", organisation=organisation).exists()


def test_the_policy_names_the_organisations_an_admin_configures(
    organisation, other_organisation, org_admin, professional
):
    assert list(policy.organisations(org_admin, Perm.ORGANISATION_CONFIGURE)) == [organisation]
    assert list(policy.organisations(org_admin, Perm.CLIENT_PRIVACY)) == [organisation]
    assert not policy.organisations(professional, Perm.ORGANISATION_CONFIGURE).exists()
