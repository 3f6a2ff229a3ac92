"""The data of the authorisation matrix: two organisations, each with the same set of objects.

Built once per test module (see ``conftest.py``); every request of the matrix runs in a
savepoint that is rolled back, so no request sees what another one did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tests.factories import (
    ClientFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    discuss_round,
)

#: Every persona of the matrix. ``client`` holds a valid link for a round of another
#: trajectory (its own), never for the objects in the URLs.
PERSONAS = (
    "anonymous",
    "client",
    "professional",
    "colleague",
    "outsider",
    "former",
    "team_lead",
    "org_admin",
    "researcher",
    "deactivated",
    "superuser",
)


@dataclass
class Side:
    """The objects of one organisation that URLs point at."""

    organisation: Any
    team: Any
    client: Any
    trajectory: Any
    round: Any
    discussed: Any
    invitation: Any
    signal: Any
    contact: Any
    membership: Any
    #: The pseudonym shown on every page about this client.
    marker: str
    #: An active study of the organisation's researcher, the organisation enrolled (agreed)
    #: and the trajectory in it.
    study: Any = None
    enrolment: Any = None
    #: A follow-up file checked (not yet imported) and an interview sample of that study.
    followup: Any = None
    sample: Any = None
    #: A built export of that study, with one file.
    output: Any = None
    #: A phase of that study.
    phase: Any = None


@dataclass
class World:
    own: Side
    other: Side
    users: dict[str, Any] = field(default_factory=dict)
    #: The link of the client persona (a round of another trajectory of the own organisation).
    client_token: str = ""


def _side(name: str, slug: str, domain: str, pseudonym: str, professional: Any) -> Side:
    from alliantiemonitor.measurements.services import invitation_create, round_start
    from alliantiemonitor.monitoring.models import Signal
    from alliantiemonitor.scheduling.services.settings import client_contact_set
    from alliantiemonitor.trajectories.services import trajectory_start

    organisation = OrganisationFactory(name=name, slug=slug, domain=domain)
    team = TeamFactory(organisation=organisation, name=f"Team {slug.split('-')[0]}")
    membership = MembershipFactory(
        user=professional, organisation=organisation, role="professional", teams=[team]
    )
    client = ClientFactory(organisation=organisation, display_name=pseudonym)
    trajectory = trajectory_start(
        client=client,
        professional=professional,
        legal_frame="Toezicht",
        start_date=timezone.localdate() - dt.timedelta(days=90),
        team=team,
    )
    discussed = discuss_round(round_start(trajectory=trajectory, by=professional), professional)
    collecting = round_start(trajectory=trajectory, by=professional)
    invitation, _token = invitation_create(round=collecting, kind="link", by=professional)
    signal = Signal.objects.create(
        trajectory=trajectory,
        round=discussed,
        kind="disagreement",
        characteristic="trust",
        raised_at=discussed.opened_at,
    )
    contact = client_contact_set(
        client=client, by=professional, email=f"{slug}@example.org", consent=True
    )
    return Side(
        organisation=organisation,
        team=team,
        client=client,
        trajectory=trajectory,
        round=collecting,
        discussed=discussed,
        invitation=invitation,
        signal=signal,
        contact=contact,
        membership=membership,
        marker=pseudonym,
    )


def _study(side: Side, researcher: Any, name: str) -> tuple[Any, Any]:
    """An active study of ``researcher`` with the side's organisation and trajectory in it."""
    from alliantiemonitor.research.services import (
        study_create,
        study_enrol,
        study_status_set,
        trajectory_enrol,
    )

    study = study_create(by=researcher, name=name, information_text="Uitleg voor cliënten.")
    study_status_set(study=study, by=researcher, status="active")
    enrolment = study_enrol(study=study, by=researcher, organisation=side.organisation)
    # Agreed as the organisation's admin would (the matrix's admin persona is of one side only).
    enrolment.agreed_at = timezone.now()
    enrolment.save(update_fields=["agreed_at"])
    trajectory_enrol(
        study=study, trajectory=side.trajectory, by=side.trajectory.assignments.last().professional
    )
    return study, enrolment


def _followup_and_sample(side: Side, researcher: Any) -> tuple[Any, Any]:
    """A checked follow-up file (not imported) and an interview sample of the side's study."""
    from alliantiemonitor.research.followup import followup_dry_run
    from alliantiemonitor.research.sampling import interview_sample_draw

    data = b"study_key,outcome,date,value\nABCDEFGHIJKL,recidivism,2025-01-01,1\n"
    upload, _report = followup_dry_run(study=side.study, by=researcher, data=data)
    sample = interview_sample_draw(study=side.study, by=researcher, sizes={"stable": 1}, seed=1)
    return upload, sample


def _output(side: Side, researcher: Any) -> Any:
    """A ready export of the side's study with one small file (as the worker leaves it)."""
    from alliantiemonitor.research.models import StudyOutput
    from alliantiemonitor.research.outputs import output_folder

    output = StudyOutput.objects.create(
        study=side.study,
        kind="export",
        state="ready",
        requested_by=researcher,
        options={"layout": "long", "dates": "month", "formats": ["csv"]},
        files=[{"name": "responses.csv", "size": 4, "sha256": "0" * 64}],
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    folder = output_folder(output)
    folder.mkdir(parents=True)
    (folder / "responses.csv").write_text("a,b\n")
    return output


def _phase(side: Side, researcher: Any) -> Any:
    """A phase of the side's study."""
    from alliantiemonitor.research.services import study_phase_add

    return study_phase_add(
        study=side.study,
        by=researcher,
        kind="nulmeting",
        name="Nulmeting",
        instruments=["motivatie"],
        timing_days=0,
    )


def build_world() -> World:
    """Both organisations, every persona, and the hand-over that makes ``former`` former."""
    from alliantiemonitor.measurements.services import invitation_create, round_start
    from alliantiemonitor.trajectories.services import trajectory_hand_over, trajectory_start

    former = UserFactory(username="matrix.former")
    professional = UserFactory(username="matrix.professional")
    # The own trajectory starts with ``former`` and is handed over to ``professional``.
    own = _side("Reclassering Matrix", "reclassering-matrix", "reclassering", "K.M.", former)
    MembershipFactory(
        user=professional, organisation=own.organisation, role="professional", teams=[own.team]
    )
    trajectory_hand_over(
        trajectory=own.trajectory, to_professional=professional, by=former, reason="Verhuizing"
    )
    other_professional = UserFactory(username="matrix.elders")
    other = _side(
        "Jeugdbescherming Matrix",
        "jeugdbescherming-matrix",
        "jeugdbescherming",
        "E.L.",
        other_professional,
    )
    users: dict[str, Any] = {"professional": professional, "former": former}
    for persona, side, role in (
        ("colleague", own, "professional"),
        ("outsider", other, "professional"),
        ("team_lead", own, "team_lead"),
        ("org_admin", own, "org_admin"),
        ("researcher", own, "researcher"),
        # A professional of the own team whose account is deactivated (below, at the end).
        ("deactivated", own, "professional"),
    ):
        users[persona] = UserFactory(username=f"matrix.{persona}", is_staff=role == "org_admin")
        teams = [side.team] if role in ("professional", "team_lead") else []
        MembershipFactory(
            user=users[persona], organisation=side.organisation, role=role, teams=teams
        )
    users["superuser"] = UserFactory(username="matrix.root", is_staff=True, is_superuser=True)

    # The client persona's own round: another client of the same organisation.
    elsewhere = trajectory_start(
        client=ClientFactory(organisation=own.organisation, display_name="A.N."),
        professional=professional,
        legal_frame="Begeleiding",
        start_date=timezone.localdate() - dt.timedelta(days=10),
        team=own.team,
    )
    _invitation, token = invitation_create(
        round=round_start(trajectory=elsewhere, by=professional), kind="link", by=professional
    )
    own.study, own.enrolment = _study(own, users["researcher"], "Studie Matrix")
    researcher_elsewhere = UserFactory(username="matrix.onderzoeker.elders")
    MembershipFactory(user=researcher_elsewhere, organisation=other.organisation, role="researcher")
    other.study, other.enrolment = _study(other, researcher_elsewhere, "Studie Elders")
    for side, by in ((own, users["researcher"]), (other, researcher_elsewhere)):
        side.followup, side.sample = _followup_and_sample(side, by)
        side.output = _output(side, by)
        side.phase = _phase(side, by)
    users["deactivated"].is_active = False
    users["deactivated"].save(update_fields=["is_active"])
    return World(own=own, other=other, users=users, client_token=token)
