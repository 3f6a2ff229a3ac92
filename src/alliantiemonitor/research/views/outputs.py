"""A study's exports and reports: ask the worker for one, see where it stands, download it.

Asking and downloading need a recent login (password and second factor again after a while);
both are audited. The page lists only the study's own outputs, to its own researchers.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.reauth import require_recent_auth
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.research.access import get_study_for
from alliantiemonitor.research.constants import OUTPUT_KEEP_DAYS
from alliantiemonitor.research.forms import GROUP_LABELS, ExportRequestForm, ReportRequestForm
from alliantiemonitor.research.models import Study, StudyOutput
from alliantiemonitor.research.outputs import output_file, output_request

#: Outputs shown on the page (newest first); older ones stay in the audit trail.
SHOWN = 20


def _page(
    request: HttpRequest,
    study: Study,
    export_form: ExportRequestForm | None = None,
    report_form: ReportRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    outputs = list(study.outputs.select_related("requested_by")[:SHOWN])
    context: dict[str, Any] = {
        "study": study,
        "export_form": export_form or ExportRequestForm(prefix="export"),
        "report_form": report_form or ReportRequestForm(prefix="report"),
        "outputs": outputs,
        "pending": any(output.is_pending for output in outputs),
        "keep_days": OUTPUT_KEEP_DAYS,
        "group_labels": GROUP_LABELS,
    }
    return render(request, "research/outputs.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@require_recent_auth
def outputs(request: HttpRequest, uuid: str) -> HttpResponse:
    """The study's exports and reports, and the forms to ask for a new one."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    if request.method == "GET":
        return _page(request, study)
    kind = request.POST.get("kind")
    export_form = ExportRequestForm(request.POST, prefix="export") if kind == "export" else None
    report_form = ReportRequestForm(request.POST, prefix="report") if kind == "report" else None
    form: Any = export_form or report_form
    if form is None:
        messages.error(request, _("Choose an export or a report."))
        return _page(request, study, status=400)
    if not form.is_valid():
        return _page(request, study, export_form, report_form, status=400)
    try:
        # A report is written in the language of the page it was asked from.
        options = {**form.cleaned_data, "language": get_language()}
        _output, created = output_request(study=study, by=request.user, kind=kind, options=options)
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _page(request, study, export_form, report_form, status=400)
    if created:
        messages.success(
            request,
            _("The worker builds it now; this takes from seconds to minutes. Reload this page."),
        )
    else:
        messages.info(request, _("The same request is already being built."))
    return redirect("research:outputs", uuid=study.uuid)


@login_required
@require_GET
@require_recent_auth
def output_download(request: HttpRequest, uuid: str, output: str, name: str) -> HttpResponse:
    """One file of a ready export or report (audited)."""
    study = get_study_for(request.user, uuid, perm=Perm.STUDY_MANAGE)
    found = get_object_or_404(StudyOutput, study=study, uuid=output)
    try:
        path, _entry = output_file(found, name, by=request.user)
    except DomainError as error:
        raise Http404(str(error.message)) from error
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["Cache-Control"] = "no-store"
    return response
