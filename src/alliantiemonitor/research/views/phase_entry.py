"""The telephone entry: a researcher types in a client's answers to a phase questionnaire.

The researcher picks the trajectory by its study key (the professional passed it on), never
by a name: the page shows study keys, phases and questionnaires only. Only trajectories
whose research consent stands can be found; the answers are stored once (mode telephone or
paper, entered by the researcher).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.domains import default_domains
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.research.access import get_enrolled_for_entry, get_study_for
from alliantiemonitor.research.models import EnrolledTrajectory, PhaseResponse
from alliantiemonitor.research.phase_forms import AnswersForm, PhaseEntryChoiceForm, phase_parts
from alliantiemonitor.research.phase_responses import phase_response_submit


def _vocabulary(enrolled: EnrolledTrajectory, language: str) -> dict[str, str]:
    """The domain words of the trajectory's organisation, to read the statements aloud."""
    trajectory = enrolled.trajectory
    if trajectory is None:
        return {}
    try:
        return default_domains().vocabulary(trajectory.organisation.domain, language)
    except KeyError:
        return {}


@login_required
@require_http_methods(["GET", "POST"])
def phase_entry(request: HttpRequest, uuid: str) -> HttpResponse:
    """Pick a study key and a phase questionnaire (GET), then type in the answers (POST)."""
    study = get_study_for(
        request.user,
        uuid,
        perm=Perm.STUDY_MANAGE,
        action=Action.STUDY_VIEW,
        detail={"page": "phase_entry", "method": request.method},
    )
    language = current_language()
    parts = phase_parts(study)
    data = request.POST if request.method == "POST" else request.GET
    # A post without a key or a questionnaire is a refused form, as elsewhere: bound, so that
    # the page says which fields are missing.
    chosen = "study_key" in data or "part" in data or request.method == "POST"
    choice = PhaseEntryChoiceForm(data if chosen else None, parts=parts, language=language)
    context: dict[str, object] = {"study": study, "choice": choice, "parts": parts}
    if not chosen:
        return render(request, "research/phase_entry.html", context)
    valid = choice.is_valid()
    if not study.is_active:
        choice.add_error(None, _("This study is not active: nothing can be recorded."))
    if not valid or not study.is_active:
        return render(request, "research/phase_entry.html", context, status=400)
    key = choice.cleaned_data["study_key"]
    enrolled = get_enrolled_for_entry(request.user, study, key)
    if enrolled is None:
        choice.add_error(
            "study_key",
            _("No trajectory with standing research consent has this study key in this study."),
        )
        return render(request, "research/phase_entry.html", context, status=400)
    part = choice.chosen
    context.update({"enrolled": enrolled, "part": part, "part_label": part.label(language)})
    existing = PhaseResponse.objects.filter(
        enrolled=enrolled, phase=part.phase, questionnaire=part.questionnaire.id
    ).first()
    if existing is not None:
        context["existing"] = existing
        return render(request, "research/phase_entry.html", context)
    answers = AnswersForm(
        request.POST if request.method == "POST" else None,
        questionnaire=part.questionnaire,
        language=language,
        vocabulary=_vocabulary(enrolled, language),
    )
    context["answers"] = answers
    if request.method == "GET":
        return render(request, "research/phase_entry.html", context)
    if answers.is_valid():
        try:
            _response, created = phase_response_submit(
                enrolled=enrolled,
                phase=part.phase,
                questionnaire=part.questionnaire.id,
                answers=answers.answers(),
                mode=choice.cleaned_data["mode"],
                by=request.user,
            )
        except DomainError as error:
            answers.add_error(None, str(error.message))
        else:
            if created:
                messages.success(
                    request,
                    _("The answers for study key %(key)s were saved.")
                    % {"key": enrolled.study_key},
                )
            else:
                messages.info(
                    request,
                    _("These answers had already been saved; nothing was changed."),
                )
            return redirect("research:phase_entry", uuid=study.uuid)
    return render(request, "research/phase_entry.html", context, status=400)
