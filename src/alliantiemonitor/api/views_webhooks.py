"""The organisation admin's pages of webhooks: list, make (secret shown once), test, switch off,
delete (each with a confirmation page)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliantiemonitor.api.constants import WEBHOOK_RECENT_DELIVERIES
from alliantiemonitor.api.forms import WebhookCreateForm
from alliantiemonitor.api.models import WebhookDelivery, WebhookEndpoint
from alliantiemonitor.api.services_webhooks import (
    webhook_create,
    webhook_deactivate,
    webhook_delete,
    webhook_test,
)
from alliantiemonitor.api.tasks import deliveries_send_after_commit
from alliantiemonitor.audit.constants import Action
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm


def _organisation(
    request: HttpRequest, organisation_uuid: uuid.UUID, action: str | None = None
) -> Organisation:
    return policy.get_for(
        request.user,
        Perm.ORGANISATION_CONFIGURE,
        Organisation.objects.all(),
        organisation_uuid,
        action=action,
    )


def _endpoint(request: HttpRequest, endpoint_uuid: uuid.UUID) -> WebhookEndpoint:
    return policy.get_for(
        request.user,
        Perm.ORGANISATION_CONFIGURE,
        WebhookEndpoint.objects.select_related("organisation"),
        endpoint_uuid,
        through="organisation",
    )


def _back(endpoint: WebhookEndpoint) -> HttpResponse:
    return redirect(
        reverse("api_webhooks:list", kwargs={"organisation_uuid": endpoint.organisation.uuid})
    )


@login_required
@require_http_methods(["GET"])
def webhook_list(request: HttpRequest, organisation_uuid: uuid.UUID) -> HttpResponse:
    """The organisation's endpoints, each with its latest deliveries and their state."""
    organisation = _organisation(request, organisation_uuid, action=Action.WEBHOOK_LIST_VIEW)
    recent = WebhookDelivery.objects.order_by("-created_at", "-pk")[:WEBHOOK_RECENT_DELIVERIES]
    endpoints = (
        WebhookEndpoint.objects.for_organisation(organisation)
        .select_related("created_by")
        .prefetch_related(Prefetch("deliveries", queryset=recent, to_attr="recent"))
    )
    return render(
        request, "api/webhooks.html", {"organisation": organisation, "endpoints": endpoints}
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_new(request: HttpRequest, organisation_uuid: uuid.UUID) -> HttpResponse:
    """Make an endpoint. The secret is in this one response and nowhere else to be read."""
    organisation = _organisation(request, organisation_uuid)
    form = WebhookCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhook_create(
                organisation=organisation,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "api/webhook_created.html",
                {"organisation": organisation, "endpoint": endpoint, "secret": secret},
            )
    return render(request, "api/webhook_new.html", {"organisation": organisation, "form": form})


def _confirmed(request: HttpRequest, endpoint_uuid: uuid.UUID, *, delete: bool) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_uuid)
    if request.method == "POST":
        try:
            if delete:
                webhook_delete(endpoint=endpoint, by=request.user)
            else:
                webhook_deactivate(endpoint=endpoint, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The webhook has been deleted.")
                if delete
                else _("The webhook has been switched off. Nothing more is sent to it."),
            )
        return _back(endpoint)
    return render(
        request,
        "api/webhook_confirm.html",
        {"organisation": endpoint.organisation, "endpoint": endpoint, "delete": delete},
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_deactivate_view(request: HttpRequest, endpoint_uuid: uuid.UUID) -> HttpResponse:
    """Ask, then switch an endpoint off (it stays in the list with its deliveries)."""
    return _confirmed(request, endpoint_uuid, delete=False)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete_view(request: HttpRequest, endpoint_uuid: uuid.UUID) -> HttpResponse:
    """Ask, then delete an endpoint with its deliveries."""
    return _confirmed(request, endpoint_uuid, delete=True)


@login_required
@require_POST
def webhook_test_view(request: HttpRequest, endpoint_uuid: uuid.UUID) -> HttpResponse:
    """Send a test event to an endpoint (through the worker, like every event)."""
    endpoint = _endpoint(request, endpoint_uuid)
    try:
        delivery = webhook_test(endpoint=endpoint, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        deliveries_send_after_commit([delivery.uuid])
        messages.success(
            request,
            _("A test event is on its way. Its state appears in the list within a minute."),
        )
    return _back(endpoint)
