"""The client's research pages: the question (yes, no or later), the phase questionnaires,
and stopping (withdrawing consent) by the client themselves.

A step of the client flow (see :mod:`alliantiemonitor.research.client_step`): the intro sends
the client here while a question is open, and the client goes back to the intro after.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.language import current_language
from alliantiemonitor.measurements.client_session import (
    ClientAccess,
    client_language_use,
    client_session_get,
)
from alliantiemonitor.measurements.views.guard import client_page
from alliantiemonitor.research.client_step import (
    client_enrolment_get,
    defer,
    defer_questionnaire,
    questionnaires_open,
    questions_open,
)
from alliantiemonitor.research.constants import ConsentMode, ConsentState, ResponseMode
from alliantiemonitor.research.exceptions import NothingToWithdraw
from alliantiemonitor.research.forms import ClientConsentForm, ClientWithdrawForm
from alliantiemonitor.research.phase_forms import AnswersForm
from alliantiemonitor.research.phase_responses import phase_response_submit
from alliantiemonitor.research.services import consent_record, consent_state, consent_withdraw


def _client_access(
    request: HttpRequest, page: str, *, read_back: bool = False
) -> ClientAccess | None:
    """The client's session for ``page`` (seen: audited), or ``None`` (no page for it).

    ``read_back``: the session that only opens the results after the fill-in window counts.
    """
    access = client_session_get(request)
    if access is None or (access.read_back_only and not read_back):
        return None
    client_language_use(request, access)
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.CLIENT_PAGE_VIEW,
        obj=access.round,
        detail={"page": page, "method": request.method, "mode": access.mode},
    )
    return access


@never_cache
@require_http_methods(["GET", "POST"])
@client_page
def client_research(request: HttpRequest) -> HttpResponse:
    """Ask the open research question of the client's round, and record the answer."""
    access = _client_access(request, "research")
    if access is None:
        return render(request, "measurements/fill/no_session.html", status=403)
    measurement_round = access.round
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
    access = _client_access(request, "research_questionnaire")
    if access is None:
        return render(request, "measurements/fill/no_session.html", status=403)
    measurement_round = access.round
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


@never_cache
@require_http_methods(["GET", "POST"])
@client_page
def client_research_withdraw(request: HttpRequest) -> HttpResponse:
    """Confirm, then record, that the client stops taking part in one of their studies.

    Open to any session of the client's round, the read-back one after the fill-in window
    too: stopping may not wait for a new link. Only an enrolment of the round's own
    trajectory is found (404 otherwise); one without a standing yes (withdrawn already, a
    second click) changes nothing and sends the client back.
    """
    access = _client_access(request, "research_withdraw", read_back=True)
    if access is None:
        return render(request, "measurements/fill/no_session.html", status=403)
    measurement_round = access.round
    # The read-back session opens no intro; the thank-you page sends it on to the results.
    back = reverse("client:done" if access.read_back_only else "client:start")
    form = ClientWithdrawForm(request.POST if request.method == "POST" else request.GET)
    enrolled = (
        client_enrolment_get(measurement_round, form.cleaned_data["enrolled"])
        if form.is_valid()
        else None
    )
    if enrolled is None:
        raise Http404
    if request.method == "GET":
        if consent_state(enrolled) != ConsentState.GIVEN:
            return redirect(back)
        return render(
            request,
            "research/client/withdraw.html",
            {
                "enrolled": enrolled,
                "back": back,
                "easy_read": measurement_round.instrument.easy_read,
            },
        )
    try:
        consent_withdraw(enrolled=enrolled, by=None)
    except NothingToWithdraw:
        # A second click, or a page left open: it is done already, nothing more to record.
        return redirect(back)
    messages.success(
        request,
        _("You no longer take part in the study “%(name)s”.") % {"name": enrolled.study.name},
    )
    return redirect(back)
