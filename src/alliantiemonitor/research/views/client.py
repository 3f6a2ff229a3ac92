"""The client's research question: the study's information, then yes, no or later.

A step of the client flow (see :mod:`alliantiemonitor.research.client_step`): the intro sends
the client here while a question is open, and the client goes back to the intro after.
"""

from __future__ import annotations

from contextlib import suppress

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.language import current_language
from alliantiemonitor.measurements.client_session import client_language_use, client_session_get
from alliantiemonitor.measurements.views.guard import client_page
from alliantiemonitor.research.client_step import (
    defer,
    defer_questionnaire,
    questionnaires_open,
    questions_open,
)
from alliantiemonitor.research.constants import ConsentMode, ResponseMode
from alliantiemonitor.research.forms import ClientConsentForm
from alliantiemonitor.research.phase_forms import AnswersForm
from alliantiemonitor.research.phase_responses import phase_response_submit
from alliantiemonitor.research.services import consent_record


@never_cache
@require_http_methods(["GET", "POST"])
@client_page
def client_research(request: HttpRequest) -> HttpResponse:
    """Ask the open research question of the client's round, and record the answer."""
    access = client_session_get(request)
    if access is None or access.read_back_only:
        return render(request, "measurements/fill/no_session.html", status=403)
    client_language_use(request, access)
    measurement_round = access.round
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.CLIENT_PAGE_VIEW,
        obj=measurement_round,
        detail={"page": "research", "method": request.method, "mode": access.mode},
    )
    questions = (
        questions_open(request, measurement_round) if measurement_round.is_collecting else []
    )
    if not questions:
        return redirect("client:start")
    question = questions[0]
    if request.method == "GET":
        form = ClientConsentForm(initial={"enrolled": question.uuid})
        return render(request, "research/client/question.html", {"form": form, "q": question})
    form = ClientConsentForm(request.POST)
    chosen = None
    if form.is_valid():
        chosen = next((q for q in questions if q.uuid == form.cleaned_data["enrolled"]), None)
    if chosen is None:
        form = ClientConsentForm(initial={"enrolled": question.uuid})
        return render(
            request,
            "research/client/question.html",
            {"form": form, "q": question, "refused": True},
            status=400,
        )
    answer = form.cleaned_data["answer"]
    if answer == "later":
        defer(request, measurement_round, chosen)
        return redirect("client:start")
    # A study that closed meanwhile has nothing to ask any more.
    with suppress(DomainError):
        consent_record(enrolled=chosen, given=answer == "yes", mode=ConsentMode.CLIENT_FLOW)
    return redirect("client:start")


@never_cache
@require_http_methods(["GET", "POST"])
@client_page
def client_questionnaire(request: HttpRequest) -> HttpResponse:
    """A questionnaire of the study's current phase, after the client said yes; or later."""
    access = client_session_get(request)
    if access is None or access.read_back_only:
        return render(request, "measurements/fill/no_session.html", status=403)
    client_language_use(request, access)
    measurement_round = access.round
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.CLIENT_PAGE_VIEW,
        obj=measurement_round,
        detail={"page": "research_questionnaire", "method": request.method, "mode": access.mode},
    )
    found = (
        questionnaires_open(request, measurement_round) if measurement_round.is_collecting else []
    )
    if not found:
        return redirect("client:start")
    language = current_language()
    item = found[0]
    if request.method == "POST":
        item = next((q for q in found if q.key == request.POST.get("part")), item)
    form = AnswersForm(
        request.POST if request.method == "POST" and "later" not in request.POST else None,
        questionnaire=item.questionnaire,
        language=language,
        vocabulary=measurement_round.vocabulary(language),
    )
    context = {"form": form, "item": item, "language": language}
    if request.method == "GET":
        return render(request, "research/client/questionnaire.html", context)
    if request.POST.get("part") != item.key:
        return render(request, "research/client/questionnaire.html", context, status=400)
    if "later" in request.POST:
        defer_questionnaire(request, measurement_round, item)
        return redirect("client:start")
    if not form.is_valid():
        return render(request, "research/client/questionnaire.html", context, status=400)
    try:
        phase_response_submit(
            enrolled=item.enrolled,
            phase=item.phase,
            questionnaire=item.questionnaire.id,
            answers=form.answers(),
            mode=ResponseMode.ONLINE,
        )
    except DomainError as error:
        form.add_error(None, str(error.message))
        return render(request, "research/client/questionnaire.html", context, status=400)
    return redirect("client:start")
