"""The client's results page: their own answers, the joint results and the agreements.

A client page (namespace ``client``, under ``/m/``) that reads the conversation's read model,
so it lives here, above measurements, which owns how a client gets in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.language import current_language
from alliantiemonitor.conversations.results import round_results
from alliantiemonitor.conversations.summary import summary_pdf
from alliantiemonitor.core.instrument import CLIENT, pick_language
from alliantiemonitor.core.research.report_pdf import PdfUnavailable
from alliantiemonitor.measurements.client_session import client_language_use, client_session_get
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


def _results_page(
    view: Callable[[HttpRequest, MeasurementRound], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A client page of the session's round, once its results are open to the client."""

    @require_GET
    @never_cache
    @client_page
    @wraps(view)
    def page(request: HttpRequest) -> HttpResponse:
        access = client_session_get(request)
        if access is None:
            return invalid_page(request, status=404)
        if not round_results_open_to_client(access.round):
            return redirect(client_next_page(access.round))
        # The client's preferred language unless they chose one, as on the fill-in pages.
        client_language_use(request, access)
        return view(request, access.round)

    return page


@_results_page
def results(request: HttpRequest, measurement_round: MeasurementRound) -> HttpResponse:
    """The client reads back their answers, the joint results and the agreements."""
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


@_results_page
def results_summary(request: HttpRequest, measurement_round: MeasurementRound) -> HttpResponse:
    """The conversation summary as a PDF, the same one the professional prints for the client."""
    try:
        pdf = summary_pdf(measurement_round, current_language())
    except PdfUnavailable:
        messages.error(request, _("The summary cannot be made on this server right now."))
        return redirect("client:results")
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.RESULTS_SUMMARY_VIEW,
        obj=measurement_round,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="gesprek-samenvatting.pdf"'
    return response
