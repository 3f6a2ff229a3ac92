"""The organisation admin's pages of API tokens: list, make (the secret shown once), revoke."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliantiemonitor.api.forms import TokenCreateForm
from alliantiemonitor.api.models import ApiToken
from alliantiemonitor.api.services import token_create, token_revoke
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


@login_required
@require_GET
def token_list(request: HttpRequest, organisation_uuid: uuid.UUID) -> HttpResponse:
    """The organisation's tokens: name, scopes, binding, validity, last use, state."""
    organisation = _organisation(request, organisation_uuid, action=Action.API_TOKEN_LIST_VIEW)
    tokens = ApiToken.objects.for_organisation(organisation).select_related(
        "acting_for", "created_by"
    )
    return render(request, "api/tokens.html", {"organisation": organisation, "tokens": tokens})


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest, organisation_uuid: uuid.UUID) -> HttpResponse:
    """Make a token. The secret is in this one response and nowhere else."""
    organisation = _organisation(request, organisation_uuid)
    form = TokenCreateForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(
                organisation=organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                lifetime=dt.timedelta(days=form.cleaned_data["lifetime_days"]),
                acting_for=form.cleaned_data["acting_for"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "api/token_created.html",
                {"organisation": organisation, "token": token, "secret": secret},
            )
    return render(request, "api/token_new.html", {"organisation": organisation, "form": form})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_uuid: uuid.UUID) -> HttpResponse:
    """Revoke a token of an organisation the user administers (404 for anyone else)."""
    token = policy.get_for(
        request.user,
        Perm.ORGANISATION_CONFIGURE,
        ApiToken.objects.select_related("organisation"),
        token_uuid,
        through="organisation",
    )
    try:
        token_revoke(token=token, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token has been revoked. It no longer works."))
    return redirect(
        reverse("api_tokens:list", kwargs={"organisation_uuid": token.organisation.uuid})
    )
