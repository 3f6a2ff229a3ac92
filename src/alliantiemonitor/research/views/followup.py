"""Importing follow-up outcomes: upload a file, read its dry run, confirm.

For the study's researchers (404 for everyone else, as every study page). The report shows
what the researcher typed (study keys, outcomes, dates) and a status per row, never a name.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.research.access import get_study_for
from alliantiemonitor.research.constants import FOLLOWUP_MAX_BYTES, FollowUpKind, RowStatus
from alliantiemonitor.research.followup import (
    DryRun,
    followup_apply,
    followup_dry_run,
    followup_imports,
)
from alliantiemonitor.research.forms import FollowUpUploadForm
from alliantiemonitor.research.models import FollowUpImport, Study

#: Rows listed on the report page; the counts always cover the whole file.
SHOWN_ROWS = 1000


def _page(request: HttpRequest, study: Study, form: Any, status: int = 200) -> HttpResponse:
    context = {
        "study": study,
        "form": form,
        "imports": followup_imports(study)[:20],
        "kinds": FollowUpKind.choices,
    }
    return render(request, "research/followup.html", context, status=status)


def _counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(status, str(label), counts.get(status, 0)) for status, label in RowStatus.choices]


@login_required
@require_http_methods(["GET", "POST"])
def followup_upload(request: HttpRequest, uuid: str) -> HttpResponse:
    """Upload a follow-up file; answer with its dry run, to be confirmed."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    if request.method == "GET":
        return _page(request, study, FollowUpUploadForm())
    form = FollowUpUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, study, form, status=400)
    upload = form.cleaned_data["file"]
    # Read one byte past the limit, so the service can say the file is too large.
    data = upload.read(FOLLOWUP_MAX_BYTES + 1)
    try:
        stored, report = followup_dry_run(
            study=study, by=request.user, data=data, file_name=upload.name or ""
        )
    except DomainError as error:
        form.add_error("file", str(error.message))
        return _page(request, study, form, status=400)
    return _report(request, study, stored, report)


def _report(
    request: HttpRequest, study: Study, stored: FollowUpImport, report: DryRun
) -> HttpResponse:
    rows = report.rows
    context = {
        "study": study,
        "upload": stored,
        "counts": _counts(report.counts),
        "rows": rows[:SHOWN_ROWS],
        "more": max(0, len(rows) - SHOWN_ROWS),
        "writes": len(report.writes),
        "labels": dict(RowStatus.choices),
    }
    return render(request, "research/followup_report.html", context)


@login_required
@require_POST
def followup_confirm(request: HttpRequest, uuid: str, upload: str) -> HttpResponse:
    """Apply a checked file (a second confirmation changes nothing)."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    stored = get_object_or_404(FollowUpImport, study=study, uuid=upload)
    try:
        done = followup_apply(upload=stored, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("research:followup", uuid=study.uuid)
    counts = done.counts
    messages.success(
        request,
        _("Imported: %(new)d added, %(changed)d replaced, %(unchanged)d already there.")
        % {
            "new": counts[RowStatus.NEW],
            "changed": counts[RowStatus.CHANGED],
            "unchanged": counts[RowStatus.UNCHANGED],
        },
    )
    return redirect("research:followup", uuid=study.uuid)
