"""Re-authentication before a sensitive action (see ``common.reauth.require_recent_auth``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from alliantiemonitor.accounts.constants import SSO_SESSION_KEY
from alliantiemonitor.accounts.forms import ReauthenticateForm
from alliantiemonitor.accounts.second_factor import has_second_factor
from alliantiemonitor.accounts.views_second_factor import axes_locked, code_try, next_url
from alliantiemonitor.common.reauth import full_authentication_record


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Ask for the password and the second factor again, then go on to ``next``.

    Wrong passwords and codes count as failed logins (django-axes), as at the login page.
    A single sign-on session has no password here: only the identity provider can check the
    user again, so the user signs in anew.
    """
    user: Any = request.user
    if request.session.get(SSO_SESSION_KEY) is True:
        logout(request)
        return redirect_to_login(next_url(request))
    ask_code = settings.ALLIANTIEMONITOR_REQUIRE_2FA and has_second_factor(user)
    form = ReauthenticateForm(request.POST or None, ask_code=ask_code)
    status = 200
    if request.method == "POST":
        if axes_locked(request, user):
            return HttpResponse(status=429)
        if form.is_valid():
            checked = authenticate(
                request, username=user.get_username(), password=form.cleaned_data["password"]
            )
            if getattr(request, "axes_locked_out", False):
                return HttpResponse(status=429)
            if checked is None or checked.pk != user.pk:
                form.add_error("password", _("This password is not right."))
            elif not ask_code:
                full_authentication_record(request)
                return redirect(next_url(request))
            elif code_try(request, user, form, form.cleaned_data["code"]):
                return redirect(next_url(request))
        status = 400
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": next_url(request)},
        status=status,
    )
