"""The joint conversation view: both sides' answers, prompts, agreements and evaluation.

Every view fetches the round through ``get_round_for`` (404 for anyone but the assigned
professional) and shows answers only through :func:`round_results`, which enforces the
blind rule. Writes go through ``conversations.services``; the pages work without JavaScript
(POST-redirect-GET), htmx only swaps the agreements panel in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.conversations import services
from alliantiemonitor.conversations.card_table import card_tables
from alliantiemonitor.conversations.constants import Party
from alliantiemonitor.conversations.forms import (
    AgreementForm,
    ConversationStartForm,
    EvaluationForm,
)
from alliantiemonitor.conversations.models import Conversation
from alliantiemonitor.conversations.prompts import prompts_for
from alliantiemonitor.conversations.results import RoundResults, round_results
from alliantiemonitor.measurements.access import get_round_for
from alliantiemonitor.measurements.constants import Rater, RoundState
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.presentation import VIEW_CARDS, VIEW_PARAM
from alliantiemonitor.measurements.services import round_answers_visible
from alliantiemonitor.permissions.rules import Perm


def _joint_url(round: MeasurementRound, anchor: str = "") -> str:
    url = reverse("conversations:joint", args=[round.uuid])
    return f"{url}#{anchor}" if anchor else url


def _render_joint(
    request: HttpRequest,
    round: MeasurementRound,
    *,
    start_form: ConversationStartForm | None = None,
    agreement_form: AgreementForm | None = None,
    evaluation_forms: dict[str, EvaluationForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the joint view, or the waiting page while the blind rule still holds."""
    visible = round_answers_visible(round)
    audit_record(
        actor=request.user, action=Action.CONVERSATION_VIEW, obj=round, detail={"visible": visible}
    )
    if not visible:
        done = set(round.responses.current().submitted().values_list("rater", flat=True))
        return render(
            request,
            "conversations/waiting.html",
            {
                "round": round,
                "client_done": Rater.CLIENT in done,
                "professional_done": Rater.PROFESSIONAL in done,
            },
        )
    results = round_results(round, viewer="professional")
    forms = dict(evaluation_forms or {})
    for party in Party.values:
        if results.evaluation_of(party) is None:
            forms.setdefault(party, EvaluationForm(party=party))
    context = {
        **_state_context(round, results),
        "prompts": prompts_for(results, recent_handover=round.after_handover),
        "card_tables": card_tables(results),
        # ?weergave=kaarten opens the cards side by side (the card game at the table).
        "cards_open": request.GET.get(VIEW_PARAM) == VIEW_CARDS,
        "start_form": start_form or ConversationStartForm(),
        "agreement_form": agreement_form or AgreementForm(),
        "evaluation_forms": [(party, label, forms.get(party)) for party, label in Party.choices],
        "evaluation_open": any(forms.values()),
        # A refused evaluation unfolds its form, so the error is seen.
        "evaluation_errors": any(form.is_bound and form.errors for form in forms.values()),
    }
    return render(request, "conversations/joint.html", context, status=status)


def _state_context(round: MeasurementRound, results: RoundResults) -> dict[str, Any]:
    return {
        "round": round,
        "results": results,
        "can_mark_discussed": results.conversation is not None
        and round.state == RoundState.BOTH_DONE,
        "is_discussed": round.state == RoundState.DISCUSSED,
    }


def _conversation_for(request: HttpRequest, round: MeasurementRound) -> Conversation:
    """The round's conversation, started today on first use (raises DomainError when refused)."""
    conversation = Conversation.objects.filter(round=round).first()
    if conversation is None:
        conversation = services.conversation_start(round=round, by=request.user)
    return conversation


@login_required
@require_GET
def joint(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Show both sides of the round once both are done; a waiting page before that."""
    round = get_round_for(request.user, uuid)
    return _render_joint(request, round)


@login_required
@require_POST
def conversation_start(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Record that the conversation took place (on a chosen date)."""
    round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    form = ConversationStartForm(request.POST, round=round)
    if not form.is_valid():
        return _render_joint(request, round, start_form=form, status=400)
    try:
        services.conversation_start(
            round=round, by=request.user, held_on=form.cleaned_data["held_on"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The conversation has been recorded."))
    return redirect(_joint_url(round, "conversation"))


@login_required
@require_POST
def agreement_add(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Add an agreement; the first one also records the conversation (held today)."""
    round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    form = AgreementForm(request.POST)
    status_text = ""
    if form.is_valid():
        try:
            conversation = _conversation_for(request, round)
            services.agreement_add(
                conversation=conversation, text=form.cleaned_data["text"], by=request.user
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            status_text = _("The agreement has been added.")
            if not request.htmx:
                messages.success(request, status_text)
                return redirect(_joint_url(round, "agreements"))
            form = AgreementForm()
    if request.htmx:
        if not round_answers_visible(round):
            return HttpResponse(status=409)
        # The swap replaces the button that had focus: put focus back in the field (htmx
        # focuses an autofocus element of swapped content), ready for the next agreement or
        # at the error, not at the top of the page.
        form.fields["text"].widget.attrs["autofocus"] = True
        audit_record(actor=request.user, action=Action.CONVERSATION_VIEW, obj=round)
        # The first agreement also records the conversation: update that status and the
        # "Mark as discussed" button out of band, so the page stays consistent.
        return render(
            request,
            "conversations/_agreements_htmx.html",
            {
                **_state_context(round, round_results(round, viewer="professional")),
                "start_form": ConversationStartForm(),
                "agreement_form": form,
                "status_text": status_text,
                "oob": True,
            },
        )
    return _render_joint(request, round, agreement_form=form)


@login_required
@require_POST
def evaluate(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Record one party's evaluation (the professional types in the client's on the screen)."""
    round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    party = request.POST.get("party", "")
    if party not in Party.values:
        messages.error(request, _("Choose whether talking about it was useful."))
        return redirect(_joint_url(round, "evaluation"))
    form = EvaluationForm(request.POST, party=party)
    if not form.is_valid():
        return _render_joint(request, round, evaluation_forms={party: form})
    try:
        conversation = _conversation_for(request, round)
        services.evaluation_record(
            conversation=conversation,
            party=party,
            useful=form.cleaned_data["useful"],
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you, the evaluation has been recorded."))
    return redirect(_joint_url(round, "evaluation"))


@login_required
@require_POST
def mark_discussed(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Mark the round as discussed; from then on the client's link shows the results."""
    round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    try:
        services.round_mark_discussed(round=round, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The round is marked as discussed. The client can now read back the results."),
        )
    return redirect(_joint_url(round))
