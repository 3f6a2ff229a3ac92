"""The privacy officer's pages: the organisation's clients, "who saw my data?", erasure.

The organisation admin is the privacy officer. Every page fetches its client through
:func:`~alliantiemonitor.trajectories.access.get_client_for_privacy_officer` (404 for a client
of another organisation) and records an audit event, so looking at a trail is itself on it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliantiemonitor.audit.constants import PrivacyAction
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.reauth import require_recent_auth
from alliantiemonitor.common.spreadsheet import spreadsheet_safe
from alliantiemonitor.trajectories.access import (
    get_client_for_privacy_officer,
    privacy_clients_for,
    require_privacy_officer,
)
from alliantiemonitor.trajectories.forms import EraseClientForm
from alliantiemonitor.trajectories.models import RetentionNotice
from alliantiemonitor.trajectories.privacy import csv_header, csv_row, trail_events, trail_rows
from alliantiemonitor.trajectories.retention import erase_on
from alliantiemonitor.trajectories.services import client_erase, client_reference

CLIENTS_PER_PAGE = 50
EVENTS_PER_PAGE = 100


class _Echo:
    """A file that hands back what is written, for a streamed CSV."""

    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def clients(request: HttpRequest) -> HttpResponse:
    """The clients of the organisations the user administers, searchable by display name."""
    require_privacy_officer(request.user)
    # Control characters (a NUL above all, which PostgreSQL refuses in a query) cannot be in
    # a display name: they are dropped from the search.
    query = "".join(c for c in request.GET.get("q", "") if c.isprintable()).strip()[:80]
    found = privacy_clients_for(request.user).select_related("organisation")
    if query:
        found = found.filter(display_name__icontains=query)
    page = Paginator(found.order_by("display_name", "pk"), CLIENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    audit_record(
        actor=request.user,
        action=PrivacyAction.CLIENT_LIST_VIEW,
        detail={"count": len(page.object_list), "filtered": bool(query), "page": page.number},
    )
    rows = [(client, client_reference(client)) for client in page.object_list]
    notices = [
        (notice, client_reference(notice.client), erase_on(notice))
        for notice in RetentionNotice.objects.filter(client__in=privacy_clients_for(request.user))
        .select_related("client")
        .order_by("noticed_at", "pk")
    ]
    return render(
        request,
        "trajectories/privacy/clients.html",
        {"page": page, "rows": rows, "query": query, "notices": notices},
    )


@login_required
@require_GET
def trail(request: HttpRequest, uuid: str) -> HttpResponse:
    """ "Who saw my data?": the audit trail of one client, newest first."""
    client = get_client_for_privacy_officer(request.user, uuid)
    # Recorded first, so that this look is on the page too.
    audit_record(actor=request.user, action=PrivacyAction.TRAIL_VIEW, obj=client)
    page = Paginator(trail_events(client), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "client": client,
        "reference": client_reference(client),
        "page": page,
        "rows": list(trail_rows(page.object_list)),
    }
    return render(request, "trajectories/privacy/trail.html", context)


@login_required
@require_GET
@require_recent_auth
def trail_csv(request: HttpRequest, uuid: str) -> StreamingHttpResponse:
    """The same trail as CSV, streamed: a long trail is never held in memory at once."""
    client = get_client_for_privacy_officer(request.user, uuid)
    audit_record(actor=request.user, action=PrivacyAction.TRAIL_EXPORT, obj=client)
    writer = csv.writer(_Echo())
    events = trail_events(client).iterator(chunk_size=1000)

    def lines() -> Iterator[Any]:
        yield writer.writerow(csv_header())
        for row in trail_rows(events):
            yield writer.writerow([spreadsheet_safe(value) for value in csv_row(row)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"audit-trail-{client_reference(client)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@require_recent_auth
def erase(request: HttpRequest, uuid: str) -> HttpResponse:
    """Erase a client for good, after typing their reference to confirm."""
    client = get_client_for_privacy_officer(request.user, uuid)
    reference = client_reference(client)
    form = EraseClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client_erase(
                client=client, by=request.user, confirmation=form.cleaned_data["reference"]
            )
        except DomainError as error:
            form.add_error("reference", str(error.message))
        else:
            messages.success(
                request,
                _("The client with reference %(reference)s has been erased.")
                % {"reference": reference},
            )
            return redirect("trajectories:privacy_clients")
    audit_record(actor=request.user, action=PrivacyAction.ERASE_VIEW, obj=client)
    context = {
        "client": client,
        "reference": reference,
        "form": form,
        "trajectories": client.trajectories.count(),
        "events": AuditEvent.objects.for_client(client).count(),
    }
    return render(request, "trajectories/privacy/erase.html", context)
