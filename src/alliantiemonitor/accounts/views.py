"""Account pages of staff: logging in and out (also through single sign-on), the password."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from alliantiemonitor.accounts.constants import SSO_SESSION_KEY, SsoRefusal
from alliantiemonitor.accounts.forms import PasswordChangeForm
from alliantiemonitor.accounts.services import SsoRefused, sso_login_record, sso_refusal_record
from alliantiemonitor.accounts.sso import sso_enabled, sso_logout_url, sso_provider_name

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    """The password form, with the identity provider's button next to it when SSO is on."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if sso_enabled():
            query = {"next": context["next"]} if context.get("next") else {}
            context["sso_provider_name"] = sso_provider_name()
            context["sso_login_url"] = reverse("sso_login") + (
                f"?{urlencode(query)}" if query else ""
            )
        return context


class LogoutView(auth_views.LogoutView):
    """Log out here and, for a single sign-on session, at the provider too (if it offers it)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_logout = sso_logout_url(request)  # before the logout empties the session
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_logout) if provider_logout else response


class SsoLoginView(OIDCAuthenticationRequestView):
    """Send the browser to the identity provider (state, nonce and PKCE kept in the session)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


#: HTTP status of the refusal page per reason: the account's state, the answer, the provider.
_REFUSAL_STATUS = {
    SsoRefusal.INVALID: 400,
    SsoRefusal.PROVIDER_ERROR: 400,
    SsoRefusal.UNREACHABLE: 502,
}


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: log in, or say clearly why not.

    Every outcome is audited. Nothing the provider sends leads to a server error: a failed
    check, an expired or forged token or an unreachable provider get the refusal page.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        try:
            return super().get(request)
        except SsoRefused as refusal:
            return self._refuse(refusal.reason, user=refusal.user)
        except requests.RequestException as exc:
            logger.warning("Single sign-on: the provider could not be used: %s", exc)
            return self._refuse(SsoRefusal.UNREACHABLE)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
            # A forged, replayed or expired answer, or one for another client or provider.
            logger.warning("Single sign-on: the provider's answer was refused: %r", exc)
            return self._refuse(SsoRefusal.INVALID)

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error"):
            return self._refuse(SsoRefusal.PROVIDER_ERROR)
        return self._refuse(SsoRefusal.INVALID)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        self.request.session[SSO_SESSION_KEY] = True
        sso_login_record(
            user=self.user,
            issuer=settings.OIDC_OP_ISSUER,
            subject=getattr(self.request, "sso_subject", ""),
        )
        return response

    def _refuse(self, reason: SsoRefusal, *, user: Any = None) -> HttpResponse:
        sso_refusal_record(reason=reason, issuer=settings.OIDC_OP_ISSUER, user=user)
        return render(
            self.request,
            "accounts/sso_refused.html",
            {"reason": reason.value, "provider_name": sso_provider_name()},
            status=_REFUSAL_STATUS.get(reason, 403),
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; also the page a forced change sends the user to.

    Saving goes through ``User.set_password``, which clears the forced-change flag (the user
    acts on their own account) and is audited at model level.
    """

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
