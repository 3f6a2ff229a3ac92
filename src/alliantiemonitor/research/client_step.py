"""Research consent and phase questionnaires as a step of the client flow (``apps.ready``).

Before the intro, a client whose trajectory is enrolled in an active study with no answer yet
is asked (the study's information text, then yes / no / later). "Later" holds for this round
in this browser; the question comes back at the next round. The intro then says what is true
for each study the trajectory is in, and a client who said yes finds there (and on the
thank-you page) the way to stop taking part: a confirm page, then the withdrawal, recorded as
the client's own.

Once the client said yes, the questionnaires of the study's current phase (the latest phase
whose start, counted from the enrolment, has come) that are not answered yet come next, one
at a time, each with "later" as well.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.measurements.client_steps import ClientStep
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.research.constants import ConsentState, StudyStatus
from alliantiemonitor.research.models import EnrolledTrajectory, PhaseResponse, StudyPhase
from alliantiemonitor.research.phase_responses import questionnaire_get
from alliantiemonitor.research.services import consent_state

#: Session key: the ``<round uuid>:<enrolled uuid>`` pairs the client answered "later".
LATER_KEY = "alliantiemonitor.research_later"


def later_key(measurement_round: MeasurementRound, enrolled: EnrolledTrajectory) -> str:
    return f"{measurement_round.uuid}:{enrolled.uuid}"


def deferred(request: HttpRequest, measurement_round: MeasurementRound) -> set[str]:
    """The enrolments the client put off in this round."""
    stored = request.session.get(LATER_KEY, [])
    prefix = f"{measurement_round.uuid}:"
    return {item[len(prefix) :] for item in stored if item.startswith(prefix)}


def defer(
    request: HttpRequest, measurement_round: MeasurementRound, enrolled: EnrolledTrajectory
) -> None:
    """Remember that the client answers "later" for ``enrolled`` in this round."""
    _defer(request, later_key(measurement_round, enrolled))


def _defer(request: HttpRequest, key: str) -> None:
    stored = [item for item in request.session.get(LATER_KEY, []) if isinstance(item, str)]
    if key not in stored:
        # Bounded: a session never grows past a few rounds' worth.
        request.session[LATER_KEY] = [*stored[-19:], key]


def client_enrolments(measurement_round: MeasurementRound) -> list[tuple[EnrolledTrajectory, str]]:
    """The round's trajectory's enrolments in active studies, each with its consent state."""
    rows = (
        EnrolledTrajectory.objects.filter(
            trajectory_id=measurement_round.trajectory_id, study__status=StudyStatus.ACTIVE
        )
        .select_related("study")
        .order_by("enrolled_at", "pk")
    )
    return [(row, consent_state(row)) for row in rows]


def client_enrolment_get(
    measurement_round: MeasurementRound, uuid: uuid_module.UUID
) -> EnrolledTrajectory | None:
    """The enrolment ``uuid`` of the round's own trajectory (any study status), else ``None``.

    The one way a client page reaches an enrolment: an enrolment of another trajectory is
    never found, whoever's public id the browser sends.
    """
    return (
        EnrolledTrajectory.objects.filter(trajectory_id=measurement_round.trajectory_id, uuid=uuid)
        .select_related("study")
        .first()
    )


def questions_open(
    request: HttpRequest, measurement_round: MeasurementRound
) -> list[EnrolledTrajectory]:
    """Enrolments still to ask about in this round (no answer, not put off)."""
    later = deferred(request, measurement_round)
    return [
        row
        for row, state in client_enrolments(measurement_round)
        if state == ConsentState.OPEN and str(row.uuid) not in later
    ]


@dataclass(frozen=True)
class OpenQuestionnaire:
    """A questionnaire of the current phase that a consenting client has not answered yet."""

    enrolled: EnrolledTrajectory
    phase: StudyPhase
    questionnaire: Instrument

    @property
    def key(self) -> str:
        return f"{self.phase.uuid}:{self.questionnaire.id}"


def current_phase(enrolled: EnrolledTrajectory, today: dt.date) -> StudyPhase | None:
    """The latest phase of the study whose start (days after enrolment) has come."""
    enrolled_on = timezone.localdate(enrolled.enrolled_at)
    started = [
        phase
        for phase in enrolled.study.phases.order_by("order")
        if enrolled_on + dt.timedelta(days=phase.timing_days) <= today
    ]
    return max(started, key=lambda phase: (phase.timing_days, phase.order), default=None)


def questionnaires_open(
    request: HttpRequest, measurement_round: MeasurementRound
) -> list[OpenQuestionnaire]:
    """The current phases' questionnaires still to answer in this round (not put off)."""
    later = deferred(request, measurement_round)
    rows = (
        EnrolledTrajectory.objects.filter(
            trajectory_id=measurement_round.trajectory_id, study__status=StudyStatus.ACTIVE
        )
        .consenting()
        .select_related("study")
        .order_by("enrolled_at", "pk")
    )
    found = []
    today = timezone.localdate()
    for row in rows:
        phase = current_phase(row, today)
        if phase is None:
            continue
        answered = set(
            PhaseResponse.objects.filter(enrolled=row, phase=phase).values_list(
                "questionnaire", flat=True
            )
        )
        for questionnaire_id in phase.instruments or []:
            if questionnaire_id in answered:
                continue
            try:
                item = OpenQuestionnaire(row, phase, questionnaire_get(questionnaire_id))
            except KeyError:
                continue
            if item.key not in later:
                found.append(item)
    return found


def defer_questionnaire(
    request: HttpRequest, measurement_round: MeasurementRound, item: OpenQuestionnaire
) -> None:
    """Remember that the client answers ``item`` "later" (in this round, in this browser)."""
    _defer(request, f"{measurement_round.uuid}:{item.key}")


def research_client_step(
    request: HttpRequest, measurement_round: MeasurementRound
) -> ClientStep | None:
    """The consent question or a phase questionnaire when one is open; and what the intro says."""
    enrolments = client_enrolments(measurement_round)
    if not enrolments:
        return None
    pending = None
    if questions_open(request, measurement_round):
        pending = reverse("client:research")
    elif questionnaires_open(request, measurement_round):
        pending = reverse("client:research_questionnaire")
    return ClientStep(
        pending_url=pending,
        intro_template="research/client/_intro.html",
        done_template="research/client/_done.html",
        context={"research_studies": enrolments},
    )
