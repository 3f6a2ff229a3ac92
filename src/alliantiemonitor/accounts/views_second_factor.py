"""The second step of a staff login: the code, the set-up of the app, the recovery codes.

Wrong codes count as failed logins for django-axes (per user name and address, as the login
page), so a guesser is blocked after ``AXES_FAILURE_LIMIT`` wrong codes wherever they typed
them; django-otp's throttling on the device slows every further try down exponentially, also
across new logins with the password.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device

from alliantiemonitor.accounts.forms import EnrolForm, SecondFactorForm
from alliantiemonitor.accounts.middleware import second_factor_satisfied
from alliantiemonitor.accounts.second_factor import (
    CodeCheck,
    app_device_confirm,
    app_device_for_enrolment,
    has_second_factor,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_check,
)
from alliantiemonitor.common.reauth import full_authentication_record, require_recent_auth

#: Recovery codes waiting to be shown once (and downloaded) after enrolment or renewal.
RECOVERY_CODES_KEY = "alliantiemonitor.recovery_codes"


def next_url(request: HttpRequest) -> str:
    """The safe ``next`` address of the request (home if none or another site's).

    Only a path on this site counts: anything else (``redirect`` would take a bare word for a
    view name and fail) sends the user home.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url(request)})


def _axes_credentials(user: Any) -> dict[str, str]:
    return {"username": user.get_username()}


def axes_locked(request: HttpRequest, user: Any) -> bool:
    """Whether the login of ``user`` is blocked at this address; if so, axes answers.

    Axes' middleware (``AXES_LOCKOUT_CALLABLE``) replaces whatever the view returns with the
    translated lockout page (429).
    """
    credentials = _axes_credentials(user)
    if AxesProxyHandler.is_locked(request, credentials):
        request.axes_locked_out = True  # type: ignore[attr-defined]
        request.axes_credentials = credentials  # type: ignore[attr-defined]
        return True
    return False


def code_refused(request: HttpRequest, user: Any, form: Any, check: CodeCheck) -> None:
    """Put why ``check`` refused the code on ``form``; a wrong code is a failed login."""
    if check.wait_until is not None:
        wait = max(1, int((check.wait_until - timezone.now()).total_seconds()) + 1)
        form.add_error(
            "code",
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second and try again.",
                "Too many wrong codes. Wait %(seconds)d seconds and try again.",
                wait,
            )
            % {"seconds": wait}
            if wait < 120
            else _("Too many wrong codes. Try again after %(time)s.")
            % {"time": formats.time_format(timezone.localtime(check.wait_until))},
        )
        return
    user_login_failed.send(sender=__name__, credentials=_axes_credentials(user), request=request)
    form.add_error("code", _("This code is not right. Check the app and type the code again."))


def code_accepted(request: HttpRequest, check: CodeCheck) -> None:
    """Mark the session verified by ``check.device`` and tell about a used recovery code."""
    device: Device = check.device  # type: ignore[assignment]
    otp_login(request, device)
    full_authentication_record(request)
    if check.recovery:
        messages.warning(
            request,
            ngettext(
                "You used a recovery code. %(count)d recovery code is left.",
                "You used a recovery code. %(count)d recovery codes are left.",
                check.recovery_left,
            )
            % {"count": check.recovery_left},
        )


def code_try(request: HttpRequest, user: Any, form: Any, code: str) -> bool:
    """Check ``code``: mark the session verified, or put why not on ``form``."""
    check = second_factor_check(user=user, code=code)
    if check.device is None:
        code_refused(request, user, form, check)
        return False
    code_accepted(request, check)
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the authenticator app (or a recovery code) after the password."""
    user: Any = request.user
    if second_factor_satisfied(request):
        return redirect(next_url(request))
    if not has_second_factor(user):
        return redirect(_with_next("second_factor_enrol", request))
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if axes_locked(request, user):
            return HttpResponse(status=429)
        if form.is_valid() and code_try(request, user, form, form.cleaned_data["code"]):
            return redirect(next_url(request))
        status = 400
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": next_url(request)},
        status=status,
    )


def _qr_svg(data: str) -> str:
    """The QR code of ``data`` as inline SVG (no script, no external image)."""
    return segno.make(data, error="m").svg_inline(
        scale=5,
        dark="#000",
        light="#fff",
        title=_("QR code to scan with the app"),
        svgclass=None,
        # A viewBox instead of a fixed size: the style sheet sizes it without cutting it off.
        omitsize=True,
    )


def _secret_groups(device: Any) -> str:
    """The secret in base32, in groups of four, for typing it into the app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the QR code (or type the secret), confirm a code."""
    user: Any = request.user
    if has_second_factor(user):
        return redirect(_with_next("second_factor_verify", request))
    device = app_device_for_enrolment(user=user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if axes_locked(request, user):
            return HttpResponse(status=429)
        if form.is_valid():
            codes = app_device_confirm(user=user, device=device, code=form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                code_accepted(request, CodeCheck(device=device))
                request.session[RECOVERY_CODES_KEY] = codes
                messages.success(request, _("Your authenticator app is set up."))
                return redirect(_with_next("second_factor_recovery_codes", request))
            device.refresh_from_db()
            allowed, data = device.verify_is_allowed()
            check = CodeCheck(wait_until=None if allowed else (data or {}).get("locked_until"))
            code_refused(request, user, form, check)
        status = 400
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "next": next_url(request),
            "qr_svg": _qr_svg(device.config_url),
            "secret": _secret_groups(device),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show new recovery codes once; posting confirms they are kept and forgets them.

    Without new codes on show, the page says how many are left and offers new ones.
    """
    codes = request.session.get(RECOVERY_CODES_KEY)
    if request.method == "POST":
        request.session.pop(RECOVERY_CODES_KEY, None)
        return redirect(next_url(request))
    return render(
        request,
        "accounts/second_factor_recovery_codes.html",
        {"codes": codes, "left": recovery_codes_left(request.user), "next": next_url(request)},
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def second_factor_recovery_codes_download(request: HttpRequest) -> HttpResponse:
    """The recovery codes still on show, as a text file to print or store."""
    codes = request.session.get(RECOVERY_CODES_KEY)
    if not codes:
        return redirect("second_factor_recovery_codes")
    lines = [
        _("Alliantiemonitor recovery codes for %(user)s") % {"user": request.user.get_username()},
        _("Each code works once, instead of the code from your authenticator app."),
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alliantiemonitor-herstelcodes.txt"'
    return response


@never_cache
@login_required
@require_POST
@require_recent_auth
def second_factor_recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes with new ones (the old ones stop working)."""
    if not has_second_factor(request.user):
        return redirect("second_factor_enrol")
    request.session[RECOVERY_CODES_KEY] = recovery_codes_renew(user=request.user)
    return redirect("second_factor_recovery_codes")
