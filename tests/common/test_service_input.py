"""Bad input straight into the services, the write path every form, job and (later) API uses.

The forms already refuse hostile input before a service sees it (tests/web/test_bad_input.py);
these tests call each service that takes text, a choice, a date or answers directly, with
values the forms would never pass on: very long, NUL and other control characters, lone
surrogates (which a JSON body can carry), wrong types, out-of-range numbers. The service must
either store the value as it reads back, or refuse with a :class:`DomainError` whose message
says what is wrong — and then leave every table as it was. Any other exception (a database
error, a ``TypeError``) fails the test. The same runs on SQLite and PostgreSQL, which refuses
NUL characters in text.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib
import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alliantiemonitor
from alliantiemonitor.api import services as api_services
from alliantiemonitor.api import services_webhooks as webhooks
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.conversations import services as conversations
from alliantiemonitor.core.signals import SignalSettings
from alliantiemonitor.imports import services as imports
from alliantiemonitor.imports.exceptions import ImportHasProblems
from alliantiemonitor.measurements.models import Response
from alliantiemonitor.measurements.services import (
    invitation_create,
    invitation_resolve,
    invitation_revoke,
    response_correct,
    response_save_answers,
    round_start,
)
from alliantiemonitor.measurements.services.paper import paper_code_check
from alliantiemonitor.measurements.services.responses import response_restart
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.monitoring.services import signal_acknowledge, signal_thresholds_update
from alliantiemonitor.organisations.services import (
    membership_grant,
    organisation_create,
    team_create,
)
from alliantiemonitor.scheduling.services.settings import (
    client_contact_set,
    mail_preference_set,
    organisation_schedule_set,
    trajectory_schedule_set,
)
from alliantiemonitor.trajectories import services as trajectories
from tests.factories import answer_round
from tests.web.test_bad_input import _snapshot

pytestmark = pytest.mark.django_db

WRONG_TYPES: list[Any] = [None, 12, 3.5, True, ["a"], {"a": 1}, b"bytes", object()]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\x07\x1b[31m",
            "\ud800",
            "a\udfffb",
            "\u202eevil\u202c",
            "x" * 5000,
            "y" * 100_000,
            "<script>alert(1)</script>",
        ]
    ),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec=None), max_size=20),
    st.sampled_from(WRONG_TYPES),
)
HOSTILE_DATE = st.one_of(
    st.dates(),
    st.sampled_from([None, "2026-02-30", "2026-01-01", 20260101, dt.date.max, dt.date.min]),
    st.datetimes(),
)
#: Time zones as far from UTC as there are, so that converting to UTC can leave the calendar.
ZONES = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12))]
)
HOSTILE_DATETIME = st.one_of(
    st.datetimes(timezones=ZONES),
    st.datetimes(),
    st.sampled_from(
        [
            dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-12))),
            dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=14))),
            "2026-01-01T10:00:00+00:00",
            dt.date(2026, 1, 1),
        ]
    ),
    st.sampled_from(WRONG_TYPES),
)
HOSTILE_DURATION = st.one_of(
    st.timedeltas(),
    st.sampled_from(
        [dt.timedelta(0), dt.timedelta(seconds=-1), dt.timedelta.max, dt.timedelta.min, 5, 1.5]
    ),
    st.sampled_from(WRONG_TYPES),
)
HOSTILE_BOOL = st.one_of(
    st.booleans(),
    st.sampled_from(["maybe", "false", "\x00", "", 0, 1]),
    st.sampled_from(WRONG_TYPES),
)
THRESHOLD_NAMES = [field.name for field in dataclasses.fields(SignalSettings)]
HOSTILE_MAPPING = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(THRESHOLD_NAMES), st.text(max_size=10), st.integers()),
        st.one_of(
            st.integers(min_value=-(2**70), max_value=2**70),
            st.floats(),
            st.sampled_from([None, "3", True, [], "\x00"]),
        ),
        max_size=4,
    ),
    st.sampled_from(["abc", [1], [("a", 1)], (), {"noise_client": 0}, {"characteristics": 2}]),
    st.sampled_from(WRONG_TYPES),
)
HOSTILE_TEAMS = st.one_of(
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=3),
    st.sampled_from(["team", b"t", {"a": 1}, (), iter([1])]),
    st.sampled_from(WRONG_TYPES),
)


@dataclass
class World:
    professional: Any
    colleague: Any
    org_admin: Any
    organisation: Any
    trajectory: Any
    round: Any
    conversation: Any
    signal: Any
    invitation: Any


@pytest.fixture
def world(professional, colleague, org_admin, organisation, trajectory) -> World:
    talked = round_start(trajectory=trajectory, by=professional)
    invitation, _secret = invitation_create(round=talked, kind="link", by=professional)
    answer_round(talked, "client")
    answer_round(talked, "professional", professional=professional)
    talked.refresh_from_db()
    conversation = conversations.conversation_start(round=talked, by=professional)
    signal = Signal.objects.create(
        trajectory=trajectory,
        round=talked,
        kind="disagreement",
        characteristic="trust",
        raised_at=talked.opened_at,
    )
    other = trajectories.client_enrol(
        organisation=organisation,
        professional=professional,
        display_name="M.N.",
        legal_frame="Toezicht",
        start_date=trajectory.start_date,
    )
    collecting = round_start(trajectory=other, by=professional)
    return World(
        professional,
        colleague,
        org_admin,
        organisation,
        trajectory,
        collecting,
        conversation,
        signal,
        invitation,
    )


#: A valid caseload row; each of its cells is replaced by a hostile value in turn.
_CASELOAD_ROW = {
    "external_id": "Z1",
    "display_name": "A.B.",
    "language": "nl",
    "domain": "reclassering",
    "team": "",
    "professional": "pro.jansen",
    "start_date": "2026-01-05",
    "end_date": "",
    "end_reason": "",
}


def _caseload(value: Any, column: str = "display_name") -> Any:
    """A caseload file with ``value`` in ``column``, as the spreadsheet would write it."""
    if not isinstance(value, str):
        return value
    cells = {**_CASELOAD_ROW, column: value}
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(cells)
    writer.writerow(cells.values())
    return text.getvalue().encode("utf-8", errors="surrogatepass")


def _caseload_import(w: World, column: str, value: Any) -> Any:
    """Check a file and import it, as the import page's two steps do (a file with a problem
    is refused before anything is kept, as ``caseload_apply`` refuses it)."""
    data = _caseload(value if isinstance(value, str) else str(value), column)
    if imports.caseload_check(w.organisation, data).has_problems:
        raise ImportHasProblems()
    upload, _report = imports.caseload_dry_run(
        organisation=w.organisation, by=w.org_admin, data=data
    )
    return imports.caseload_apply(upload=upload, by=w.org_admin)


#: Each service and parameter under test: a call with the hostile value in that place.
CASES: dict[str, Callable[[World, Any], Any]] = {
    "token_create.name": lambda w, v: api_services.token_create(
        organisation=w.organisation,
        name=v,
        scopes=["trajectories:read"],
        lifetime=dt.timedelta(days=30),
        by=w.org_admin,
    ),
    "token_create.scopes": lambda w, v: api_services.token_create(
        organisation=w.organisation,
        name="Zaaksysteem",
        scopes=v,
        lifetime=dt.timedelta(days=30),
        by=w.org_admin,
    ),
    "token_create.lifetime": lambda w, v: api_services.token_create(
        organisation=w.organisation,
        name="Zaaksysteem",
        scopes=["trajectories:read"],
        lifetime=v,
        by=w.org_admin,
    ),
    "webhook_create.name": lambda w, v: webhooks.webhook_create(
        organisation=w.organisation,
        name=v,
        url="https://hooks.example.org/am",
        events=["round.completed"],
        by=w.org_admin,
    ),
    "webhook_create.url": lambda w, v: webhooks.webhook_create(
        organisation=w.organisation,
        name="Zaaksysteem",
        url=v,
        events=["round.completed"],
        by=w.org_admin,
    ),
    "webhook_create.events": lambda w, v: webhooks.webhook_create(
        organisation=w.organisation,
        name="Zaaksysteem",
        url="https://hooks.example.org/am",
        events=v,
        by=w.org_admin,
    ),
    "client_create.display_name": lambda w, v: trajectories.client_create(
        organisation=w.organisation, display_name=v, by=w.professional
    ),
    "client_create.preferred_language": lambda w, v: trajectories.client_create(
        organisation=w.organisation, display_name="K.L.", preferred_language=v, by=w.professional
    ),
    "client_enrol.legal_frame": lambda w, v: trajectories.client_enrol(
        organisation=w.organisation,
        professional=w.professional,
        display_name="K.L.",
        legal_frame=v,
        start_date=dt.date(2026, 1, 5),
    ),
    "client_enrol.start_date": lambda w, v: trajectories.client_enrol(
        organisation=w.organisation,
        professional=w.professional,
        display_name="K.L.",
        legal_frame="Toezicht",
        start_date=v,
    ),
    "trajectory_hand_over.reason": lambda w, v: trajectories.trajectory_hand_over(
        trajectory=w.trajectory, to_professional=w.colleague, by=w.professional, reason=v
    ),
    "outcome_record.note": lambda w, v: trajectories.outcome_record(
        trajectory=w.trajectory,
        kind="no_show",
        date=w.trajectory.start_date,
        note=v,
        by=w.professional,
    ),
    "outcome_record.kind": lambda w, v: trajectories.outcome_record(
        trajectory=w.trajectory, kind=v, date=w.trajectory.start_date, by=w.professional
    ),
    "outcome_record.date": lambda w, v: trajectories.outcome_record(
        trajectory=w.trajectory, kind="no_show", date=v, by=w.professional
    ),
    "trajectory_end.note": lambda w, v: trajectories.trajectory_end(
        trajectory=w.trajectory,
        end_date=dt.date.today(),
        reason_kind="regular_completion",
        note=v,
        by=w.professional,
    ),
    "trajectory_end.reason_kind": lambda w, v: trajectories.trajectory_end(
        trajectory=w.trajectory, end_date=dt.date.today(), reason_kind=v, by=w.professional
    ),
    "trajectory_end.end_date": lambda w, v: trajectories.trajectory_end(
        trajectory=w.trajectory,
        end_date=v,
        reason_kind="regular_completion",
        by=w.professional,
    ),
    "client_erase.confirmation": lambda w, v: trajectories.client_erase(
        client=w.trajectory.client, by=w.org_admin, confirmation=v
    ),
    "paper_code_check.typed": lambda w, v: paper_code_check(round=w.round, rater="client", typed=v),
    "agreement_add.text": lambda w, v: conversations.agreement_add(
        conversation=w.conversation, text=v, by=w.professional
    ),
    "evaluation_record.comment": lambda w, v: conversations.evaluation_record(
        conversation=w.conversation,
        party="professional",
        useful="yes",
        comment=v,
        by=w.professional,
    ),
    "evaluation_record.useful": lambda w, v: conversations.evaluation_record(
        conversation=w.conversation, party="professional", useful=v, comment="", by=w.professional
    ),
    "conversation_start.held_on": lambda w, v: conversations.conversation_start(
        round=w.conversation.round, by=w.professional, held_on=v
    ),
    "signal_acknowledge.note": lambda w, v: signal_acknowledge(
        signal=w.signal, by=w.professional, note=v
    ),
    "client_contact_set.email": lambda w, v: client_contact_set(
        client=w.trajectory.client, by=w.professional, email=v, consent=True
    ),
    "invitation_revoke.reason": lambda w, v: invitation_revoke(
        invitation=w.invitation, by=w.professional, reason=v
    ),
    "organisation_create.name": lambda w, v: organisation_create(
        name=v, slug="nieuw", domain="reclassering", default_instrument="standaard", by=None
    ),
    "organisation_create.slug": lambda w, v: organisation_create(
        name="Nieuw", slug=v, domain="reclassering", default_instrument="standaard", by=None
    ),
    "team_create.name": lambda w, v: team_create(organisation=w.organisation, name=v, by=None),
    "response_correct.reason": lambda w, v: response_correct(
        response=_professional_response(w), answers={}, reason=v, by=w.professional
    ),
    "response_restart.mode": lambda w, v: response_restart(round=w.round, mode=v, entry="e1"),
    "response_restart.entry": lambda w, v: response_restart(
        round=w.round, mode="own_device", entry=v
    ),
    "response_save_answers.entry": lambda w, v: response_save_answers(
        round=w.round, rater="client", answers={}, mode="own_device", entry=v
    ),
    "response_save_answers.language": lambda w, v: response_save_answers(
        round=w.round, rater="client", answers={}, mode="own_device", language=v
    ),
    "response_save_answers.presentation": lambda w, v: response_save_answers(
        round=w.round, rater="client", answers={}, mode="own_device", presentation=v
    ),
    "response_save_answers.mode": lambda w, v: response_save_answers(
        round=w.round,
        rater="professional",
        answers={},
        mode=v,
        respondent=w.professional,
        by=w.professional,
    ),
    "round_start.due_date": lambda w, v: round_start(
        trajectory=w.trajectory, by=w.professional, due_date=v
    ),
    "invitation_create.lifetime": lambda w, v: invitation_create(
        round=w.round, kind="link", by=w.professional, lifetime=v
    ),
    "invitation_resolve.secret": lambda w, v: invitation_resolve(secret=v, kind="link"),
    "invitation_resolve.kind": lambda w, v: invitation_resolve(secret="ABCDEFGH", kind=v),
    "organisation_schedule_set.message_text": lambda w, v: organisation_schedule_set(
        organisation=w.organisation, by=w.org_admin, message_text=v
    ),
    "organisation_schedule_set.sender_name": lambda w, v: organisation_schedule_set(
        organisation=w.organisation, by=w.org_admin, sender_name=v
    ),
    "trajectory_schedule_set.planned_end_date": lambda w, v: trajectory_schedule_set(
        trajectory=w.trajectory, by=w.professional, planned_end_date=v
    ),
    "trajectory_schedule_set.field_name": lambda w, v: trajectory_schedule_set(
        trajectory=w.trajectory, by=w.professional, **{str(v): 1}
    ),
    "mail_preference_set.weekly_digest": lambda w, v: mail_preference_set(
        user=w.professional, weekly_digest=v
    ),
    "signal_thresholds_update.values": lambda w, v: signal_thresholds_update(
        organisation=w.organisation, values=v, by=w.org_admin
    ),
    "membership_grant.teams": lambda w, v: membership_grant(
        user=w.colleague, organisation=w.organisation, role="professional", teams=v
    ),
    "trajectory_hand_over.at": lambda w, v: trajectories.trajectory_hand_over(
        trajectory=w.trajectory, to_professional=w.colleague, by=w.professional, at=v
    ),
    "caseload_dry_run.data": lambda w, v: imports.caseload_dry_run(
        organisation=w.organisation, by=w.org_admin, data=v
    ),
    "caseload_dry_run.file_name": lambda w, v: imports.caseload_dry_run(
        organisation=w.organisation, by=w.org_admin, data=_caseload("A.B."), file_name=v
    ),
    **{
        f"caseload_apply.{column}": (lambda w, v, column=column: _caseload_import(w, column, v))
        for column in _CASELOAD_ROW
    },
}

#: The values each case is tried with, where text (or a date) is not what it takes.
STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "caseload_dry_run.data": st.one_of(
        st.binary(max_size=300),
        HOSTILE_TEXT.map(_caseload),
        st.sampled_from(WRONG_TYPES),
    ),
    "caseload_apply.start_date": st.one_of(
        HOSTILE_TEXT, st.sampled_from(["31-12-2025", "2026-02-30", "0001-01-01", "9999-12-31"])
    ),
    "caseload_apply.end_date": st.one_of(
        HOSTILE_TEXT, st.sampled_from(["2026-01-04", "2026-01-06", "0001-01-01", "9999-12-31"])
    ),
    "token_create.lifetime": HOSTILE_DURATION,
    "webhook_create.url": st.one_of(
        HOSTILE_TEXT,
        st.sampled_from(
            [
                None,
                1,
                "https://127.0.0.1/x",
                "https://[::1]/x",
                "http://hooks.example.org/x",
                "https://u:p@hooks.example.org/",
                "https://hooks.example.org:0/",
                "https://hooks.example.org:99999/",
                "https://hooks.example.org/a\x00b",
            ]
        ),
        st.text(max_size=30).map(lambda t: f"https://hooks.example.org/{t}"),
    ),
    "webhook_create.events": st.one_of(
        HOSTILE_TEXT,
        st.lists(st.one_of(HOSTILE_TEXT, st.sampled_from(["round.completed", "test"]))),
        st.sampled_from([None, 1, {}, {"round.completed": 1}, ("signal.created",)]),
    ),
    "token_create.scopes": st.one_of(
        HOSTILE_TEXT,
        st.lists(st.one_of(HOSTILE_TEXT, st.sampled_from(["trajectories:read", "results:read"]))),
        st.sampled_from([None, 1, {}, {"trajectories:read": 1}, ("trajectories:read",)]),
    ),
    "invitation_create.lifetime": HOSTILE_DURATION,
    "mail_preference_set.weekly_digest": HOSTILE_BOOL,
    "signal_thresholds_update.values": HOSTILE_MAPPING,
    "membership_grant.teams": HOSTILE_TEAMS,
    "trajectory_hand_over.at": HOSTILE_DATETIME,
}


def _professional_response(w: World) -> Response:
    """The professional's submitted answers in the round that was talked about."""
    return Response.objects.get(round=w.conversation.round, rater="professional", is_current=True)


class _Undo(Exception):
    """Raised to roll every example back, so that each starts from the same world."""


def _attempt(w: World, case: str, value: Any) -> None:
    for obj in vars(w).values():
        obj.refresh_from_db()
    try:
        with transaction.atomic():
            before = _snapshot()
            refusal: DomainError | None = None
            try:
                CASES[case](w, value)
            except DomainError as error:
                refusal = error
            if refusal is not None:
                assert str(refusal.message).strip(), f"{case}: a refusal without a message"
                after = _snapshot()
                changed = [label for label in before if before[label] != after[label]]
                assert changed == [], f"{case} refused {value!r} but wrote {changed}"
            raise _Undo
    except _Undo:
        pass


@pytest.mark.parametrize("case", sorted(CASES))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=st.data())
def test_a_service_refuses_hostile_input_cleanly_or_stores_it_whole(world, case, value):
    if case in STRATEGIES:
        strategy = STRATEGIES[case]
    elif case.endswith(("date", "held_on")):
        strategy = HOSTILE_DATE
    else:
        strategy = HOSTILE_TEXT
    _attempt(world, case, value.draw(strategy))


ANSWER_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([None, 0, 6, -1, 3.5, float("nan"), "3", True, [], {}, "\x00"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    answers=st.one_of(
        st.dictionaries(st.text(max_size=12), ANSWER_VALUES, max_size=4),
        st.sampled_from(WRONG_TYPES),
    ),
    flagged=st.one_of(st.none(), st.lists(st.text(max_size=8), max_size=3), st.just("ct1")),
    mode=st.sampled_from(["link", "tablet", "paper", "\x00", "", 5]),
)
def test_answers_of_any_shape_are_saved_only_when_valid(world, answers, flagged, mode):
    def save(w: World, _value: Any) -> Any:
        return response_save_answers(
            round=w.round,
            rater="professional",
            answers=answers,
            flagged=flagged,
            mode=mode,
            respondent=w.professional,
            by=w.professional,
        )

    CASES["response_save_answers"] = save
    try:
        _attempt(world, "response_save_answers", None)
    finally:
        del CASES["response_save_answers"]


# --------------------------------------------------------------------------- every service

#: Public service functions that take no free input from a person (model objects the views
#: fetch through an access helper, values the code itself makes) or only read: not fuzzed.
NOT_FUZZED: dict[str, str] = {
    "accounts.sso_identity_link": "issuer and subject come from a verified provider token",
    "accounts.sso_login_record": "records a login of a user object",
    "accounts.sso_refusal_record": "a reason from the code's own list",
    "audit.audit_record": "actions are checked against Action; called by code only",
    "api.token_revoke": "takes a token object",
    "api.token_authenticate": "tests/api/test_tokens.py and schemathesis send it bad secrets",
    "api.secret_hash": "hashes what token_authenticate was given",
    "api.integration_of": "takes a token object",
    "api.admin_check": "takes a user and an organisation",
    "api.services_webhooks.webhook_deactivate": "takes an endpoint and a user",
    "api.services_webhooks.webhook_delete": "takes an endpoint and a user",
    "api.services_webhooks.webhook_test": "takes an endpoint and a user",
    "api.services_webhooks.deliveries_record": "identifiers and states from the receivers",
    "api.services_webhooks.retry_delay": "an attempt number the service counts",
    "api.services_webhooks.delivery_body": "takes a delivery",
    "api.services_webhooks.delivery_attempt": "a delivery id from the worker's queue; "
    "a malformed one is ignored (tests/api/test_webhooks.py)",
    "api.services_webhooks.deliveries_retry_due": "a clock time from the worker",
    "api.services_webhooks.deliveries_erase_for": "trajectory ids from the erasure",
    "audit.redact_client_events": "takes a client object",
    "audit.erasure_record": "takes a client object and counts",
    "conversations.conversation_date_check": "a date check on a date the form has parsed",
    "conversations.round_mark_discussed": "takes a round and a user only",
    "jobs.job_retry_delay": "an attempt number the worker counts",
    "jobs.periodic_runs_enqueue": "a clock time from the worker",
    "jobs.job_succeed": "a task row from the queue",
    "jobs.job_fail": "a task row and the exception it raised",
    "jobs.job_release": "a task row from the queue",
    "jobs.jobs_reclaim": "a time-out from settings",
    "jobs.worker_register": "a worker id the process makes itself",
    "jobs.worker_beat": "a worker id the process makes itself",
    "jobs.worker_unregister": "a worker id the process makes itself",
    "monitoring.signals_recompute": "takes a trajectory",
    "monitoring.references_estimate": "reads the organisation's own stored scores",
    "organisations.membership_revoke": "takes a membership and a user",
    "research.study_status_set": "a status from the form's choices; the view's form is fuzzed",
    "research.study_create": "through the new-study form, fuzzed in tests/web/test_bad_input.py",
    "research.study_update": "through the change-study form, fuzzed with the web test",
    "research.study_information_update": "through the study form, fuzzed with the web test",
    "research.study_phase_add": "through the phase form, fuzzed with the web test",
    "research.study_phase_edit": "through the phase form, fuzzed with the web test",
    "research.study_enrol": "through the enrolment form, fuzzed with the web test",
    "research.study_enrolment_agree": "takes an enrolment and a user",
    "research.trajectory_enrol": "takes a trajectory and a study",
    "research.consent_latest": "reads",
    "research.consent_state": "reads",
    "research.consent_record": "through the consent form, fuzzed with the web test",
    "research.consent_withdraw": "takes a trajectory and a study",
    "research.consenting_trajectories": "reads",
    "research.study_counts": "reads",
    "research.studies_for_trajectory": "reads",
    "trajectories.is_active_professional": "reads",
    "trajectories.clean_display_name": "client_create's check, fuzzed through client_create",
    "imports.caseload_check": "reads; fuzzed through caseload_apply",
    "imports.caseload_uploads_expire": "a clock time from the worker",
    "imports.caseload_uploads_clear": "an organisation object, from the erasure",
    "trajectories.trajectory_start": "its text reaches it through client_enrol, fuzzed here",
    "trajectories.client_reference": "reads",
    "trajectories.is_privacy_officer": "reads",
    "trajectories.erase_client_data": "called by client_erase, fuzzed here",
    "trajectories.client_lock_for_erasure": "a lock inside client_erase, fuzzed through it",
    "web.backups.database_for": "reads settings",
    "web.backups.backup_create": "a command-line tool's folder, not a person's input",
    "web.backups.backup_restore": "a command-line tool's file, not a person's input",
    "web.backups.restore_test": "a command-line tool's file, not a person's input",
    "measurements.ending.trajectory_open_rounds": "reads",
    "measurements.ending.trajectory_close": "takes a trajectory; called by trajectory_end",
    "measurements.invitations.round_results_open_to_client": "reads",
    "measurements.invitations.invitation_allows_read_back": "reads",
    "measurements.invitations.secret_hash": "a pure hash of what invitation_resolve gets",
    "measurements.invitations.invitations_revoke_for_round": "takes a round",
    "measurements.invitations.invitations_revoke_made_by": "takes a user",
    "measurements.responses.draft_begun_elsewhere": "reads",
    "measurements.responses.client_draft_on_own_device": "reads",
    "measurements.responses.response_submit": "takes a round and a rater from the code",
    "measurements.paper.paper_form_code": "reads",
    "measurements.paper.paper_entry_may_start": "reads",
    "measurements.paper.paper_entry_save": "any answers: tests/measurements/test_paper_entry.py",
    "measurements.paper.paper_entry_resolve": "any answers: tests/measurements/test_paper_entry.py",
    "measurements.paper.paper_verifier_candidates": "reads",
    "measurements.paper.paper_entry_verifier_assign": "takes an entry and users; the view's "
    "form is fuzzed (tests/measurements/test_paper_verifier.py)",
    "measurements.rounds.round_mark_discussed": "takes a round and a user only",
    "measurements.rounds.round_close": "takes a round and a user only",
    "measurements.rounds.round_cancel": "takes a round and a user only",
    "measurements.rounds.rounds_expire": "a clock time from the worker",
    "measurements.visibility.round_answers_visible": "reads",
    "measurements.visibility.responses_visible_to_professional": "reads",
    "measurements.visibility.responses_visible_to_client": "reads",
    "scheduling.settings.client_contact_unsubscribe": "a token, fuzzed through its address",
    "scheduling.worker.rounds_open_due": "a clock time from the worker",
    "scheduling.worker.invitations_send_due": "a clock time from the worker",
    "scheduling.worker.reminders_send_due": "a clock time from the worker",
    "scheduling.worker.digest_period": "a clock time from the worker",
    "scheduling.worker.digest_recipients": "reads",
    "scheduling.worker.digests_send_due": "a clock time from the worker",
}


def _service_modules() -> list[ModuleType]:
    """Every app's ``services`` module, ``services_*`` module and ``services`` package part."""
    root = Path(alliantiemonitor.__file__).parent
    found = []
    for path in sorted(root.rglob("services*.py")) + sorted(root.rglob("services/*.py")):
        relative = path.relative_to(root).with_suffix("")
        if relative.name.startswith("_") or "tests" in relative.parts:
            continue
        found.append(importlib.import_module(".".join(["alliantiemonitor", *relative.parts])))
    return found


def _services() -> dict[str, str]:
    """The public functions of the service modules: a short name (for the lists) → name."""
    found = {}
    for module in _service_modules():
        short = module.__name__.removeprefix("alliantiemonitor.")
        short = short.replace(".services.", ".").removesuffix(".services")
        for name, function in vars(module).items():
            public = not name.startswith("_") and inspect.isfunction(function)
            if public and function.__module__ == module.__name__:
                found[f"{short}.{name}"] = name
    return found


def test_every_service_is_fuzzed_or_said_why_not():
    services = _services()
    fuzzed = {case.split(".")[0] for case in CASES}
    missing = sorted(
        s for s, name in services.items() if name not in fuzzed and s not in NOT_FUZZED
    )
    assert missing == [], "add a case to CASES, or the reason to NOT_FUZZED"
    assert sorted(set(NOT_FUZZED) - set(services)) == [], "NOT_FUZZED names a service that is gone"
    assert sorted(s for s in NOT_FUZZED if services[s] in fuzzed) == [], "fuzzed after all"
