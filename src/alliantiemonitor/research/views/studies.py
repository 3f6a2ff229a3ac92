"""The researcher's pages: the own studies, a new study, one study, phases, enrolment.

Nothing here shows a client: a study's page has its protocol, phases, the organisations and
teams that take part, and counts of enrolled trajectories by consent state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.research.access import get_study_for, require_researcher, studies_for
from alliantiemonitor.research.constants import StudyStatus
from alliantiemonitor.research.counts import consent_table
from alliantiemonitor.research.forms import EnrolForm, PhaseForm, StatusForm, StudyForm
from alliantiemonitor.research.models import Study
from alliantiemonitor.research.services import (
    study_create,
    study_enrol,
    study_phase_add,
    study_phase_edit,
    study_status_set,
    study_update,
)


@login_required
@require_GET
def study_list(request: HttpRequest) -> HttpResponse:
    """The studies in which the user is a researcher."""
    require_researcher(request.user)
    studies = studies_for(request.user).order_by("name", "pk")
    return render(request, "research/study_list.html", {"studies": studies})


@login_required
@require_http_methods(["GET", "POST"])
def study_new(request: HttpRequest) -> HttpResponse:
    """Create a study (a draft, with the user as its researcher)."""
    require_researcher(request.user)
    form = StudyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                study = study_create(by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("The study was created as a draft."))
                return redirect("research:study_detail", uuid=study.uuid)
        return render(request, "research/study_new.html", {"form": form}, status=400)
    return render(request, "research/study_new.html", {"form": form})


def _detail_context(study: Study) -> dict[str, object]:
    enrolments = list(study.enrolments.select_related("organisation", "team"))
    return {
        "study": study,
        "phases": study.phases.order_by("order"),
        "enrolments": enrolments,
        "consent": consent_table(study),
        "can_start": study.status == StudyStatus.DRAFT,
        "can_close": study.status == StudyStatus.ACTIVE,
    }


@login_required
@require_GET
def study_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """One study: protocol, phases, who takes part, and counts (never a name)."""
    study = get_study_for(request.user, uuid, action=Action.STUDY_VIEW)
    return render(request, "research/study_detail.html", _detail_context(study))


@login_required
@require_POST
def study_status(request: HttpRequest, uuid: str) -> HttpResponse:
    """Start or close a study."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to start or to close the study."))
        return render(request, "research/study_detail.html", _detail_context(study), status=400)
    try:
        study_status_set(study=study, by=request.user, status=form.cleaned_data["status"])
    except DomainError as error:
        messages.error(request, str(error.message))
        return render(request, "research/study_detail.html", _detail_context(study), status=400)
    messages.success(request, _("The study's status was changed."))
    return redirect("research:study_detail", uuid=study.uuid)


def _study_form_page(
    request: HttpRequest,
    study: Study,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], object],
    done: str,
    template: str,
    context: dict[str, object],
) -> HttpResponse:
    """Show ``form`` (GET); on a valid POST ``save`` its data, say ``done`` and go back to the
    study. A refusal of the service is shown at its field (or above the form) with a 400."""
    context = {"study": study, "form": form, **context}
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except DomainError as error:
                field = error.context.get("field")
                form.add_error(field if field in form.fields else None, str(error.message))
            else:
                messages.success(request, done)
                return redirect("research:study_detail", uuid=study.uuid)
        return render(request, template, context, status=400)
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def phase_add(request: HttpRequest, uuid: str) -> HttpResponse:
    """Add a phase to the study's protocol."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    return _study_form_page(
        request,
        study,
        PhaseForm(request.POST or None),
        save=lambda data: study_phase_add(study=study, by=request.user, **data),
        done=_("The phase was added."),
        template="research/phase_add.html",
        context={},
    )


@login_required
@require_http_methods(["GET", "POST"])
def study_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    """Change the study's name, description, protocol, record keeping and client information."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    fields = ("name", "description", "protocol", "keep_after_erasure_months", "information_text")
    return _study_form_page(
        request,
        study,
        StudyForm(request.POST or None, initial={f: getattr(study, f) for f in fields}),
        save=lambda data: study_update(study=study, by=request.user, **data),
        done=_("The study was changed."),
        template="research/study_edit.html",
        context={},
    )


@login_required
@require_http_methods(["GET", "POST"])
def phase_edit(request: HttpRequest, uuid: str, phase: str) -> HttpResponse:
    """Change a phase of the study's protocol (a questionnaire already answered stays)."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    found = get_object_or_404(study.phases, uuid=phase)
    initial = {
        "kind": found.kind,
        "name": found.name,
        "instruments": found.instruments,
        "timing_days": found.timing_days,
        "mode_notes": found.mode_notes,
    }
    return _study_form_page(
        request,
        study,
        PhaseForm(request.POST or None, initial=initial),
        save=lambda data: study_phase_edit(phase=found, by=request.user, **data),
        done=_("The phase was changed."),
        template="research/phase_edit.html",
        context={"phase": found, "answered": found.answered_questionnaires()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def study_enrol_organisation(request: HttpRequest, uuid: str) -> HttpResponse:
    """Ask an organisation (or a team) where the user is a researcher to take part."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    organisations = policy.organisations(request.user, Perm.STUDY_CREATE)
    form = EnrolForm(request.POST or None, organisations=organisations)
    context = {"study": study, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                enrolment = study_enrol(
                    study=study,
                    by=request.user,
                    organisation=form.cleaned_data["organisation"],
                    team=form.cleaned_data["team"],
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                if enrolment.is_agreed:
                    messages.success(request, _("The organisation takes part."))
                else:
                    messages.success(
                        request,
                        _("Asked. It takes part once an administrator of the organisation agrees."),
                    )
                return redirect("research:study_detail", uuid=study.uuid)
        return render(request, "research/study_enrol.html", context, status=400)
    return render(request, "research/study_enrol.html", context)
