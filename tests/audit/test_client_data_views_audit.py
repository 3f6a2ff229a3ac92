"""Every page that shows client data writes an audit event, for staff and clients alike.

The list below names every such page. A page of the client-facing apps that is in neither
list fails :func:`test_every_page_is_listed`, so a new view cannot forget its audit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.services import invitation_create
from tests.factories import discuss_round

pytestmark = pytest.mark.django_db

#: Namespaces whose pages are about clients.
NAMESPACES = (
    "trajectories",
    "measurements",
    "conversations",
    "monitoring",
    "client",
    "dashboards",
    "scheduling",
    "privacy",
    "research",
    # Practice: every page is listed below as no client data, so a page added there must say so.
    "practice",
)


@dataclass
class World:
    professional: Any
    team_lead: Any
    org_admin: Any
    trajectory: Any
    round: Any
    discussed: Any
    #: The persona researcher, and their active study with the trajectory enrolled in it.
    researcher: Any = None
    study: Any = None

    @property
    def signal(self) -> Any:
        """An open signal in the trajectory of the discussed round."""
        from alliantiemonitor.monitoring.models import Signal

        return Signal.objects.create(
            trajectory=self.discussed.trajectory,
            round=self.discussed,
            kind="disagreement",
            characteristic="trust",
            raised_at=self.discussed.opened_at,
        )

    @property
    def invitation(self) -> Any:
        """The newest invitation of the collecting round."""
        return self.round.invitations.order_by("-pk").first()


def drawn_sample(world: World) -> Any:
    """A sample of the world's study, drawn by its researcher."""
    from alliantiemonitor.research.sampling import interview_sample_draw

    return interview_sample_draw(
        study=world.study, by=world.researcher, sizes={"stable": 1}, seed=1
    )


@dataclass(frozen=True)
class Page:
    name: str
    #: ``staff`` (the assigned professional's browser), ``team_lead``, ``org_admin`` or
    #: ``client`` (a link's session).
    who: str
    args: Callable[[World], list[Any]] = lambda world: []
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    #: Which round the client session is for: ``round`` (collecting) or ``discussed``.
    client_round: str = "round"
    #: The page is about one client (a list such as the caseload audits without one).
    one_client: bool = True
    #: What the browser does first (e.g. make the invitation that the page shows).
    before: Callable[[Client, World], Any] | None = None


def _consent_given(world: World) -> Any:
    """The world's enrolled trajectory, its client having said yes (once)."""
    from alliantiemonitor.research.models import EnrolledTrajectory
    from alliantiemonitor.research.services import consent_record, consent_state

    enrolled = EnrolledTrajectory.objects.get(trajectory=world.trajectory)
    if consent_state(enrolled) != "given":
        consent_record(enrolled=enrolled, given=True, mode="client_flow")
    return enrolled


def _item(world: World, n: int = 0) -> str:
    return world.round.instrument.items_for("client")[n].id


AUDITED = [
    Page("trajectories:caseload", "staff", one_client=False),
    Page("trajectories:detail", "staff", lambda w: [w.trajectory.uuid]),
    Page("trajectories:hand_over", "staff", lambda w: [w.trajectory.uuid]),
    Page("measurements:round_detail", "staff", lambda w: [w.round.uuid]),
    Page("measurements:fill", "staff", lambda w: [w.round.uuid]),
    Page("measurements:paper_form", "staff", lambda w: [w.round.uuid, "client"]),
    Page("measurements:paper_entry", "staff", lambda w: [w.round.uuid]),
    Page("measurements:fill_confirm", "staff", lambda w: [w.discussed.uuid]),
    Page("measurements:fill_done", "staff", lambda w: [w.discussed.uuid]),
    Page("conversations:joint", "staff", lambda w: [w.discussed.uuid]),
    Page("conversations:summary", "staff", lambda w: [w.discussed.uuid]),
    Page(
        "measurements:invitation_show",
        "staff",
        lambda w: [w.round.uuid, w.invitation.uuid],
        before=lambda browser, w: browser.post(
            reverse("measurements:invite_link", args=[w.round.uuid])
        ),
    ),
    Page("monitoring:course", "staff", lambda w: [w.trajectory.uuid]),
    Page("dashboards:team", "team_lead", lambda w: [w.trajectory.team.uuid], one_client=False),
    Page("dashboards:team_csv", "team_lead", lambda w: [w.trajectory.team.uuid], one_client=False),
    Page(
        "dashboards:organisation",
        "org_admin",
        lambda w: [w.trajectory.organisation.uuid],
        one_client=False,
    ),
    Page(
        "dashboards:organisation_csv",
        "org_admin",
        lambda w: [w.trajectory.organisation.uuid],
        one_client=False,
    ),
    Page("scheduling:trajectory", "staff", lambda w: [w.trajectory.uuid]),
    Page(
        "monitoring:signal_acknowledge",
        "staff",
        lambda w: [w.signal.uuid],
        method="post",
        data=lambda w: {"note": "Besproken"},
    ),
    Page("monitoring:timeline", "staff", lambda w: [w.trajectory.uuid]),
    Page("monitoring:record_outcome", "staff", lambda w: [w.trajectory.uuid]),
    Page("monitoring:end", "staff", lambda w: [w.trajectory.uuid]),
    # Through the client's newest trajectory (the one of the discussed round).
    Page("privacy:access", "staff", lambda w: [w.discussed.trajectory.uuid]),
    Page("privacy:access_json", "staff", lambda w: [w.discussed.trajectory.uuid]),
    Page("trajectories:privacy_clients", "org_admin", one_client=False),
    Page("trajectories:privacy_trail", "org_admin", lambda w: [w.trajectory.client.uuid]),
    Page("trajectories:privacy_trail_csv", "org_admin", lambda w: [w.trajectory.client.uuid]),
    Page("trajectories:privacy_erase", "org_admin", lambda w: [w.trajectory.client.uuid]),
    Page("client:start", "client"),
    Page("client:fill", "client"),
    Page(
        "client:fill",
        "client",
        method="post",
        data=lambda w: {f"answer-{_item(w)}": "4"},
    ),
    Page("client:confirm", "client"),
    Page("client:done", "client", client_round="discussed"),
    Page("client:results", "client", client_round="discussed"),
    Page("client:results_summary", "client", client_round="discussed"),
    # The trajectory's research box (its study keys and consent states).
    Page("research:trajectory", "staff", lambda w: [w.trajectory.uuid]),
    # A study's page: counts only, audited as study.view (about no one client).
    Page("research:study_detail", "researcher", lambda w: [w.study.uuid], one_client=False),
    # The telephone entry: audited as study.view; finding a study key audits that trajectory.
    Page("research:phase_entry", "researcher", lambda w: [w.study.uuid], one_client=False),
    Page("client:research", "client"),
    # An interview sample: the drawn study keys, audited as interview_sample.view.
    Page(
        "research:sample_detail",
        "researcher",
        lambda w: [w.study.uuid, drawn_sample(w).uuid],
        one_client=False,
    ),
    Page("client:research_questionnaire", "client"),
    # The confirm page of stopping names the client's study (after the client said yes).
    Page(
        "client:research_withdraw",
        "client",
        before=lambda browser, w: _consent_given(w),
        data=lambda w: {"enrolled": str(_consent_given(w).uuid)},
    ),
]

#: Pages that show no client data (or only write, audited by their service), with the reason.
_PRACTICE = "practice mode: a fictional client drawn from the generator, no client data"
NOT_CLIENT_DATA = {
    "practice:start": f"{_PRACTICE}; starting a case audits practice.start (no client)",
    "practice:case": _PRACTICE,
    "practice:fill": f"{_PRACTICE}; the own answers stay in the session",
    "practice:confirm": _PRACTICE,
    "practice:joint": _PRACTICE,
    "practice:replay": f"{_PRACTICE}; audits practice.start (no client)",
    "client:read_aloud": "instrument text spoken by the server, the same for every client",
    "trajectories:new": "an empty form; creating writes client.create in the service",
    "trajectories:start_round": "POST only; round_start audits round.start",
    "trajectories:caseload_import": "an upload form and earlier files' counts; the upload's dry "
    "run audits caseload_import.dry_run",
    "trajectories:caseload_import_confirm": "POST only; caseload_apply audits "
    "caseload_import.import",
    "measurements:invite_link": "POST only; invitation_create audits invitation.create",
    "measurements:invite_code": "POST only; invitation_create audits invitation.create",
    "measurements:hand_over_device": "POST only; audits round.hand_over_device",
    "measurements:revoke": "POST only; invitation_revoke audits invitation.revoke",
    "conversations:start": "POST only; conversation_start audits conversation.start",
    "conversations:agreement_add": "POST only; agreement_add audits agreement.add",
    "conversations:evaluate": "POST only; evaluation_record audits evaluation.record",
    "conversations:mark_discussed": "POST only; round_mark_discussed audits round.discussed",
    "client:code": "the entry form; a use is audited as invitation.use or invitation.refuse",
    "client:link": "redirects on; audited as invitation.use or invitation.refuse",
    "client:return": "the professional's password form; audits round.hand_back",
    "client:restart": "POST only; response_restart audits response.restart",
    "scheduling:organisation": "the organisation's schedule; no client data",
    "scheduling:mail_settings": "the user's own mail settings; no client data",
    "scheduling:unsubscribe": "shows only the sender name; the POST audits "
    "client_contact.unsubscribe",
    "monitoring:thresholds": "organisation settings, no client data; audits the update",
    "research:study_list": "the names of the user's own studies; no client data",
    "research:study_new": "an empty form; study_create audits study.create",
    "research:study_status": "POST only; study_status_set audits study.status_set",
    "research:phase_add": "the study's protocol; study_phase_add audits study.phase_add",
    "research:study_edit": "the study's own texts, no client data; study_update audits "
    "study.update",
    "research:phase_edit": "a phase of the study's protocol; study_phase_edit audits "
    "study.phase_edit",
    "research:study_enrol": "a form of organisations and teams; study_enrol audits study.enrol",
    "research:enrolments": "studies and counts of the administered organisations; no client data",
    "research:enrolment_agree": "POST only; study_enrolment_agree audits study.enrolment_agree",
    "research:trajectory_enrol": "POST only; trajectory_enrol audits study.trajectory_enrol",
    "research:trajectory_consent": "POST only; consent_record audits consent.record",
    "research:trajectory_withdraw": "POST only; consent_withdraw audits consent.withdraw",
    "research:followup": "an upload form and earlier files' counts; the upload's dry run "
    "audits followup.dry_run",
    "research:followup_confirm": "POST only; followup_apply audits followup.import",
    "research:samples": "a form and the dates of earlier samples; interview_sample_draw audits "
    "interview_sample.draw",
    "research:outputs": "forms and the list of requested files (no client data); output_request "
    "audits study_output.request",
    "research:output_download": "a pseudonymised file; output_file audits study_output.download "
    "(tests/research/test_outputs.py)",
}


def _page_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in NAMESPACES:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_is_listed():
    listed = {page.name for page in AUDITED} | set(NOT_CLIENT_DATA)
    assert _page_names() == listed


@pytest.fixture
def world(
    professional, team_lead, org_admin, researcher, trajectory, measurement_round, client_record
):
    from alliantiemonitor.measurements.services import round_start
    from alliantiemonitor.research.services import (
        study_create,
        study_enrol,
        study_enrolment_agree,
        study_status_set,
        trajectory_enrol,
    )
    from alliantiemonitor.trajectories.services import trajectory_start

    other = trajectory_start(
        client=client_record,
        professional=professional,
        legal_frame="Begeleiding",
        start_date=trajectory.start_date,
    )
    discussed = discuss_round(round_start(trajectory=other, by=professional), professional)
    study = study_create(by=researcher, name="Studie", information_text="Uitleg voor cliënten.")
    study_status_set(study=study, by=researcher, status="active")
    study_enrolment_agree(
        enrolment=study_enrol(study=study, by=researcher, organisation=trajectory.organisation),
        by=org_admin,
    )
    trajectory_enrol(study=study, trajectory=trajectory, by=professional)
    return World(
        professional,
        team_lead,
        org_admin,
        trajectory,
        measurement_round,
        discussed,
        researcher=researcher,
        study=study,
    )


def _browser(world: World, page: Page) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if page.who != "client":
        browser.force_login(world.professional if page.who == "staff" else getattr(world, page.who))
        return browser
    round_ = getattr(world, page.client_round)
    _, token = invitation_create(round=round_, kind="link", by=world.professional)
    assert browser.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    return browser


@pytest.mark.parametrize("page", AUDITED, ids=lambda page: f"{page.name}-{page.method}")
def test_each_client_data_page_audits(world, page):
    browser = _browser(world, page)
    if page.before is not None:
        page.before(browser, world)
    before = AuditEvent.objects.count()

    url = reverse(page.name, args=page.args(world))
    response = getattr(browser, page.method)(url, page.data(world))

    assert response.status_code in {200, 302}, response.status_code
    new = AuditEvent.objects.order_by("pk")[before:]
    assert new, f"{page.name} ({page.method}) wrote no audit event"
    expected_kind = "client" if page.who == "client" else "user"
    assert all(event.actor_kind == expected_kind for event in new)
    if page.one_client:
        assert all(event.client_id is not None for event in new)


def test_every_draft_edit_is_audited_not_only_the_first(measurement_round):
    from alliantiemonitor.measurements.services import response_save_answers

    items = [item.id for item in measurement_round.instrument.items_for("client")]
    for value in (2, 3, 4):
        response_save_answers(
            round=measurement_round, rater="client", answers={items[0]: value}, mode="own_device"
        )
    events = AuditEvent.objects.filter(action__in=["response.start", "response.save"])
    assert [event.action for event in events.order_by("pk")] == [
        "response.start",
        "response.save",
        "response.save",
    ]
    # Which statements changed, never the answers themselves.
    assert all(event.detail["items"] == [items[0]] for event in events)
    assert all("answers" not in event.detail for event in events)
