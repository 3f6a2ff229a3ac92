"""The right of access: everything the product holds about one client, in one structure.

:func:`client_data` gathers the client's record, contact, every trajectory of the client in its
organisation (earlier ones too: the right of access covers all data about the person), with the
professionals, rounds, answers with the statements as they were asked, scores, conversations,
agreements, evaluations, signals and outcome events, and the audit trail of the client: who saw
or changed what, and when. The same structure is shown as a page and downloaded as JSON.

One thing is held back, and the report says so: the answers of a round in which the two may not
yet see each other's (the blind rule, as on every page: until both have submitted, or the round
has ended with one side). The professional produces the copy and the client receives it, so an
answer shown earlier would reach the other side. Drafts that were never sent are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.common.language import current_language
from alliantiemonitor.conversations.models import Conversation
from alliantiemonitor.core.instrument import pick_language
from alliantiemonitor.measurements.exceptions import UnknownInstrument
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import round_answers_visible
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.scheduling.models import ClientContact
from alliantiemonitor.trajectories.models import Client, OutcomeEvent, Trajectory

#: Version of the JSON layout; a reader can rely on the keys of one version.
FORMAT = "alliantiemonitor-client-data/1"


def _when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _person(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _answers(response: Response, round_: MeasurementRound, language: str) -> list[dict[str, Any]]:
    """The answers with the statements and answer words as they were shown."""
    try:
        instrument = round_.instrument
    except UnknownInstrument:
        return [{"item": key, "value": value} for key, value in sorted(response.answers.items())]
    labels = {p.value: pick_language(p.label, language) for p in instrument.scale.points}
    vocabulary = round_.vocabulary(language)
    rows = []
    for item in instrument.items_for(response.rater):
        if item.id not in response.answers and item.id not in response.flagged:
            continue
        value = response.answers.get(item.id)
        rows.append(
            {
                "item": item.id,
                "statement": item.display_text(language, vocabulary),
                "value": value,
                "answer": labels.get(value) if isinstance(value, int) else None,
                "to_discuss": item.id in response.flagged,
            }
        )
    return rows


def _scores(response: Response, round_: MeasurementRound, language: str) -> list[dict[str, Any]]:
    """The stored score per characteristic, with the characteristic's name."""
    try:
        names = {c.key: pick_language(c.name, language) for c in round_.instrument.characteristics}
    except UnknownInstrument:
        names = {}
    return [
        {
            "characteristic": s.characteristic,
            "name": names.get(s.characteristic, s.characteristic),
            "score": s.value,
        }
        for s in sorted(response.scores.all(), key=lambda s: s.characteristic)
    ]


def _round(round_: MeasurementRound, language: str) -> dict[str, Any]:
    responses = sorted(round_.responses.all(), key=lambda r: (r.rater, r.version))
    # The blind rule, exactly as on every other page: until both may see each other's answers
    # (both submitted, or the round ended with one side), the copy holds back every answer of
    # the round. The professional produces the copy and the client receives it, so showing
    # either side earlier would show it to the other.
    visible = round_answers_visible(round_)
    shown = []
    for response in responses if visible else ():
        if response.submitted_at is None:
            continue  # a draft that was never sent is not an answer
        shown.append(
            {
                "rater": response.rater,
                "rater_label": response.get_rater_display(),
                "mode": response.mode,
                "mode_label": response.get_mode_display(),
                "started_at": _when(response.started_at),
                "submitted_at": _when(response.submitted_at),
                "version": response.version,
                "current": response.is_current,
                "correction_reason": response.correction_reason,
                "answers": _answers(response, round_, language),
                "scores": _scores(response, round_, language),
            }
        )
    withheld = not visible and any(r.submitted_at or r.answers for r in responses)
    conversation = Conversation.objects.filter(round=round_).first()
    return {
        "opened_at": _when(round_.opened_at),
        "due_date": _when(round_.due_date),
        "closed_at": _when(round_.closed_at),
        "state": round_.state,
        "state_label": round_.get_state_display(),
        "instrument": round_.instrument_ref,
        "after_change_of_professional": round_.after_handover,
        "professional": _person(round_.professional),
        "responses": shown,
        "answers_withheld": withheld,
        "conversation": _conversation(conversation) if conversation else None,
    }


def _conversation(conversation: Conversation) -> dict[str, Any]:
    return {
        "held_on": _when(conversation.held_on),
        "held_by": _person(conversation.held_by),
        "agreements": [
            {"text": a.text, "recorded_at": _when(a.created_at)}
            for a in conversation.agreements.order_by("order", "pk")
        ],
        "evaluations": [
            {
                "party": e.party,
                "party_label": e.get_party_display(),
                "useful": e.useful,
                "useful_label": e.get_useful_display(),
                "comment": e.comment,
            }
            for e in conversation.evaluations.order_by("pk")
        ],
    }


def _trajectory(trajectory: Trajectory, language: str) -> dict[str, Any]:
    rounds = (
        MeasurementRound.objects.filter(trajectory=trajectory)
        .select_related("professional")
        .prefetch_related("responses__scores")
        .order_by("opened_at", "pk")
    )
    return {
        "id": str(trajectory.uuid),
        "legal_frame": trajectory.legal_frame,
        "team": str(trajectory.team) if trajectory.team_id else None,
        "start_date": _when(trajectory.start_date),
        "end_date": _when(trajectory.end_date),
        "status": trajectory.get_status_display(),
        "professionals": [
            {
                "name": _person(a.professional),
                "from": _when(a.start),
                "until": _when(a.end),
                "reason": a.reason,
            }
            for a in trajectory.assignments.select_related("professional").order_by("start")
        ],
        "rounds": [_round(r, language) for r in rounds],
        "signals": [
            {
                "kind": s.get_kind_display(),
                "raised_at": _when(s.raised_at),
                "acknowledged_at": _when(s.acknowledged_at),
                "acknowledged_by": _person(s.acknowledged_by),
                "note": s.acknowledgement_note,
                "resolved_at": _when(s.resolved_at),
            }
            for s in Signal.objects.filter(trajectory=trajectory)
            .select_related("acknowledged_by")
            .order_by("raised_at", "pk")
        ],
        "outcomes": [
            {
                "kind": e.get_kind_display(),
                "date": _when(e.date),
                "note": e.note,
                "recorded_by": _person(e.recorded_by),
            }
            for e in OutcomeEvent.objects.filter(trajectory=trajectory)
            .select_related("recorded_by")
            .order_by("date", "pk")
        ],
    }


def _seen_by(client: Client) -> list[dict[str, Any]]:
    """The client's audit trail, oldest first: who, when, what (the action's name)."""
    events = AuditEvent.objects.for_client(client).select_related("actor").order_by("at", "pk")
    return [
        {
            "at": _when(e.at),
            "who": _person(e.actor) or e.get_actor_kind_display(),
            "action": e.action,
        }
        for e in events.iterator(chunk_size=500)
    ]


def client_data(client: Client, *, produced_by: Any) -> dict[str, Any]:
    """Everything held about ``client`` (see the module docstring), JSON-serialisable."""
    language = current_language()
    contact = ClientContact.objects.filter(client=client).first()
    trajectories = (
        Trajectory.objects.filter(client=client).select_related("team").order_by("start_date")
    )
    shown = [_trajectory(t, language) for t in trajectories]
    withheld = any(r["answers_withheld"] for t in shown for r in t["rounds"])
    return {
        "format": FORMAT,
        "produced_at": _when(timezone.now()),
        "produced_by": _person(produced_by),
        "organisation": client.organisation.name,
        "client": {
            "name": client.display_name,
            "preferred_language": client.preferred_language,
            "easy_read": client.easy_read,
            "registered_at": _when(client.created_at),
        },
        "contact": (
            {
                "email": contact.email,
                "agreed_to_email_on": _when(contact.consent_given_on),
                "agreement_withdrawn_at": _when(contact.consent_withdrawn_at),
            }
            if contact
            else None
        ),
        "trajectories": shown,
        "withheld": withheld,
        "seen_by": _seen_by(client),
        "note": _(
            "The answers of a round are in the copy once both have answered, or once the round "
            "has ended with one side: both fill in without seeing the other's view first."
        ),
    }
