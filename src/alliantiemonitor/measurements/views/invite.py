"""The professional's round page and the three ways to invite the client.

The client's answers never appear here: the page says *whether* and *when* each party
finished, and links to the joint view once the blind rule allows it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.measurements.access import get_round_for
from alliantiemonitor.measurements.client_session import (
    client_session_start,
    handover_lock_start,
)
from alliantiemonitor.measurements.constants import (
    CODE_LIFETIME,
    InvitationKind,
    Rater,
    ResponseMode,
    RoundState,
)
from alliantiemonitor.measurements.exceptions import InvitationNotAllowed
from alliantiemonitor.measurements.models import Invitation, MeasurementRound
from alliantiemonitor.measurements.paper import paper_language_options
from alliantiemonitor.measurements.presentation import (
    VIEW_CARDS,
    VIEW_LIST,
    VIEW_PARAM,
    presentation_remember,
)
from alliantiemonitor.measurements.services import (
    client_draft_on_own_device,
    invitation_create,
    invitation_revoke,
    round_answers_visible,
    round_results_open_to_client,
)
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.trajectories.access import parse_uuid

try:  # pragma: no cover - depends on the installation
    import segno
except ImportError:  # pragma: no cover
    segno = None


def _state_explanation(state: str) -> str:
    return {
        RoundState.OPEN: _("Neither you nor the client has sent answers yet."),
        RoundState.CLIENT_DONE: _("The client has sent their answers; your side is still open."),
        RoundState.PROFESSIONAL_DONE: _("You have sent your answers; waiting for the client."),
        RoundState.BOTH_DONE: _("You can now discuss the answers together in the joint view."),
        RoundState.DISCUSSED: _("You have discussed the answers together."),
        RoundState.CLOSED: _("This round is closed."),
        RoundState.EXPIRED: _("This round expired before both sides were sent."),
        RoundState.CANCELLED: _("This round was cancelled."),
    }.get(state, "")


def _submitted(round: MeasurementRound) -> dict[str, Any]:
    """When each side was sent; only timestamps are read, never answers."""
    rows = round.responses.current().submitted().values_list("rater", "submitted_at")
    return dict(rows)


def _client_may_be_invited(round: MeasurementRound, submitted: dict[str, Any]) -> bool:
    return round.is_collecting and Rater.CLIENT not in submitted


@require_GET
@login_required
def round_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """Show one round: its state, who is done, the invite panel and the way on."""
    measurement_round = get_round_for(request.user, uuid, action=Action.ROUND_VIEW)
    submitted = _submitted(measurement_round)
    invitations = (
        measurement_round.invitations.usable().to_fill().order_by("expires_at", "pk")
        if _client_may_be_invited(measurement_round, submitted)
        else Invitation.objects.none()
    )
    context = {
        "round": measurement_round,
        "trajectory": measurement_round.trajectory,
        "client": measurement_round.trajectory.client,
        "state_explanation": _state_explanation(measurement_round.state),
        "client_submitted_at": submitted.get(Rater.CLIENT),
        "professional_submitted_at": submitted.get(Rater.PROFESSIONAL),
        "can_fill": measurement_round.is_collecting and Rater.PROFESSIONAL not in submitted,
        "can_invite": _client_may_be_invited(measurement_round, submitted),
        "invitations": invitations,
        "joint_available": round_answers_visible(measurement_round),
        "can_invite_read_back": round_results_open_to_client(measurement_round),
        "read_back_invitations": measurement_round.invitations.usable()
        .to_read_back()
        .order_by("expires_at", "pk"),
        "paper_languages": paper_language_options(measurement_round),
    }
    return render(request, "measurements/invite/round_detail.html", context)


def _invite_refused(request: HttpRequest, measurement_round: MeasurementRound, exc: DomainError):
    messages.error(request, exc.message)
    return redirect("measurements:round_detail", uuid=measurement_round.uuid)


#: How long the page of a new link or code can be shown again in the browser that made it
#: (a reload, a language switch, back from another tab); after that only a new one helps.
SECRET_SHOWN_FOR = dt.timedelta(minutes=30)
#: Name of the cookie that carries a new secret to the page that shows it.
INVITATION_COOKIE = "am_invitation"


def _invitation_page_url(invitation: Invitation) -> str:
    return reverse(
        "measurements:invitation_show",
        kwargs={"uuid": invitation.round.uuid, "invitation": invitation.uuid},
    )


def _secret_salt(invitation: Invitation, user: Any) -> str:
    # Bound to one invitation and one user: a cookie from another user on a shared computer,
    # or copied onto another invitation's page, does not verify.
    return f"alliantiemonitor.invitation-show:{invitation.uuid}:{user.pk}"


def _secret_hand_over(request: HttpRequest, invitation: Invitation, secret: str) -> HttpResponse:
    """Redirect to the page that shows ``secret``, carrying it in a short-lived cookie.

    The database keeps only a hash of the secret, and the session lives in the database, so
    the secret travels in a signed cookie of this browser instead: limited to the one page
    that shows it, sent to no other site, gone after :data:`SECRET_SHOWN_FOR`. The page can
    then be reloaded or shown in another language without making a new invitation.
    """
    page = _invitation_page_url(invitation)
    response = redirect(page)
    response.set_signed_cookie(
        INVITATION_COOKIE,
        secret,
        salt=_secret_salt(invitation, request.user),
        max_age=int(SECRET_SHOWN_FOR.total_seconds()),
        path=page,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _secret_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, template, context)
    # Keep the secret out of every cache and out of the browser's stored pages.
    response["Cache-Control"] = "no-store, private"
    return response


def qr_data_uri(text: str) -> str | None:
    """An SVG QR code for ``text`` as a data URI, or ``None`` when segno is not installed."""
    if segno is None:
        return None
    return segno.make(text, error="m").svg_data_uri(scale=6, border=4)


@require_POST
@login_required
@never_cache
def invite_link(request: HttpRequest, uuid: str) -> HttpResponse:
    """Make a personal link for the client and show it (with a QR code) once."""
    measurement_round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    try:
        invitation, secret = invitation_create(
            round=measurement_round, kind=InvitationKind.LINK, by=request.user
        )
    except DomainError as exc:
        return _invite_refused(request, measurement_round, exc)
    return _secret_hand_over(request, invitation, secret)


@require_POST
@login_required
@never_cache
def invite_code(request: HttpRequest, uuid: str) -> HttpResponse:
    """Make a short code for the client to type in now, and show it large."""
    measurement_round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    try:
        invitation, code = invitation_create(
            round=measurement_round, kind=InvitationKind.CODE, by=request.user
        )
    except DomainError as exc:
        return _invite_refused(request, measurement_round, exc)
    return _secret_hand_over(request, invitation, code)


@require_GET
@login_required
@never_cache
def invitation_show(request: HttpRequest, uuid: str, invitation: str) -> HttpResponse:
    """Show a new link (with QR code) or short code in the browser that just made it."""
    measurement_round = get_round_for(request.user, uuid)
    found = measurement_round.invitations.usable().filter(uuid=parse_uuid(invitation)).first()
    secret = None
    if found is not None:
        secret = request.get_signed_cookie(
            INVITATION_COOKIE,
            default=None,
            salt=_secret_salt(found, request.user),
            max_age=SECRET_SHOWN_FOR,
        )
    if found is None or secret is None:
        messages.info(
            request,
            _(
                "That link or code is no longer shown: it is shown only for a short while, "
                "in the browser that made it. Make a new one if the client still needs it."
            ),
        )
        return redirect("measurements:round_detail", uuid=measurement_round.uuid)
    audit_record(actor=request.user, action=Action.INVITATION_VIEW, obj=found)
    context: dict[str, Any] = {
        "round": measurement_round,
        "client": measurement_round.trajectory.client,
        "invitation": found,
        "shown_minutes": int(SECRET_SHOWN_FOR / dt.timedelta(minutes=1)),
    }
    if found.kind == InvitationKind.LINK:
        url = request.build_absolute_uri(reverse("client:link", kwargs={"token": secret}))
        context |= {"url": url, "qr": qr_data_uri(url)}
        return _secret_page(request, "measurements/invite/link_created.html", context)
    context |= {
        "code_groups": [secret[:4], secret[4:]],
        "entry_url": request.build_absolute_uri(reverse("client:code")),
        "minutes": int(CODE_LIFETIME / dt.timedelta(minutes=1)),
    }
    return _secret_page(request, "measurements/invite/code_created.html", context)


@require_POST
@login_required
def hand_over_device(request: HttpRequest, uuid: str) -> HttpResponse:
    """Turn this browser into the client's screen for this round, locked until hand-back."""
    measurement_round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    if not _client_may_be_invited(measurement_round, _submitted(measurement_round)):
        return _invite_refused(request, measurement_round, InvitationNotAllowed())
    if client_draft_on_own_device(measurement_round):
        # The questionnaire resumes with the saved answers: on the professional's own logged-in
        # device that would show them the client's answers before both are done.
        messages.error(
            request,
            _(
                "The client has already started on their own device. Let them finish there: "
                "their answers so far stay theirs until both of you have sent your side."
            ),
        )
        return redirect("measurements:round_detail", uuid=measurement_round.uuid)
    # A new session key: nothing from before the hand-over can be replayed by the client.
    request.session.cycle_key()
    # A device that is handed over forgets the login when its browser closes, also after the
    # hand-back (a closed browser must not reopen on the professional's pages).
    request.session.set_expiry(0)
    client_session_start(request, round=measurement_round, mode=ResponseMode.HANDED_OVER_DEVICE)
    handover_lock_start(request, round=measurement_round, user=request.user)
    # "Hand over as a card game": the client's pages open in the card game.
    # Always set: a plain hand-over after a card-game one opens the list again.
    word = VIEW_CARDS if request.POST.get(VIEW_PARAM) == VIEW_CARDS else VIEW_LIST
    presentation_remember(request, rater=Rater.CLIENT, word=word)
    audit_record(actor=request.user, action=Action.ROUND_HAND_OVER_DEVICE, obj=measurement_round)
    return redirect("client:start")


@require_POST
@login_required
def revoke(request: HttpRequest, uuid: str, invitation: str) -> HttpResponse:
    """Revoke one invitation of this round: its link or code stops working at once."""
    measurement_round = get_round_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    found = measurement_round.invitations.filter(uuid=parse_uuid(invitation)).first()
    if found is None:
        raise Http404
    invitation_revoke(invitation=found, by=request.user)
    messages.success(request, _("The invitation no longer works."))
    return redirect("measurements:round_detail", uuid=measurement_round.uuid)
