"""The demo: two synthetic organisations with ~100 trajectories replayed from the generator.

Everything goes through the services, so the demo obeys the same rules as real use. The
services stamp "now"; the loader replays history in date order and moves each stamp back to
its synthetic date straight after the service call, so that later rules (such as
``after_handover``) see a consistent past.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliantiemonitor.conversations.services import (
    agreement_add,
    conversation_start,
    evaluation_record,
    round_mark_discussed,
)
from alliantiemonitor.core import synth
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import (
    response_save_answers,
    response_submit,
    round_cancel,
    round_close,
    round_start,
    trajectory_close,
)
from alliantiemonitor.monitoring.services import signals_recompute
from alliantiemonitor.organisations.constants import Domain, Role
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.organisations.services import (
    membership_grant,
    organisation_create,
    team_create,
)
from alliantiemonitor.research.services import (
    consent_record,
    study_create,
    study_enrol,
    study_enrolment_agree,
    study_phase_add,
    study_status_set,
    trajectory_enrol,
)
from alliantiemonitor.scheduling.services import organisation_schedule_set
from alliantiemonitor.trajectories.constants import OutcomeKind
from alliantiemonitor.trajectories.models import Assignment, Trajectory
from alliantiemonitor.trajectories.services import (
    client_create,
    outcome_record,
    trajectory_hand_over,
    trajectory_start,
)

#: The demo password of every demo login. The demo refuses to run with DEBUG off.
DEMO_PASSWORD = "demo-alliantie"  # noqa: S105 (a documented demo password, never in production)
DEMO_SEED = 2026
DEMO_TRAJECTORIES = 100

PROBATION_SLUG = "demo-reclassering-midden"
DEBT_SLUG = "demo-schuldhulp-oost"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


#: One login per role; every name is invented for the demo.
LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("professional", "professional", "Petra Proef, reclasseringswerker (caseload)"),
    DemoLogin("collega", "professional", "Koen Collega, reclasseringswerker (took over cases)"),
    DemoLogin("schuldhulp", "professional", "Sem Schuldhulp, schuldhulpverlener"),
    DemoLogin("teamleider", "team_lead", "Tessa Teamleider, team lead"),
    DemoLogin("beheerder", "org_admin", "Bas Beheerder, organisation admin (Administration)"),
    DemoLogin(
        "onderzoeker", "researcher", "Olga Onderzoeker, researcher (a study with consent given)"
    ),
)

_NAMES = {
    "professional": ("Petra", "Proef"),
    "collega": ("Koen", "Collega"),
    "schuldhulp": ("Sem", "Schuldhulp"),
    "teamleider": ("Tessa", "Teamleider"),
    "beheerder": ("Bas", "Beheerder"),
    "onderzoeker": ("Olga", "Onderzoeker"),
    "reclassering3": ("Rik", "Reclassering"),
    "schuldhulp2": ("Sara", "Saldo"),
}

_AGREEMENTS = (
    "We bespreken bij het volgende gesprek eerst hoe het met de voorwaarden gaat.",
    "De cliënt zegt het meteen als iets onduidelijk is; de begeleider legt het dan opnieuw uit.",
    "We maken samen een lijstje met doelen voor de komende drie maanden.",
    "Als een afspraak niet lukt, belt de cliënt vooraf in plaats van weg te blijven.",
)


@dataclass
class DemoResult:
    created: bool
    organisations: list[Organisation] = field(default_factory=list)
    trajectories: int = 0
    rounds: int = 0
    responses: int = 0
    handovers: int = 0
    signals: int = 0
    #: Trajectories enrolled in the demo study, and how many of their clients said yes.
    enrolled: int = 0
    consenting: int = 0


def demo_exists() -> bool:
    return Organisation.objects.filter(slug=PROBATION_SLUG).exists()


def _user(username: str, *, staff: bool = False) -> Any:
    first, last = _NAMES[username]
    user, _created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.invalid",
            "is_staff": staff,
        },
    )
    user.set_password(DEMO_PASSWORD)
    # The demo password is published on purpose: no forced change at the first login.
    user.must_change_password = False
    user.save()
    return user


def _initials(index: int) -> str:
    letters = "ABDEFGHJKLMNPRSTVWZ"
    first = letters[(index * 7) % len(letters)]
    second = letters[(index * 11 + 3) % len(letters)]
    return f"{first}.{second}. ({index + 1:02d})"


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _as_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _answers(row: pd.Series, item_ids: Iterable[str]) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for item_id in item_ids:
        value = row[item_id]
        answers[item_id] = None if value is None or math.isnan(float(value)) else int(value)
    return answers


@transaction.atomic
def demo_load(*, seed: int = DEMO_SEED, trajectories: int = DEMO_TRAJECTORIES) -> DemoResult:
    """Create the demo organisations, logins and synthetic history once; safe to run twice."""
    if demo_exists():
        return DemoResult(created=False)
    today = timezone.localdate()
    result = DemoResult(created=True)

    users = {name: _user(name, staff=(name == "beheerder")) for name in _NAMES}
    probation = organisation_create(
        name="Reclassering Regio Midden (demo)",
        slug=PROBATION_SLUG,
        domain=Domain.RECLASSERING,
        default_instrument="standaard",
    )
    debt = organisation_create(
        name="Schuldhulp Stadsdeel Oost (demo)",
        slug=DEBT_SLUG,
        domain=Domain.SCHULDHULPVERLENING,
        default_instrument="kort",
    )
    result.organisations = [probation, debt]
    north = team_create(organisation=probation, name="Team Noord")
    south = team_create(organisation=probation, name="Team Zuid")
    debt_team = team_create(organisation=debt, name="Team Schulden")
    for name in ("professional", "collega"):
        membership_grant(
            user=users[name], organisation=probation, role=Role.PROFESSIONAL, teams=[north]
        )
    membership_grant(
        user=users["reclassering3"], organisation=probation, role=Role.PROFESSIONAL, teams=[south]
    )
    for name in ("schuldhulp", "schuldhulp2"):
        membership_grant(
            user=users[name], organisation=debt, role=Role.PROFESSIONAL, teams=[debt_team]
        )
    membership_grant(
        user=users["teamleider"], organisation=probation, role=Role.TEAM_LEAD, teams=[north, south]
    )
    for organisation in (probation, debt):
        membership_grant(user=users["beheerder"], organisation=organisation, role=Role.ORG_ADMIN)
        membership_grant(user=users["onderzoeker"], organisation=organisation, role=Role.RESEARCHER)

    # Petra carries a big caseload; Koen takes over some of her cases (handovers). Team Zuid
    # (Rik) is large enough that the team dashboards show figures, not only hidden cells.
    pools = {
        Domain.RECLASSERING.value: (
            probation,
            [
                users["professional"],
                users["professional"],
                users["collega"],
                users["reclassering3"],
                users["reclassering3"],
            ],
        ),
        Domain.SCHULDHULPVERLENING.value: (debt, [users["schuldhulp"], users["schuldhulp2"]]),
    }
    teams = {
        users["professional"].pk: north,
        users["collega"].pk: north,
        users["reclassering3"].pk: south,
    }

    # One synthetic batch per organisation and variant: the answers are generated on the
    # instrument the round will pin, and easy-read clients get the easy-read variant.
    batches = (
        (Domain.RECLASSERING.value, "standaard", False, max(1, trajectories * 6 // 10)),
        (Domain.RECLASSERING.value, "eenvoudig", True, max(1, trajectories // 10)),
        (Domain.SCHULDHULPVERLENING.value, "kort", False, max(1, trajectories * 3 // 10)),
    )
    start = today - dt.timedelta(days=420)
    index = 0
    for offset, (domain, instrument_id, easy_read, count) in enumerate(batches):
        data = synth.generate(
            get_registry().get(instrument_id),
            trajectories=count,
            seed=seed + offset,
            domains=(domain,),
            start=start,
            # More changes of professional than usual, so the demo shows what they do.
            params=synth.SynthParams(handover_probability=0.3),
        )
        professionals = _ProfessionalMap(pools[domain][1])
        for traj in data.trajectories.itertuples(index=False):
            _replay_trajectory(
                data, traj, index, pools[domain][0], professionals, easy_read, teams, today, result
            )
            index += 1
    if result.handovers == 0:
        _hand_over_one(users["professional"], users["collega"], today, result)
    # The default schedule (a round at the start, every 12 weeks, after a change of
    # professional, before the planned end); the debt team meets more often. The worker that
    # `make demo` runs beside the web server opens the rounds it asks for.
    organisation_schedule_set(organisation=probation, by=users["beheerder"])
    organisation_schedule_set(
        organisation=debt, by=users["beheerder"], every_weeks=8, sender_name=debt.name
    )
    result.signals = signals_recompute(today=today).opened
    _demo_study(users["onderzoeker"], users["beheerder"], probation, result)
    return result


def _demo_study(
    researcher: Any, admin: Any, organisation: Organisation, result: DemoResult
) -> None:
    """A running study of the probation organisation: enrolled, most clients said yes.

    So the researcher's pages show counts, and an export or the report can be built at once.
    About one client in six said no and one in six was not asked yet.
    """
    study = study_create(
        by=researcher,
        name="Werkalliantie in toezicht (demo)",
        description="Hoe de werkalliantie zich over een jaar ontwikkelt, en wat ermee samengaat.",
        protocol=(
            "Nulmeting: levensgebieden. Interventie: de monitor, apart ingevuld en besproken. "
            "Tussenmeting na drie maanden: hoe bruikbaar de monitor was. Na afloop van de "
            "bewaartermijn blijft niets bewaard."
        ),
        information_text=(
            "We onderzoeken hoe de samenwerking met je begeleider loopt. Als je ja zegt, "
            "gebruiken we je antwoorden met een code in plaats van je naam. Nee zeggen "
            "verandert niets aan je begeleiding, en je kunt altijd stoppen."
        ),
    )
    study_phase_add(
        study=study,
        by=researcher,
        kind="nulmeting",
        name="Nulmeting",
        instruments=["levensgebieden"],
        timing_days=0,
    )
    study_phase_add(
        study=study,
        by=researcher,
        kind="tussenmeting",
        name="Tussenmeting",
        instruments=["bruikbaarheid"],
        timing_days=90,
    )
    study_status_set(study=study, by=researcher, status="active")
    enrolment = study_enrol(study=study, by=researcher, organisation=organisation)
    study_enrolment_agree(enrolment=enrolment, by=admin)
    active = Trajectory.objects.for_organisation(organisation).active().order_by("pk")
    for index, trajectory in enumerate(active):
        professional = trajectory.assignments.order_by("pk").last().professional
        enrolled = trajectory_enrol(study=study, trajectory=trajectory, by=professional)
        result.enrolled += 1
        if index % 6 == 5:
            continue  # not asked yet
        given = index % 6 != 4
        consent_record(enrolled=enrolled, given=given, mode="client_flow")
        result.consenting += given


def _hand_over_one(from_user: Any, to_user: Any, today: dt.date, result: DemoResult) -> None:
    """Make sure the demo shows at least one change of professional."""
    assignment = (
        Assignment.objects.filter(
            professional=from_user, end__isnull=True, trajectory__status="active"
        )
        .order_by("pk")
        .first()
    )
    if assignment is None:
        return
    moment = max(
        _moment(today - dt.timedelta(days=14), 9), assignment.start + dt.timedelta(hours=1)
    )
    trajectory_hand_over(
        trajectory=assignment.trajectory,
        to_professional=to_user,
        by=from_user,
        reason="Werkverdeling (demo)",
        at=moment,
    )
    result.handovers += 1


class _ProfessionalMap:
    """Map the generator's professional codes onto demo users, spreading them over the pool."""

    def __init__(self, pool: list[Any]) -> None:
        self.pool = pool
        self.seen: dict[str, Any] = {}

    def get(self, code: str, *, exclude: Any = None) -> Any:
        if code not in self.seen:
            self.seen[code] = self.pool[len(self.seen) % len(self.pool)]
        chosen = self.seen[code]
        if exclude is not None and chosen.pk == exclude.pk:
            others = [p for p in self.pool if p.pk != exclude.pk]
            chosen = others[len(code) % len(others)]
        return chosen


def _replay_trajectory(
    data: synth.SynthDataset,
    traj: Any,
    index: int,
    organisation: Organisation,
    professionals: _ProfessionalMap,
    easy_read: bool,
    teams: dict[int, Any],
    today: dt.date,
    result: DemoResult,
) -> None:
    assignments = data.assignments[data.assignments["trajectory_id"] == traj.trajectory_id]
    assignments = assignments.sort_values("start_date")
    first = assignments.iloc[0]
    # Spread trajectories over the pool; the generator's caseloads are larger than the demo's.
    professional = professionals.get(f"{traj.trajectory_id}/{first['professional_id']}")
    start_date = _as_date(traj.start_date)
    if start_date > today:
        return

    client = client_create(
        organisation=organisation,
        display_name=_initials(index),
        by=professional,
        preferred_language="nl",
        easy_read=easy_read,
    )
    trajectory = trajectory_start(
        client=client,
        professional=professional,
        legal_frame=traj.legal_frame,
        start_date=start_date,
        team=teams.get(professional.pk),
    )
    Assignment.objects.filter(trajectory=trajectory).update(start=_moment(start_date, 9))
    result.trajectories += 1

    # Events on one timeline: handovers, rounds and outcomes in date order.
    timeline: list[tuple[dt.date, int, str, Any]] = []
    for row in assignments.iloc[1:].itertuples(index=False):
        timeline.append((_as_date(row.start_date), 0, "handover", row))
    rounds = data.rounds[data.rounds["trajectory_id"] == traj.trajectory_id]
    for row in rounds.itertuples(index=False):
        timeline.append((_as_date(row.round_date), 1, "round", row))
    events = data.events[
        (data.events["trajectory_id"] == traj.trajectory_id) & (data.events["kind"] != "handover")
    ]
    for row in events.itertuples(index=False):
        timeline.append((_as_date(row.date), 2, "event", row))
    timeline.sort(key=lambda entry: (entry[0], entry[1]))

    responses = data.responses[data.responses["trajectory_id"] == traj.trajectory_id]
    latest_round_date = max(
        (day for day, _order, kind, _row in timeline if kind == "round" and day <= today),
        default=None,
    )
    for day, _order, kind, row in timeline:
        if day > today:
            break
        trajectory.refresh_from_db()
        if not trajectory.is_active:
            break
        if kind == "handover":
            current = trajectory.current_assignment.professional
            trajectory_hand_over(
                trajectory=trajectory,
                to_professional=professionals.get(str(row.professional_id), exclude=current),
                by=current,
                reason="Werkverdeling (demo)",
                at=_moment(day, 9),
            )
            result.handovers += 1
        elif kind == "round":
            _replay_round(trajectory, row, responses, day, day == latest_round_date, result)
        else:
            _replay_event(trajectory, row, day)


def _replay_round(
    trajectory: Trajectory,
    row: Any,
    responses: pd.DataFrame,
    day: dt.date,
    is_latest: bool,
    result: DemoResult,
) -> None:
    professional = trajectory.current_assignment.professional
    measurement_round = round_start(trajectory=trajectory, by=professional)
    MeasurementRound.objects.filter(pk=measurement_round.pk).update(opened_at=_moment(day, 9))
    result.rounds += 1
    instrument = measurement_round.instrument
    here = responses[responses["round_index"] == row.round_index]
    # The latest round shows work in progress: the client has not answered yet in some cases.
    leave_client_open = is_latest and row.round_index % 2 == 0
    submitted = set()
    for response_row in here.itertuples(index=False):
        rater = response_row.rater
        if not response_row.submitted or (rater == "client" and leave_client_open):
            continue
        item_ids = [item.id for item in instrument.items_for(rater)]
        answers = _answers(here[here["rater"] == rater].iloc[0], item_ids)
        is_client = rater == "client"
        response_save_answers(
            round=measurement_round,
            rater=rater,
            answers=answers,
            mode="handed_over_device"
            if is_client and day.toordinal() % 3 == 0
            else ("own_device" if is_client else "professional_self"),
            respondent=None if is_client else professional,
            by=None if is_client else professional,
        )
        response_submit(
            round=measurement_round,
            rater=rater,
            respondent=None if is_client else professional,
            by=None if is_client else professional,
        )
        Response.objects.filter(round=measurement_round, rater=rater).update(
            started_at=_moment(day, 10 if is_client else 14),
            submitted_at=_moment(day, 11 if is_client else 15),
        )
        submitted.add(rater)
    result.responses += len(submitted)
    if is_latest:
        return  # the current round stays as it is, to show work in progress
    if submitted != {"client", "professional"}:
        # A round that one party skipped is closed (or cancelled when nobody answered),
        # as a professional would before starting the next one.
        if submitted:
            round_close(round=measurement_round, by=professional)
        else:
            round_cancel(round=measurement_round, by=professional)
        return
    conversation = conversation_start(round=measurement_round, by=professional, held_on=day)
    agreement_add(
        conversation=conversation,
        text=_AGREEMENTS[(row.round_index + trajectory.pk) % len(_AGREEMENTS)],
        by=professional,
    )
    evaluation_record(conversation=conversation, party="client", useful="yes")
    evaluation_record(
        conversation=conversation, party="professional", useful="partly", by=professional
    )
    round_mark_discussed(round=measurement_round, by=professional)


_END_KINDS = {
    "premature_end_negative": OutcomeKind.PREMATURE_END_NEGATIVE,
    "premature_end_positive": OutcomeKind.PREMATURE_END_POSITIVE,
    "completion": OutcomeKind.REGULAR_COMPLETION,
}
_EVENT_KINDS = {
    "no_show": OutcomeKind.NO_SHOW,
    "formal_warning": OutcomeKind.FORMAL_WARNING,
    "recidivism": OutcomeKind.RECIDIVISM_FOLLOWUP,
}


def _replay_event(trajectory: Trajectory, row: Any, day: dt.date) -> None:
    professional = trajectory.current_assignment.professional
    if row.kind in _END_KINDS:
        trajectory_close(
            trajectory=trajectory, end_date=day, reason_kind=_END_KINDS[row.kind], by=professional
        )
    elif row.kind in _EVENT_KINDS:
        outcome_record(
            trajectory=trajectory,
            kind=_EVENT_KINDS[row.kind],
            date=day,
            by=professional,
            note="",
        )
