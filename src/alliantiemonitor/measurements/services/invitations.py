"""Invitations that let a client without an account reach their response."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import InvalidInput, clean_choice, clean_text, clean_timedelta
from alliantiemonitor.measurements.constants import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_LIFETIME,
    FINAL_STATES,
    LINK_LIFETIME,
    READ_BACK_LINK_LIFETIME,
    InvitationKind,
    InvitationPurpose,
    Rater,
    RoundState,
)
from alliantiemonitor.measurements.exceptions import InvalidInvitation, InvitationNotAllowed
from alliantiemonitor.measurements.models import Invitation, MeasurementRound
from alliantiemonitor.measurements.services._common import lock_round, submitted_raters
from alliantiemonitor.measurements.services.visibility import round_answers_visible

#: How long after it was made a personal link still opens the results of a discussed round
#: (its fill-in window is :data:`LINK_LIFETIME`): the client reads back what was agreed.
LINK_READ_BACK_LIFETIME = dt.timedelta(days=180)

#: The shortest and longest ``lifetime`` a caller may give an invitation. Five minutes is
#: the least in which a client can type a code; 180 days is the longest default (a link to
#: read back results). Beyond it a secret lives on long after anyone needs it.
MIN_LIFETIME = dt.timedelta(minutes=5)
MAX_LIFETIME = READ_BACK_LINK_LIFETIME


def round_results_open_to_client(round: MeasurementRound) -> bool:
    """Whether the client may read back the results of ``round``: once it was discussed, or
    closed with answers that the blind rule lets both parties see."""
    if round.state == RoundState.DISCUSSED:
        return True
    return round.state == RoundState.CLOSED and round_answers_visible(round)


def invitation_allows_read_back(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """Whether ``invitation`` (past its fill-in window or not) may still open the results.

    A personal link made to fill in does, within :data:`LINK_READ_BACK_LIFETIME` of its making
    (a short code to fill in is for the moment itself); an invitation made to read back does
    until it expires. Never when revoked, and only for results the client may read
    (:func:`round_results_open_to_client`).
    """
    now = now or timezone.now()
    if invitation.revoked_at is not None or not round_results_open_to_client(invitation.round):
        return False
    if invitation.purpose == InvitationPurpose.READ_BACK:
        return invitation.expires_at > now
    return (
        invitation.kind == InvitationKind.LINK
        and invitation.created_at + LINK_READ_BACK_LIFETIME > now
    )


def secret_hash(secret: str) -> str:
    """A keyed hash of an invitation secret: what the database stores instead of the secret.

    Keyed with SECRET_KEY, because a short code has few possibilities: a plain hash in a
    leaked database could be reversed by trying them all. Rotating SECRET_KEY ends all
    outstanding invitations, which is the safe outcome.
    """
    return salted_hmac(
        "alliantiemonitor.invitation", secret.encode("utf-8"), algorithm="sha256"
    ).hexdigest()


def _normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def invitation_create(
    *,
    round: MeasurementRound,
    kind: str,
    by: Any,
    lifetime: dt.timedelta | None = None,
) -> tuple[Invitation, str]:
    """Make an invitation for the client's side of ``round``; return it with its secret.

    A ``link`` carries a long random token (for a URL or QR code, valid 14 days by default);
    a ``code`` is 8 characters from an unambiguous alphabet to type in during a session
    (valid 30 minutes by default). Only a SHA-256 hash of the secret is stored: show the
    secret now, it cannot be recovered later. Raises :class:`InvitationNotAllowed` when the
    round no longer collects answers or the client has already submitted, and
    :class:`InvalidInput` for a ``lifetime`` that is not a duration from :data:`MIN_LIFETIME`
    to :data:`MAX_LIFETIME`.
    """
    if not isinstance(kind, str) or kind not in InvitationKind.values:
        raise InvitationNotAllowed(kind=kind)
    if lifetime is not None:
        lifetime = clean_timedelta(
            lifetime, field=_("Validity"), minimum=MIN_LIFETIME, maximum=MAX_LIFETIME
        )
    round = lock_round(round)
    if round.is_collecting and Rater.CLIENT not in submitted_raters(round):
        purpose = InvitationPurpose.FILL
    elif round_results_open_to_client(round):
        purpose = InvitationPurpose.READ_BACK
    else:
        raise InvitationNotAllowed(state=round.state)
    now = timezone.now()
    invitation = Invitation(round=round, kind=kind, purpose=purpose, created_by=by)
    if kind == InvitationKind.LINK:
        secret = secrets.token_urlsafe(32)
        invitation.token_hash = secret_hash(secret)
        default = LINK_LIFETIME if purpose == InvitationPurpose.FILL else READ_BACK_LINK_LIFETIME
        invitation.expires_at = now + (lifetime or default)
    else:
        # 25**8 codes: a collision with a stored one is rare, but then draw again.
        secret = _new_code()
        while Invitation.objects.filter(code_hash=secret_hash(secret)).exists():
            secret = _new_code()  # pragma: no cover
        invitation.code_hash = secret_hash(secret)
        invitation.expires_at = now + (lifetime or CODE_LIFETIME)
    invitation.save()
    audit_record(
        actor=by,
        action=Action.INVITATION_CREATE,
        obj=invitation,
        detail={"kind": kind, "purpose": purpose, "expires_at": invitation.expires_at},
    )
    return invitation, secret


@transaction.atomic
def invitation_resolve(
    *,
    secret: str,
    kind: str,
    now: dt.datetime | None = None,
    allow_read_back: bool = False,
) -> Invitation:
    """The invitation of ``kind`` that ``secret`` (a link token or a typed code) opens.

    Each secret opens only through its own route: a short code only when typed in (``kind``
    ``code``, where the rate limit applies before it is looked at), a link's token only as a
    link.

    With ``allow_read_back`` a personal link past its fill-in window, or of a round that was
    closed after its answers became visible, still opens when the client may read back the
    results (:func:`invitation_allows_read_back`); the caller then shows only the results.

    Raises :class:`InvalidInvitation` with ``reason`` ``unknown``, ``expired``, ``revoked`` or
    ``round_closed`` (closed, expired or cancelled round). A successful use is recorded in
    ``last_used_at`` and in the audit log. Rate limiting belongs to the view.

    A ``secret`` that is not text (or holds what no secret holds) is simply ``unknown``;
    a ``kind`` that is neither ``link`` nor ``code`` raises :class:`InvalidInput`.
    """
    kind = clean_choice(kind, InvitationKind.values, field=_("Kind of invitation"))
    now = now or timezone.now()
    try:
        secret = clean_text("" if secret is None else secret, field=_("Code"), max_length=200)
    except InvalidInput:
        secret = ""
    if not secret:
        raise InvalidInvitation(InvalidInvitation.UNKNOWN)
    invitations = Invitation.objects.select_related("round__trajectory__client")
    if kind == InvitationKind.LINK:
        invitation = invitations.filter(token_hash=secret_hash(secret)).first()
    elif kind == InvitationKind.CODE:
        invitation = invitations.filter(code_hash=secret_hash(_normalise_code(secret))).first()
    else:  # pragma: no cover - clean_choice allows the two kinds only
        raise AssertionError(kind)
    if invitation is None:
        raise InvalidInvitation(InvalidInvitation.UNKNOWN)
    if invitation.revoked_at is not None:
        raise InvalidInvitation(InvalidInvitation.REVOKED)
    read_back = allow_read_back and invitation_allows_read_back(invitation, now)
    if invitation.purpose == InvitationPurpose.READ_BACK and not read_back:
        raise InvalidInvitation(
            InvalidInvitation.EXPIRED
            if invitation.expires_at <= now
            else InvalidInvitation.ROUND_CLOSED
        )
    if invitation.expires_at <= now and not read_back:
        raise InvalidInvitation(InvalidInvitation.EXPIRED)
    if invitation.round.state in FINAL_STATES and not read_back:
        raise InvalidInvitation(InvalidInvitation.ROUND_CLOSED)
    invitation.last_used_at = now
    invitation.save(update_fields=["last_used_at"])
    audit_record(
        actor=None, actor_kind=ActorKind.CLIENT, action=Action.INVITATION_USE, obj=invitation
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Any, reason: str = "manual") -> Invitation:
    """Revoke ``invitation`` so its secret no longer opens anything (idempotent)."""
    reason = clean_text(reason, field=_("Reason"), max_length=200)
    invitation.refresh_from_db(from_queryset=Invitation.objects.select_for_update())
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=by, action=Action.INVITATION_REVOKE, obj=invitation, detail={"reason": reason}
        )
    return invitation


@transaction.atomic
def invitations_revoke_for_round(*, round: MeasurementRound, by: Any, reason: str) -> int:
    """Revoke every invitation of ``round`` that still opens anything; return how many.

    Used when the professional changes: the former professional saw the secrets, so none of
    them may open the client's answers or results any more. The new professional invites
    again (to fill in, or to read back after the conversation).
    """
    count = 0
    for invitation in round.invitations.not_revoked().select_for_update():
        invitation_revoke(invitation=invitation, by=by, reason=reason)
        count += 1
    return count


@transaction.atomic
def invitations_revoke_made_by(*, user: Any, by: Any, reason: str, organisation: Any = None) -> int:
    """Revoke every invitation ``user`` made (in ``organisation``, if given); return how many.

    Used when a professional loses access (membership revoked, account deactivated): the
    links and codes they were shown must not outlive their access.
    """
    invitations = Invitation.objects.not_revoked().filter(created_by=user)
    if organisation is not None:
        invitations = invitations.filter(round__trajectory__organisation=organisation)
    count = 0
    for invitation in invitations.select_for_update():
        invitation_revoke(invitation=invitation, by=by, reason=reason)
        count += 1
    return count
