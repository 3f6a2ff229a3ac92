"""Writing organisations, teams and memberships. The only write path besides the admin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.validators import slug_re
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.input import InvalidInput, clean_text
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

    ``by`` is the acting user, or ``None`` when the system (a command) creates it; callers
    check permission first (the view asks the policy). Raises :class:`InvalidInstrument` for
    a variant the registry does not know.
    """
    name = clean_text(name, field=_("Name"), max_length=200, required=True)
    slug = clean_text(slug, field=_("Slug"), max_length=80, required=True)
    if not slug_re.fullmatch(slug):
        raise InvalidInput(_("The slug may only hold letters, digits, hyphens and underscores."))
    if Organisation.objects.filter(slug=slug).exists():
        raise InvalidInput(_("Another organisation already has this slug."))
    if not isinstance(domain, str) or domain not in Domain.values:
        raise DomainError(domain=domain)
    if not isinstance(default_instrument, str) or default_instrument not in instrument_ids():
        raise InvalidInstrument(instrument_id=default_instrument)
    organisation = Organisation.objects.create(
        name=name, slug=slug, domain=domain, default_instrument=default_instrument
    )
    audit_record(actor=by, action=Action.ORGANISATION_CREATE, obj=organisation)
    return organisation


@transaction.atomic
def team_create(*, organisation: Organisation, name: str, by: Any = None) -> Team:
    """Create a team in ``organisation``.

    Callers check permission first (the view asks the policy).
    """
    name = clean_text(name, field=_("Name"), max_length=200, required=True)
    team = Team.objects.create(organisation=organisation, name=name)
    audit_record(actor=by, action=Action.TEAM_CREATE, obj=team)
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
    organisation and :class:`InvalidInput` when ``teams`` is not a collection of teams;
    nothing is changed then. Callers check permission first (the view asks the policy).
    """
    if not isinstance(role, str) or role not in Role.values:
        raise DomainError(role=role)
    if isinstance(teams, str | bytes | Mapping) or not isinstance(teams, Iterable):
        raise InvalidInput(_("Teams must be a list of teams."), field="teams")
    teams = list(teams)
    if not all(isinstance(team, Team) for team in teams):
        raise InvalidInput(_("Teams must be a list of teams."), field="teams")
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
        action=Action.MEMBERSHIP_GRANT,
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
        action=Action.MEMBERSHIP_REVOKE,
        obj=membership,
        detail={"user": membership.user.uuid, "role": membership.role},
    )
    return membership
