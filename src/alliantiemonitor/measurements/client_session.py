"""Which round a client (who has no account) may work on in this browser session.

An invitation (link, QR code or short code) or a hand-over by the professional starts a client
session; the questionnaire and result pages read it. The session stores public ids only; every
read checks again that the invitation still stands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation

from alliantiemonitor.common.queries import unique_or_none
from alliantiemonitor.measurements.constants import (
    CODE_SESSION_LIFETIME,
    InvitationKind,
    InvitationPurpose,
    Rater,
    ResponseMode,
)
from alliantiemonitor.measurements.models import Invitation, MeasurementRound
from alliantiemonitor.measurements.presentation import presentation_forget

SESSION_KEY = "alliantiemonitor.client"
#: Set while the professional's logged-in browser is handed over to the client; see
#: :mod:`alliantiemonitor.measurements.middleware`.
HANDOVER_KEY = "alliantiemonitor.handover"


@dataclass(frozen=True)
class ClientAccess:
    """What a client session may reach: one round, through one invitation (or a hand-over)."""

    round: MeasurementRound
    invitation: Invitation | None
    #: ``own_device`` for a link or code; ``handed_over_device`` when the professional's
    #: logged-in device was handed over.
    mode: str
    #: The invitation's fill-in window has passed, but it still opens the discussed results.
    read_back_only: bool = False

    @property
    def handed_over(self) -> bool:
        return self.mode == ResponseMode.HANDED_OVER_DEVICE


def client_session_start(
    request: HttpRequest,
    *,
    round: MeasurementRound,
    invitation: Invitation | None = None,
    mode: str = ResponseMode.OWN_DEVICE,
) -> None:
    """Let this browser session work on the client's side of ``round``."""
    # A new client on this browser begins in the variant's own presentation, not in the
    # card game a previous client chose (a hand-over as a card game sets it again after this).
    presentation_forget(request, rater=Rater.CLIENT)
    request.session[SESSION_KEY] = {
        "round": str(round.uuid),
        "invitation": str(invitation.uuid) if invitation else None,
        "mode": str(mode),
        "entered_at": timezone.now().isoformat(),
    }


def _entered_within(data: dict[str, Any], lifetime: dt.timedelta) -> bool:
    try:
        entered = dt.datetime.fromisoformat(str(data.get("entered_at")))
    except ValueError:
        return False
    return timezone.now() < entered + lifetime


def client_session_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def client_session_get(request: HttpRequest) -> ClientAccess | None:
    """The client's access in this session, or ``None`` when there is none (any more)."""
    data: Any = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    invitation = None
    if data.get("invitation"):
        # The invitation and its round in one query (every client request asks this).
        invitation = unique_or_none(
            Invitation.objects.select_related(
                "round__trajectory__client", "round__trajectory__organisation"
            ).filter(uuid=data["invitation"], round__uuid=data.get("round"))
        )
        if invitation is None or invitation.revoked_at is not None:
            return None
        measurement_round = invitation.round
        if invitation.purpose == InvitationPurpose.READ_BACK:
            return _read_back_access(data, measurement_round, invitation)
        expired = invitation.expires_at is not None and invitation.expires_at <= timezone.now()
        code_still_in_use = (
            invitation.kind == InvitationKind.CODE
            and measurement_round.is_collecting
            and _entered_within(data, CODE_SESSION_LIFETIME)
        )
        if expired and not code_still_in_use:
            # Imported here: the services import this module's neighbours, not the reverse.
            from alliantiemonitor.measurements.services.invitations import (
                invitation_allows_read_back,
            )

            if not invitation_allows_read_back(invitation):
                return None
            return ClientAccess(
                round=measurement_round,
                invitation=invitation,
                mode=data.get("mode", ""),
                read_back_only=True,
            )
    else:
        measurement_round = _handed_over_round(request, data)
        if measurement_round is None:
            return None
    return ClientAccess(round=measurement_round, invitation=invitation, mode=data.get("mode", ""))


def _handed_over_round(request: HttpRequest, data: dict[str, Any]) -> MeasurementRound | None:
    """The round of a session without an invitation: a device the professional handed over."""
    if data.get("mode") != ResponseMode.HANDED_OVER_DEVICE:
        return None
    measurement_round = unique_or_none(
        MeasurementRound.objects.select_related(
            "trajectory__client", "trajectory__organisation"
        ).filter(uuid=data.get("round"))
    )
    if measurement_round is None or not _handover_holds(request, measurement_round):
        # A hand-over only counts while the professional's lock holds this browser, and
        # only while that professional still has the client: not after a handover to a
        # colleague, nor once the account is deactivated (then nobody is logged in).
        return None
    return measurement_round


def _read_back_access(
    data: dict[str, Any], measurement_round: MeasurementRound, invitation: Invitation
) -> ClientAccess | None:
    """A session entered with an invitation made only to read back the results."""
    # Imported here: the services import this module's neighbours, not the reverse.
    from alliantiemonitor.measurements.services.invitations import (
        invitation_allows_read_back,
        round_results_open_to_client,
    )

    # A code to read back is typed in at the table; like a code to fill in, the session it
    # starts may outlive the code itself for a while.
    code_session = invitation.kind == InvitationKind.CODE and _entered_within(
        data, CODE_SESSION_LIFETIME
    )
    if invitation_allows_read_back(invitation) or (
        code_session and round_results_open_to_client(measurement_round)
    ):
        return ClientAccess(
            round=measurement_round,
            invitation=invitation,
            mode=data.get("mode", ""),
            read_back_only=True,
        )
    return None


def entered_with(access: ClientAccess) -> str:
    """How this client came in: ``link``, ``code`` or ``handed_over`` (for wording)."""
    if access.invitation is None:
        return "handed_over"
    return str(access.invitation.kind)


def staff_user_outside_handover(request: HttpRequest) -> Any:
    """The logged-in staff user of this browser, unless it is handed over to the client.

    Client pages never open in a staff session: the client's unsent answers are the client's
    alone (the blind rule), whatever link or code the professional holds. Only a browser that
    the professional handed over (and that stays locked to the client pages) may show them.
    """
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    lock = handover_lock_get(request)
    if lock is not None and lock.user_id == user.pk:
        return None
    return user


def _handover_holds(request: HttpRequest, measurement_round: MeasurementRound) -> bool:
    lock = handover_lock_get(request)
    user: Any = getattr(request, "user", None)
    if lock is None or user is None or not user.is_authenticated or user.pk != lock.user_id:
        return False
    # Imported here: the services import this module's neighbours, not the reverse.
    from alliantiemonitor.measurements.services._common import is_assignee

    return is_assignee(measurement_round.trajectory, user)


@dataclass(frozen=True)
class HandoverLock:
    """This browser was handed over by ``user_id`` for the client's side of round ``round``."""

    round: str
    user_id: int


def handover_lock_start(request: HttpRequest, *, round: MeasurementRound, user: Any) -> None:
    """Lock this (logged-in) browser to the client pages until the professional returns."""
    request.session[HANDOVER_KEY] = {"round": str(round.uuid), "user": user.pk}


def handover_lock_get(request: HttpRequest) -> HandoverLock | None:
    session = getattr(request, "session", None)
    data: Any = session.get(HANDOVER_KEY) if session is not None else None
    if not isinstance(data, dict):
        return None
    return HandoverLock(round=str(data.get("round", "")), user_id=data.get("user"))


def handover_lock_end(request: HttpRequest) -> None:
    request.session.pop(HANDOVER_KEY, None)


def client_language_use(request: HttpRequest, access: ClientAccess) -> None:
    """Speak the client's preferred language, unless a language was chosen explicitly."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    preferred = access.round.trajectory.client.preferred_language
    # A language the round's instrument lacks would show statements in Dutch under a page in
    # another language: then the site's default.
    if preferred in access.round.instrument.client_language_choices:
        translation.activate(preferred)
        request.LANGUAGE_CODE = preferred
