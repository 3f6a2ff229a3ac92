"""The conversation summary as a PDF, printed by the professional for the client to take home."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.conversations.summary import summary_pdf
from alliantiemonitor.core.research.report_pdf import PdfUnavailable
from alliantiemonitor.measurements.access import get_round_for
from alliantiemonitor.measurements.services import round_answers_visible


@login_required
@require_GET
def summary(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The summary PDF once both sides may be seen; the joint view (waiting page) before."""
    round = get_round_for(request.user, uuid, action=Action.CONVERSATION_SUMMARY_PRINT)
    if not round_answers_visible(round):
        return redirect("conversations:joint", uuid=round.uuid)
    try:
        pdf = summary_pdf(round)
    except PdfUnavailable:
        messages.error(request, _("The summary cannot be made on this server right now."))
        return redirect("conversations:joint", uuid=round.uuid)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="gesprek-samenvatting.pdf"'
    return response
