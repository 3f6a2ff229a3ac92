"""The course over time of one trajectory (verloop), its signals, and the signal settings."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.formatting import score_text
from alliantiemonitor.monitoring.access import (
    get_administered_organisation,
    get_signal_for,
)
from alliantiemonitor.monitoring.course import Point, trajectory_course
from alliantiemonitor.monitoring.forms import AcknowledgeForm, ThresholdsForm
from alliantiemonitor.monitoring.models import Signal, organisation_signal_settings
from alliantiemonitor.monitoring.services import signal_acknowledge, signal_thresholds_update
from alliantiemonitor.monitoring.signals_read import signal_card, signal_cards
from alliantiemonitor.monitoring.svg import course_chart, legend_items, outcome_legend_items
from alliantiemonitor.monitoring.wording import (
    change_text,
    pattern_label,
    rater_label,
)
from alliantiemonitor.trajectories.access import get_trajectory_for


@login_required
@require_GET
def course(request: HttpRequest, trajectory_uuid: uuid.UUID) -> HttpResponse:
    """Show each characteristic's course: a chart, its data table and what changed reliably."""
    trajectory = get_trajectory_for(request.user, trajectory_uuid)
    result = trajectory_course(trajectory)
    signals = signal_cards(
        Signal.objects.open()
        .for_trajectory(trajectory)
        .select_related("round", "acknowledged_by")
        .order_by("acknowledged_at", "raised_at", "pk")
    )
    audit_record(
        actor=request.user,
        action=Action.COURSE_VIEW,
        obj=trajectory,
        detail={
            "rounds": sum(1 for r in result.rounds if r.scored),
            "signals": len(signals),
        },
    )
    sections = [
        {
            "characteristic": characteristic,
            "chart": course_chart(characteristic, result),
            "rows": [
                {
                    "round": info,
                    "cells": [_cell(client), _cell(professional)],
                    "changes": [_change(client), _change(professional)],
                }
                for info, client, professional in characteristic.rows()
            ],
            "raters": [
                {
                    "label": rater_label(series.rater),
                    "series": series,
                    "pattern": pattern_label(series.pattern),
                    "first": score_text(series.overall.x1) if series.overall else None,
                    "latest": score_text(series.overall.x2) if series.overall else None,
                    "overall": change_text(series.overall) if series.overall else None,
                    "mdc": score_text(series.mdc, places=2) if series.mdc is not None else None,
                }
                for series in characteristic.series
            ],
        }
        for characteristic in result.characteristics
    ]
    return render(
        request,
        "monitoring/course.html",
        {
            "trajectory": trajectory,
            "course": result,
            "sections": sections,
            "legend": legend_items() + (outcome_legend_items() if result.events else []),
            "signals": signals,
            "acknowledge_form": AcknowledgeForm(),
        },
    )


def _course_url(signal: Signal) -> str:
    url = reverse("monitoring:course", args=[signal.trajectory.uuid])
    return f"{url}#signal-{signal.uuid}"


@login_required
@require_POST
def signal_acknowledge_view(request: HttpRequest, signal_uuid: uuid.UUID) -> HttpResponse:
    """Acknowledge a signal with a short note; htmx swaps the signal in place, else PRG."""
    signal = get_signal_for(request.user, signal_uuid)
    form = AcknowledgeForm(request.POST)
    status_text = ""
    if form.is_valid():
        try:
            signal = signal_acknowledge(
                signal=signal, by=request.user, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            status_text = _("Thank you: the signal is marked as seen.")
            form = AcknowledgeForm()
    if not request.htmx:
        if status_text:
            messages.success(request, status_text)
        else:
            for error in form.errors.get("__all__", []) + form.errors.get("note", []):
                messages.error(request, error)
        return redirect(_course_url(signal))
    signal.refresh_from_db()
    audit_record(actor=request.user, action=Action.SIGNAL_VIEW, obj=signal)
    return render(
        request,
        "monitoring/_signal.html",
        {"card": signal_card(signal), "acknowledge_form": form, "status_text": status_text},
    )


@login_required
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest, organisation_uuid: uuid.UUID) -> HttpResponse:
    """The organisation admin sets the thresholds of the signal rules."""
    organisation = get_administered_organisation(request.user, organisation_uuid)
    current = organisation_signal_settings(organisation)
    form = ThresholdsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            signal_thresholds_update(
                organisation=organisation, values=form.cleaned_data, by=request.user
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The thresholds have been saved. Signals follow at the next recompute."),
            )
            return redirect("monitoring:thresholds", organisation_uuid=organisation.uuid)
    context: dict[str, Any] = {"organisation": organisation, "form": form}
    return render(request, "monitoring/thresholds.html", context)


def _cell(point: Point) -> dict[str, object]:
    """A table cell: the score, or why there is none."""
    if point.score is not None:
        return {"text": score_text(point.score), "reason": ""}
    return {"text": "", "reason": "too_few" if point.submitted else "not_submitted"}


def _change(point: Point) -> dict[str, object]:
    if point.change is not None:
        return {"text": change_text(point.change), "direction": point.change.direction}
    return {"text": "", "not_comparable": point.not_comparable, "direction": ""}
