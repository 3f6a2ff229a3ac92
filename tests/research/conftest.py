"""A study of the persona organisation: active, the organisation agreed, nothing enrolled yet."""

from __future__ import annotations

from typing import Any

import pytest

STUDY_INFORMATION = (
    "Wij onderzoeken hoe de samenwerking tussen cliënten en begeleiders verloopt. "
    "Doet u mee, dan gebruiken wij uw antwoorden met een code in plaats van uw naam."
)


@pytest.fixture
def draft_study(researcher: Any) -> Any:
    from alliantiemonitor.research.services import study_create

    return study_create(
        by=researcher,
        name="Werkalliantie in toezicht",
        description="Verloop van de werkalliantie over een jaar.",
        protocol="Nulmeting, interventie, tussenmeting, eindmeting.",
        information_text=STUDY_INFORMATION,
    )


@pytest.fixture
def study(draft_study: Any, researcher: Any, organisation: Any, org_admin: Any) -> Any:
    """Active, and the organisation takes part (asked by the researcher, agreed by its admin)."""
    from alliantiemonitor.research.services import (
        study_enrol,
        study_enrolment_agree,
        study_status_set,
    )

    study_status_set(study=draft_study, by=researcher, status="active")
    enrolment = study_enrol(study=draft_study, by=researcher, organisation=organisation)
    study_enrolment_agree(enrolment=enrolment, by=org_admin)
    draft_study.refresh_from_db()
    return draft_study


@pytest.fixture
def enrolled(study: Any, trajectory: Any, professional: Any) -> Any:
    from alliantiemonitor.research.services import trajectory_enrol

    return trajectory_enrol(study=study, trajectory=trajectory, by=professional)


def enrol_client(
    study: Any, professional: Any, team: Any, *, name: str = "B.W.", consent: bool | None = True
) -> Any:
    """A new client's trajectory, enrolled in ``study``; its answer recorded unless ``None``."""
    import datetime as dt

    from django.utils import timezone

    from alliantiemonitor.research.services import consent_record, trajectory_enrol
    from alliantiemonitor.trajectories.services import trajectory_start
    from tests.factories import ClientFactory

    client = ClientFactory(organisation=study.enrolments.get().organisation, display_name=name)
    trajectory = trajectory_start(
        client=client,
        professional=professional,
        legal_frame="Toezicht",
        start_date=timezone.localdate() - dt.timedelta(days=400),
        team=team,
    )
    enrolled = trajectory_enrol(study=study, trajectory=trajectory, by=professional)
    if consent is not None:
        consent_record(enrolled=enrolled, given=consent, mode="client_flow")
    return enrolled


def second_trajectory(study: Any, trajectory: Any, professional: Any, team: Any) -> Any:
    """Another trajectory of ``trajectory``'s client, enrolled in ``study`` (no answer yet)."""
    import datetime as dt

    from django.utils import timezone

    from alliantiemonitor.research.services import trajectory_enrol
    from alliantiemonitor.trajectories.services import trajectory_start

    second = trajectory_start(
        client=trajectory.client,
        professional=professional,
        legal_frame="Tweede toezicht",
        start_date=timezone.localdate() - dt.timedelta(days=5),
        team=team,
    )
    return trajectory_enrol(study=study, trajectory=second, by=professional)


def rounds_of_trust(trajectory: Any, professional: Any, trust: list[int]) -> None:
    """One round per value, two months apart: the client's trust as given, the professional's 3."""
    from tests.monitoring.helpers import make_round

    for index, value in enumerate(trust):
        make_round(
            trajectory,
            professional,
            days_ago=300 - 60 * index,
            client={"trust": value},
            pro={"trust": 3},
        )


@pytest.fixture
def phase(study: Any, researcher: Any) -> Any:
    """The study's interim phase, asking two plain questionnaires."""
    from alliantiemonitor.research.services import study_phase_add

    return study_phase_add(
        study=study,
        by=researcher,
        kind="tussenmeting",
        name="Tussenmeting",
        instruments=["bruikbaarheid", "motivatie"],
        timing_days=30,
    )


@pytest.fixture
def consenting(enrolled: Any) -> Any:
    """The enrolled trajectory, its client having said yes in the client flow."""
    from alliantiemonitor.research.services import consent_record

    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    return enrolled
