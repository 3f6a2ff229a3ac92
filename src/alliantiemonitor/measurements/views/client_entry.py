"""How a client without an account gets in (link, code), reads back, and hands the device back.

A refused link or code gets one friendly page whatever the reason, so a guesser learns
nothing; refusals are counted per address in the database and a busy address is turned away
before its secret is even looked at.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.measurements import ratelimit
from alliantiemonitor.measurements.client_session import (
    client_session_end,
    client_session_start,
    handover_lock_end,
    handover_lock_get,
)
from alliantiemonitor.measurements.constants import InvitationKind, Rater, ResponseMode
from alliantiemonitor.measurements.exceptions import InvalidInvitation
from alliantiemonitor.measurements.models import Invitation, MeasurementRound
from alliantiemonitor.measurements.services import invitation_resolve
from alliantiemonitor.measurements.services._common import submitted_raters
from alliantiemonitor.measurements.services.invitations import round_results_open_to_client
from alliantiemonitor.measurements.views.guard import client_page

logger = logging.getLogger(__name__)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Type the code you got from your professional"),
        help_text=gettext_lazy("8 letters and numbers, for example ACDE 3469."),
        max_length=20,
        error_messages={"required": gettext_lazy("Type the code first.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "am-code-input",
            }
        ),
    )


class HandBackForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password (professional)"),
        strip=False,
        error_messages={"required": gettext_lazy("Type your password.")},
        # "new-password": a browser must not fill in the professional's saved password for
        # whoever holds the device.
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def invalid_page(request: HttpRequest, *, status: int) -> HttpResponse:
    """The client page for a link, code or session that does not (or no longer) work."""
    return render(request, "measurements/client/invalid.html", status=status)


def _too_many(request: HttpRequest) -> HttpResponse:
    logger.warning("client entry refused: too many attempts from one address")
    minutes = int(ratelimit.ENTRY.window.total_seconds() // 60)
    response = render(
        request, "measurements/client/too_many.html", {"minutes": minutes}, status=429
    )
    response["Retry-After"] = str(int(ratelimit.ENTRY.window.total_seconds()))
    return response


def _refused(request: HttpRequest, exc: InvalidInvitation, *, via: str) -> None:
    """Record a refused link or code; the secret itself is never written down.

    The attempt was already counted for this address (a code before it was looked at, see
    :func:`code`); a wave across many addresses is reported to the system admin.
    """
    logger.info("client entry refused via %s: %s", via, exc.reason)
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.INVITATION_REFUSE,
        detail={"via": via, "reason": exc.reason},
    )
    ratelimit.wave_report(ratelimit.ENTRY)


def _enter(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """Start the client session for ``invitation`` and send the client on (PRG)."""
    # A fresh session key on entry: a session id planted before cannot ride along.
    request.session.cycle_key()
    client_session_start(
        request, round=invitation.round, invitation=invitation, mode=ResponseMode.OWN_DEVICE
    )
    return redirect(client_next_page(invitation.round))


def client_next_page(measurement_round: MeasurementRound) -> str:
    """Where a client of ``measurement_round`` goes on: the results, done, or the start."""
    if round_results_open_to_client(measurement_round):
        return "client:results"
    if Rater.CLIENT in submitted_raters(measurement_round):
        return "client:done"
    return "client:start"


@require_GET
@never_cache
@client_page
def link(request: HttpRequest, token: str) -> HttpResponse:
    """Open a personal link: start the client session and move on without the token.

    Only a link's token opens here, never a short code: a code has few possibilities and is
    only looked at behind the rate limit of the code form. A token is long and random: it
    cannot be guessed, so a valid one always opens, also from an address that mistyped codes
    before (clients share an office's internet address). Wrong links count towards the block,
    and a blocked address gets no hint whether a wrong link was close.
    """
    try:
        invitation = invitation_resolve(
            secret=token, kind=InvitationKind.LINK, allow_read_back=True
        )
    except InvalidInvitation as exc:
        key = ratelimit.address_key(request)
        if ratelimit.attempt_reserve(key, scope=ratelimit.ENTRY) is None:
            return _too_many(request)
        _refused(request, exc, via="link")
        return invalid_page(request, status=404)
    return _enter(request, invitation)


@require_http_methods(["GET", "POST"])
@never_cache
@client_page
def code(request: HttpRequest) -> HttpResponse:
    """The entry page for a short code typed in during a conversation.

    The address's attempt is counted (under a row lock) *before* the code is looked at, so
    parallel guesses from one address never check more codes than the limit; a right code
    gives its attempt back.
    """
    if request.method == "GET":
        return render(request, "measurements/client/code.html", {"form": CodeForm()})
    form = CodeForm(request.POST)
    if not form.is_valid():
        return render(request, "measurements/client/code.html", {"form": form}, status=400)
    attempt = ratelimit.attempt_reserve(ratelimit.address_key(request), scope=ratelimit.ENTRY)
    if attempt is None:
        return _too_many(request)
    try:
        invitation = invitation_resolve(
            secret=form.cleaned_data["code"], kind=InvitationKind.CODE, allow_read_back=True
        )
    except InvalidInvitation as exc:
        _refused(request, exc, via="code")
        # The same words for every reason; a fresh, empty form to try again.
        return render(
            request,
            "measurements/client/code.html",
            {"form": CodeForm(), "refused": True},
            status=400,
        )
    ratelimit.attempt_release(attempt)
    return _enter(request, invitation)


@require_http_methods(["GET", "POST"])
@never_cache
def hand_back(request: HttpRequest) -> HttpResponse:
    """The professional takes the device back with their password; until then it stays locked.

    The password is checked as a login of the same user (``authenticate`` and ``login``), so
    the login's lockout policy (django-axes, per user name and address) is the only one: a
    wrong password here counts as a failed login, a user locked out at the login page cannot
    guess here, and a good password resets the count as a login does.
    """
    lock = handover_lock_get(request)
    if lock is None:
        return redirect("home")
    user: Any = request.user
    if not user.is_authenticated or user.pk != lock.user_id:
        # The professional's login is gone (or is not the one that handed over): end
        # everything, so whoever holds the device must log in to see any staff page.
        client_session_end(request)
        handover_lock_end(request)
        logout(request)
        return redirect(settings.LOGIN_URL)
    form = HandBackForm(request.POST or None)
    if request.method != "POST":
        return render(request, "measurements/client/return.html", {"form": form})
    if not form.is_valid():
        return render(request, "measurements/client/return.html", {"form": form}, status=400)
    returning = authenticate(
        request, username=user.get_username(), password=form.cleaned_data["password"]
    )
    if getattr(request, "axes_locked_out", False):
        # Axes' middleware keeps this page as the answer (see web.views.locked_out).
        return render(
            request,
            "measurements/client/return.html",
            {"form": HandBackForm(), "too_many": True},
            status=429,
        )
    if returning is None or returning.pk != user.pk:
        logger.info("hand-back refused: wrong password")
        return render(
            request,
            "measurements/client/return.html",
            {"form": HandBackForm(), "wrong": True},
            status=400,
        )
    client_session_end(request)
    handover_lock_end(request)
    # The same user again: Django keeps the session (with a new key) and axes resets the count.
    login(request, returning)
    audit_record(
        actor=user,
        action=Action.ROUND_HAND_BACK,
        obj=MeasurementRound.objects.filter(uuid=lock.round).first(),
    )
    messages.success(request, _("Welcome back. The client's screen is closed."))
    return redirect("measurements:round_detail", uuid=lock.round)
