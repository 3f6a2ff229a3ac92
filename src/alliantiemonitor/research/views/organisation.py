"""The organisation admin's page: studies that asked to include the organisation, and agreeing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.research.access import (
    enrolments_to_agree,
    get_enrolment_for_admin,
    require_enrolment_admin,
)
from alliantiemonitor.research.services import study_counts, study_enrolment_agree


@login_required
@require_GET
def enrolments(request: HttpRequest) -> HttpResponse:
    """The studies the administered organisations take part in, or are asked to."""
    require_enrolment_admin(request.user)
    rows = enrolments_to_agree(request.user).order_by("agreed_at", "-requested_at", "pk")
    return render(
        request,
        "research/enrolments.html",
        {"rows": [(row, study_counts(row.study, row)) for row in rows]},
    )


@login_required
@require_POST
def enrolment_agree(request: HttpRequest, uuid: str) -> HttpResponse:
    """Agree that the organisation (or team) takes part in the study."""
    enrolment = get_enrolment_for_admin(request.user, uuid)
    try:
        study_enrolment_agree(enrolment=enrolment, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("You agreed. Professionals can now enrol trajectories."))
    return redirect("research:enrolments")
