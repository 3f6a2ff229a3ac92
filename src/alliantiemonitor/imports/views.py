"""The caseload import page: upload a file, read its dry run, confirm (docs/import.md).

For organisation admins (403 for everyone else). The report shows what the file holds (the
external ids and pseudonyms the admin uploaded) and per row what the import would do; the
dry run that makes it is audited (``caseload_import.dry_run``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.imports.constants import CASELOAD_MAX_BYTES, COLUMNS, RowStatus
from alliantiemonitor.imports.forms import CaseloadUploadForm
from alliantiemonitor.imports.models import CaseloadImport
from alliantiemonitor.imports.services import caseload_apply, caseload_dry_run
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm

#: Earlier files listed on the upload page.
SHOWN_IMPORTS = 20


def _page(request: HttpRequest, form: CaseloadUploadForm, status: int = 200) -> HttpResponse:
    organisations = form.fields["organisation"].queryset
    context = {
        "form": form,
        "imports": CaseloadImport.objects.filter(organisation__in=organisations).select_related(
            "organisation", "uploaded_by", "applied_by"
        )[:SHOWN_IMPORTS],
        "columns": COLUMNS,
    }
    return render(request, "imports/caseload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a caseload file; answer with its dry run, to be confirmed."""
    policy.require(request.user, Perm.CASELOAD_IMPORT)
    organisations = policy.organisations(request.user, Perm.CASELOAD_IMPORT).order_by("name")
    if request.method == "GET":
        return _page(request, CaseloadUploadForm(organisations=organisations))
    form = CaseloadUploadForm(request.POST, request.FILES, organisations=organisations)
    if not form.is_valid():
        return _page(request, form, status=400)
    file = form.cleaned_data["file"]
    # One byte past the limit, so the service can say the file is too large.
    data = file.read(CASELOAD_MAX_BYTES + 1)
    try:
        stored, report = caseload_dry_run(
            organisation=form.cleaned_data["organisation"],
            by=request.user,
            data=data,
            file_name=file.name or "",
        )
    except DomainError as error:
        form.add_error("file", str(error.message))
        return _page(request, form, status=400)
    context: dict[str, Any] = {
        "upload": stored,
        "report": report,
        "counts": [(s, label, report.counts[s]) for s, label in RowStatus.choices],
        "labels": dict(RowStatus.choices),
    }
    return render(request, "imports/caseload_report.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest, uuid: str) -> HttpResponse:
    """Import a checked file (only its uploader; a second confirmation changes nothing)."""
    stored = policy.get_for(
        request.user,
        Perm.CASELOAD_IMPORT,
        CaseloadImport.objects.filter(uploaded_by=request.user),
        uuid,
        through="organisation",
    )
    try:
        done = caseload_apply(upload=stored, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("trajectories:caseload_import")
    counts = done.counts
    messages.success(
        request,
        _("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "new": counts[RowStatus.NEW],
            "updated": counts[RowStatus.UPDATED],
            "unchanged": counts[RowStatus.UNCHANGED],
        },
    )
    return redirect("trajectories:caseload_import")
