"""The research box of a trajectory page: enrol, record the client's answer, withdraw.

For the trajectory's professional only (the trajectory's access rules). Loaded into the
trajectory page by htmx; without JavaScript the page's link opens the same box as a page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.research.forms import EnrolledChoiceForm, StaffConsentForm
from alliantiemonitor.research.sampling import interview_draws
from alliantiemonitor.research.services import (
    TrajectoryStudy,
    consent_record,
    consent_withdraw,
    studies_for_trajectory,
    trajectory_enrol,
)
from alliantiemonitor.trajectories.access import get_trajectory_for
from alliantiemonitor.trajectories.models import Trajectory


def _box(
    request: HttpRequest,
    trajectory: Trajectory,
    *,
    status: int = 200,
    form: Any = None,
) -> HttpResponse:
    context = {
        "trajectory": trajectory,
        "items": studies_for_trajectory(trajectory),
        # The studies that drew this client for an interview (while the consent stands).
        "interview_draws": interview_draws(trajectory),
        # A refused answer shows again with its messages at its fields.
        "consent_form": form if isinstance(form, StaffConsentForm) else StaffConsentForm(),
        "error_form": form,
    }
    template = (
        "research/_trajectory_box.html"
        if getattr(request, "htmx", False)
        else "research/trajectory.html"
    )
    return render(request, template, context, status=status)


@login_required
@require_GET
def trajectory_box(request: HttpRequest, uuid: str) -> HttpResponse:
    """The studies this trajectory is (or can be) in, with its consent state per study.

    Seen (audited) only when a study applies: the trajectory page loads this box every time,
    and "takes part in no study" shows nothing about the client.
    """
    trajectory = get_trajectory_for(request.user, uuid)
    if studies_for_trajectory(trajectory):
        audit_record(actor=request.user, action=Action.STUDY_TRAJECTORY_VIEW, obj=trajectory)
    return _box(request, trajectory)


def _chosen(trajectory: Trajectory, form: EnrolledChoiceForm) -> TrajectoryStudy | None:
    """The study the form names, among those the box shows for ``trajectory``."""
    wanted = form.cleaned_data["study"]
    return next(
        (item for item in studies_for_trajectory(trajectory) if item.study.uuid == wanted), None
    )


def _refused(
    request: HttpRequest, trajectory: Trajectory, form: Any, message: str | None = None
) -> HttpResponse:
    # The box again with the problem: seen once more.
    audit_record(actor=request.user, action=Action.STUDY_TRAJECTORY_VIEW, obj=trajectory)
    if message:
        messages.error(request, message)
    return _box(request, trajectory, status=400, form=form)


@login_required
@require_POST
def trajectory_enrol_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """Enrol the trajectory in a study its organisation or team takes part in."""
    trajectory = get_trajectory_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    form = EnrolledChoiceForm(request.POST)
    if not form.is_valid() or (item := _chosen(trajectory, form)) is None:
        return _refused(request, trajectory, form, _("Choose one of the studies shown."))
    try:
        trajectory_enrol(study=item.study, trajectory=trajectory, by=request.user)
    except DomainError as error:
        return _refused(request, trajectory, form, str(error.message))
    messages.success(request, _("The trajectory is enrolled. Ask the client for consent."))
    return redirect("trajectories:detail", uuid=trajectory.uuid)


@login_required
@require_POST
def trajectory_consent(request: HttpRequest, uuid: str) -> HttpResponse:
    """Record the client's answer, given on paper or by telephone."""
    trajectory = get_trajectory_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    form = StaffConsentForm(request.POST)
    if not form.is_valid():
        return _refused(request, trajectory, form)
    item = _chosen(trajectory, form)
    if item is None or item.enrolled is None:
        return _refused(request, trajectory, form, _("Enrol the trajectory in the study first."))
    try:
        consent_record(
            enrolled=item.enrolled,
            given=form.cleaned_data["answer"] == "yes",
            mode=form.cleaned_data["mode"],
            by=request.user,
        )
    except DomainError as error:
        return _refused(request, trajectory, form, str(error.message))
    messages.success(request, _("The client's answer was recorded."))
    return redirect("trajectories:detail", uuid=trajectory.uuid)


@login_required
@require_POST
def trajectory_withdraw(request: HttpRequest, uuid: str) -> HttpResponse:
    """Withdraw the client's consent, as the client asked."""
    trajectory = get_trajectory_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    form = EnrolledChoiceForm(request.POST)
    if not form.is_valid() or (item := _chosen(trajectory, form)) is None or not item.enrolled:
        return _refused(request, trajectory, form, _("Choose one of the studies shown."))
    try:
        consent_withdraw(enrolled=item.enrolled, by=request.user)
    except DomainError as error:
        return _refused(request, trajectory, form, str(error.message))
    messages.success(
        request, _("Consent withdrawn. The client's data are left out of every later export.")
    )
    return redirect("trajectories:detail", uuid=trajectory.uuid)
