"""Shared fixtures: named personas that every permission test reuses.

All personas live in (or next to) one organisation, "Reclassering Voorbeeldstad":

``organisation``        the organisation (domain reclassering, default instrument ``standaard``)
``team``                a team in ``organisation``
``professional``        a user with an active professional membership in ``team``
``colleague``           another professional of the same organisation and team, not assigned
``client_record``       a client of ``organisation`` (pseudonym "K.V.")
``trajectory``          an active trajectory of ``client_record``, assigned to ``professional``
``team_lead``           a user with a team_lead membership of ``team``
``org_admin``           a staff user with an org_admin membership of ``organisation``
``researcher``          a user with a researcher membership of ``organisation``
``other_organisation``  a second organisation (jeugdbescherming)
``outsider``            a professional of ``other_organisation``
``superuser``           the installation's superuser
``instrument``          the shipped ``standaard`` instrument (latest version)
``measurement_round``   an open round in ``trajectory``, started by ``professional``

The names are part of the test suite's interface: keep them stable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import (
    ClientFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)


@pytest.fixture
def organisation(db: Any) -> Any:
    return OrganisationFactory(
        name="Reclassering Voorbeeldstad", slug="reclassering-voorbeeldstad", domain="reclassering"
    )


@pytest.fixture
def team(organisation: Any) -> Any:
    return TeamFactory(organisation=organisation, name="Team Noord")


@pytest.fixture
def professional(organisation: Any, team: Any) -> Any:
    user = UserFactory(username="pro.jansen", first_name="Pim", last_name="Jansen")
    MembershipFactory(user=user, organisation=organisation, role="professional", teams=[team])
    return user


@pytest.fixture
def colleague(organisation: Any, team: Any) -> Any:
    user = UserFactory(username="collega.de.vries", first_name="Cas", last_name="de Vries")
    MembershipFactory(user=user, organisation=organisation, role="professional", teams=[team])
    return user


@pytest.fixture
def team_lead(organisation: Any, team: Any) -> Any:
    user = UserFactory(username="teamleider.bakker", first_name="Tess", last_name="Bakker")
    MembershipFactory(user=user, organisation=organisation, role="team_lead", teams=[team])
    return user


@pytest.fixture
def org_admin(organisation: Any) -> Any:
    user = UserFactory(username="beheer.visser", is_staff=True)
    MembershipFactory(user=user, organisation=organisation, role="org_admin")
    return user


@pytest.fixture
def researcher(organisation: Any) -> Any:
    user = UserFactory(username="onderzoeker.smit")
    MembershipFactory(user=user, organisation=organisation, role="researcher")
    return user


@pytest.fixture
def other_organisation(db: Any) -> Any:
    return OrganisationFactory(
        name="Jeugdbescherming Elders", slug="jeugdbescherming-elders", domain="jeugdbescherming"
    )


@pytest.fixture
def outsider(other_organisation: Any) -> Any:
    user = UserFactory(username="buiten.mulder")
    MembershipFactory(user=user, organisation=other_organisation, role="professional")
    return user


@pytest.fixture
def superuser(db: Any) -> Any:
    return UserFactory(username="systeembeheer", is_staff=True, is_superuser=True)


@pytest.fixture
def client_record(organisation: Any) -> Any:
    return ClientFactory(organisation=organisation, display_name="K.V.")


@pytest.fixture
def trajectory(client_record: Any, professional: Any, team: Any) -> Any:
    from alliantiemonitor.trajectories.services import trajectory_start

    return trajectory_start(
        client=client_record,
        professional=professional,
        legal_frame="Toezicht bij voorwaardelijke straf",
        start_date=timezone.localdate() - dt.timedelta(days=30),
        team=team,
    )


@pytest.fixture
def instrument() -> Any:
    from alliantiemonitor.instruments.registry import get_registry

    return get_registry().get("standaard")


@pytest.fixture
def measurement_round(trajectory: Any, professional: Any) -> Any:
    from alliantiemonitor.measurements.services import round_start

    return round_start(trajectory=trajectory, by=professional)
