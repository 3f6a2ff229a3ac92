"""The course over time of one trajectory (verloop)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.formatting import score_text
from alliantiemonitor.monitoring.course import Point, trajectory_course
from alliantiemonitor.monitoring.svg import course_chart, legend_items
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
    audit_record(
        actor=request.user,
        action="course.view",
        obj=trajectory,
        detail={"rounds": sum(1 for r in result.rounds if r.scored)},
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
            "legend": legend_items(),
        },
    )


def _cell(point: Point) -> dict[str, object]:
    """A table cell: the score, or why there is none."""
    if point.score is not None:
        return {"text": score_text(point.score), "reason": ""}
    return {"text": "", "reason": "too_few" if point.submitted else "not_submitted"}


def _change(point: Point) -> dict[str, object]:
    if point.change is not None:
        return {"text": change_text(point.change), "direction": point.change.direction}
    return {"text": "", "not_comparable": point.not_comparable, "direction": ""}
