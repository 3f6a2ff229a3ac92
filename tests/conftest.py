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

Second factor: ``client.force_login(user)`` also proves the user's second factor (a real,
confirmed TOTP device of the user, recorded in the session as django-otp does) and counts as
a fresh full login for ``require_recent_auth``, so tests of other features need not go through
the code step. Tests of the second factor itself opt out with
``@pytest.mark.real_second_factor``; :func:`second_factor_verified` does the same by hand.
"""

from __future__ import annotations

import datetime as dt
import time
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


def second_factor_verified(client: Any, user: Any) -> Any:
    """Give ``user`` a confirmed app device and mark ``client``'s session verified by it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from alliantiemonitor.common.reauth import FULL_AUTH_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[FULL_AUTH_KEY] = int(time.time())
    session.save()
    return device


def current_code(device: Any) -> str:
    """The code an authenticator app shows now for ``device``, one that was not used yet.

    A TOTP code works once (django-otp remembers the last time step used); a test that logs
    in twice within 30 seconds gets the next step's code, which the device's tolerance of one
    step accepts, or waits for it.
    """
    from django_otp.oath import hotp

    device.refresh_from_db()
    while True:
        now_t = int(time.time() - device.t0) // device.step + device.drift
        counter = max(now_t, device.last_t + 1)
        if counter <= now_t + device.tolerance:
            return f"{hotp(device.bin_key, counter, device.digits):0{device.digits}d}"
        time.sleep(1)


@pytest.fixture(autouse=True)
def _force_login_proves_second_factor(request: Any, monkeypatch: Any) -> None:
    """``force_login`` also proves the second factor, unless marked ``real_second_factor``."""
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self: Any, user: Any, backend: Any = None) -> None:
        original(self, user, backend)
        second_factor_verified(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


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


@pytest.fixture
def speech_dir(settings: Any, tmp_path: Any) -> Any:
    """espeak-ng, and an empty data folder for the read-aloud audio made during the test.

    Skips with a clear message when espeak-ng is missing, except in CI, where that is a
    failure (`make install-test` installs it, as it does Chromium).
    """
    import os
    import shutil

    if shutil.which("espeak-ng") is None:
        message = "espeak-ng not found; install it with `apt-get install espeak-ng`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    settings.DATA_DIR = tmp_path
    return tmp_path / "speech"
