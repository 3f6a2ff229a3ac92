"""Interview samples: draw one, and list its dyads as study keys and patterns only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.research.access import get_study_for
from alliantiemonitor.research.forms import SampleForm
from alliantiemonitor.research.models import InterviewSample, Study
from alliantiemonitor.research.sampling import (
    interview_sample_draw,
    interview_samples,
    sample_entries,
    sample_summary,
)


def _page(request: HttpRequest, study: Study, form: Any, status: int = 200) -> HttpResponse:
    context = {"study": study, "form": form, "samples": interview_samples(study)}
    return render(request, "research/samples.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def samples(request: HttpRequest, uuid: str) -> HttpResponse:
    """The study's interview samples, and the form to draw one."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    if request.method == "GET":
        return _page(request, study, SampleForm())
    form = SampleForm(request.POST)
    if not form.is_valid():
        return _page(request, study, form, status=400)
    try:
        sample = interview_sample_draw(
            study=study,
            by=request.user,
            sizes=form.sizes(),
            seed=form.cleaned_data["seed"],
            min_rounds=form.cleaned_data["min_rounds"],
        )
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _page(request, study, form, status=400)
    messages.success(request, _("The sample was drawn."))
    return redirect("research:sample_detail", uuid=study.uuid, sample=sample.uuid)


@login_required
@require_GET
def sample_detail(request: HttpRequest, uuid: str, sample: str) -> HttpResponse:
    """One sample: per pattern asked, eligible and drawn; the drawn study keys (audited)."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    found = get_object_or_404(InterviewSample, study=study, uuid=sample)
    audit_record(
        actor=request.user,
        action=Action.INTERVIEW_SAMPLE_VIEW,
        obj=found,
        detail={"study": study.uuid},
    )
    context = {
        "study": study,
        "sample": found,
        "summary": sample_summary(found),
        "entries": sample_entries(found),
    }
    return render(request, "research/sample_detail.html", context)
