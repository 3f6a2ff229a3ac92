"""The demo loads believable data through the services, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.scheduling.models import OrganisationSchedule
from alliantiemonitor.scheduling.readmodels import due_rounds
from alliantiemonitor.trajectories.models import Assignment, OutcomeEvent, Trajectory
from alliantiemonitor.web.demo import DEMO_PASSWORD, LOGINS, demo_load

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_loads_once_with_history(fast_hashing):
    first = demo_load()  # the real demo size
    assert first.created
    assert Organisation.objects.count() == 2
    assert {o.domain for o in Organisation.objects.all()} == {
        "reclassering",
        "schuldhulpverlening",
    }
    assert Trajectory.objects.count() == first.trajectories >= 40
    assert first.handovers >= 1
    assert Assignment.objects.exclude(handed_over_from=None).count() == first.handovers
    assert MeasurementRound.objects.filter(state=RoundState.DISCUSSED).exists()
    assert MeasurementRound.objects.filter(after_handover=True).exists()
    # Each round pins the variant whose answers it holds; easy-read clients get eenvoudig.
    for response in Response.objects.select_related("round")[:50]:
        prefix = "c_" if response.rater == "client" else "p_"
        assert all(item.startswith(prefix) for item in response.answers)
    assert MeasurementRound.objects.filter(
        instrument_id="eenvoudig", trajectory__client__easy_read=True
    ).exists()

    # The periodic features: a default schedule per organisation, rounds it asks for on the
    # caseload, signals computed at the end of the load, outcome events.
    assert OrganisationSchedule.objects.filter(enabled=True).count() == 2
    due = due_rounds(Trajectory.objects.active(), timezone.localdate())
    assert any(info.due for info in due.values())
    assert Signal.objects.open().count() == first.signals > 0
    assert OutcomeEvent.objects.exists()

    # A running study: the researcher can build an export or report at once.
    from alliantiemonitor.research.dataset import describe
    from alliantiemonitor.research.models import Study

    study = Study.objects.get()
    assert study.is_active
    assert first.enrolled == study.enrolled_trajectories.count() > 10
    assert 0 < first.consenting < first.enrolled
    assert describe(study).trajectories == first.consenting

    counts = (Trajectory.objects.count(), MeasurementRound.objects.count())
    second = demo_load()
    assert not second.created
    assert (Trajectory.objects.count(), MeasurementRound.objects.count()) == counts


def test_demo_logins_work(fast_hashing):
    demo_load(trajectories=4)
    for login in LOGINS:
        user = get_user_model().objects.get(username=login.username)
        assert user.check_password(DEMO_PASSWORD), login.username


def test_demo_command_prints_address_and_logins(fast_hashing, monkeypatch):
    # The printing is under test, not the load (the test above loads the real size).
    from alliantiemonitor.web import demo as demo_module
    from alliantiemonitor.web.management.commands import demo as demo_command

    monkeypatch.setattr(demo_command, "demo_load", lambda: demo_module.demo_load(trajectories=10))
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", "--address", "http://127.0.0.1:9999/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:9999/" in text
    assert DEMO_PASSWORD in text
    for login in LOGINS:
        assert login.username in text
    assert "a study with" in text


def test_demo_command_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo")
    assert not Organisation.objects.exists()
