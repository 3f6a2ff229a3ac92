"""Writing organisations, teams and memberships. The only write path besides the admin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.organisations.constants import DEFAULT_INSTRUMENT, Domain, Role
from alliantiemonitor.organisations.exceptions import InvalidInstrument, InvalidTeam
from alliantiemonitor.organisations.models import Membership, Organisation, Team, instrument_ids


@transaction.atomic
def organisation_create(
    *,
    name: str,
    slug: str,
    domain: str,
    default_instrument: str = DEFAULT_INSTRUMENT,
    by: Any = None,
) -> Organisation:
    """Create an organisation in ``domain`` that uses ``default_instrument`` for new rounds.

    ``by`` is the acting user, or ``None`` when the system (a command) creates it.
    Raises :class:`InvalidInstrument` for a variant the registry does not know.
    """
    if domain not in Domain.values:
        raise DomainError(domain=domain)
    if default_instrument not in instrument_ids():
        raise InvalidInstrument(instrument_id=default_instrument)
    organisation = Organisation.objects.create(
        name=name, slug=slug, domain=domain, default_instrument=default_instrument
    )
    audit_record(actor=by, action="organisation.create", obj=organisation)
    return organisation


@transaction.atomic
def team_create(*, organisation: Organisation, name: str, by: Any = None) -> Team:
    """Create a team in ``organisation``."""
    team = Team.objects.create(organisation=organisation, name=name)
    audit_record(actor=by, action="team.create", obj=team)
    return team


@transaction.atomic
def membership_grant(
    *,
    user: Any,
    organisation: Organisation,
    role: str,
    teams: Iterable[Team] = (),
    by: Any = None,
) -> Membership:
    """Give ``user`` the ``role`` in ``organisation`` (in ``teams``) and return the membership.

    Granting a role the user already holds reactivates it and adds the teams, so running a
    set-up script twice is harmless. Raises :class:`InvalidTeam` for a team of another
    organisation; nothing is changed then.
    """
    if role not in Role.values:
        raise DomainError(role=role)
    teams = list(teams)
    for team in teams:
        if team.organisation_id != organisation.pk:
            raise InvalidTeam(team=team.uuid)
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, organisation=organisation, role=role
    )
    if not membership.active:
        membership.active = True
        membership.save(update_fields=["active", "updated_at"])
    if teams:
        membership.teams.add(*teams)
    audit_record(
        actor=by,
        action="membership.grant",
        obj=membership,
        detail={
            "user": user.uuid,
            "role": role,
            "teams": [t.uuid for t in teams],
            "created": created,
        },
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, by: Any = None) -> Membership:
    """Deactivate ``membership``; the history of what the user did stays."""
    if membership.active:
        membership.active = False
        membership.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=by,
        action="membership.revoke",
        obj=membership,
        detail={"user": membership.user.uuid, "role": membership.role},
    )
    return membership
