"""The client's results page: their own answers, the joint results and the agreements.

A client page (namespace ``client``, under ``/m/``) that reads the conversation's read model,
so it lives here, above measurements, which owns how a client gets in.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.language import current_language
from alliantiemonitor.conversations.results import round_results
from alliantiemonitor.core.instrument import CLIENT, pick_language
from alliantiemonitor.measurements.client_session import client_session_get
from alliantiemonitor.measurements.client_steps import client_steps
from alliantiemonitor.measurements.constants import Rater
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import responses_visible_to_client
from alliantiemonitor.measurements.services.invitations import round_results_open_to_client
from alliantiemonitor.measurements.views.client_entry import client_next_page, invalid_page
from alliantiemonitor.measurements.views.guard import client_page


def _own_answers(measurement_round: MeasurementRound) -> list[dict[str, Any]]:
    """The client's own submitted answers, as they read them, in the instrument's order."""
    response = responses_visible_to_client(measurement_round).filter(rater=Rater.CLIENT).first()
    if response is None or not response.is_submitted:
        return []

    instrument = measurement_round.instrument
    language = current_language()
    vocabulary = measurement_round.vocabulary(language)
    labels = {
        point.value: pick_language(point.label, language) for point in instrument.scale.points
    }
    not_answered = pick_language(instrument.scale.not_answered_label, language)
    return [
        {
            "text": item.display_text(language, vocabulary, easy_read=instrument.easy_read),
            "answer": labels.get(response.answers.get(item.id), not_answered),
            "flagged": item.id in response.flagged,
        }
        for item in instrument.items_for(CLIENT)
    ]


@require_GET
@never_cache
@client_page
def results(request: HttpRequest) -> HttpResponse:
    """The client reads back their answers, the joint results and the agreements."""
    access = client_session_get(request)
    if access is None:
        return invalid_page(request, status=404)
    measurement_round = access.round
    if not round_results_open_to_client(measurement_round):
        return redirect(client_next_page(measurement_round))
    audit_record(
        actor=None, actor_kind=ActorKind.CLIENT, action=Action.RESULTS_VIEW, obj=measurement_round
    )
    context = {
        "round": measurement_round,
        # Scores, agenda, both answers per pair and the agreements (conversations/_results.html).
        "results": round_results(measurement_round, viewer="client"),
        "own_answers": _own_answers(measurement_round),
        # What other apps add to the end of the flow (research: stop taking part).
        "done_steps": [
            step for step in client_steps(request, measurement_round) if step.done_template
        ],
    }
    return render(request, "conversations/client/results.html", context)
