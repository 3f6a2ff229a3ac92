"""Choices and state sets of measurement rounds, responses and invitations."""

import datetime as dt
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.core import instrument as core_instrument


class RoundState(models.TextChoices):
    OPEN = "open", _("Open")
    CLIENT_DONE = "client_done", _("Client done")
    PROFESSIONAL_DONE = "professional_done", _("Professional done")
    BOTH_DONE = "both_done", _("Both done")
    DISCUSSED = "discussed", _("Discussed")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


#: States in which at least one party may still fill in; a trajectory has at most one such round.
COLLECTING_STATES = frozenset(
    {RoundState.OPEN, RoundState.CLIENT_DONE, RoundState.PROFESSIONAL_DONE}
)
#: States in which nothing changes any more (except a correction of a submitted response).
FINAL_STATES = frozenset({RoundState.CLOSED, RoundState.EXPIRED, RoundState.CANCELLED})


#: The words a professional uses for a round's state.
STATE_LABELS = {
    None: _("No round yet"),
    RoundState.OPEN: _("Waiting for client and me"),
    RoundState.CLIENT_DONE: _("Waiting for me"),
    RoundState.PROFESSIONAL_DONE: _("Waiting for client"),
    RoundState.BOTH_DONE: _("Ready to discuss"),
    RoundState.DISCUSSED: _("Discussed"),
    RoundState.CLOSED: _("Closed"),
    RoundState.EXPIRED: _("Expired"),
    RoundState.CANCELLED: _("Cancelled"),
}


def state_label(state: str | None) -> Any:
    """The professional's words for a round in ``state``."""
    return STATE_LABELS.get(state, state)


class Rater(models.TextChoices):
    """The core's rater values (``core.instrument.Rater``) with their labels, for the database.

    Pass a member or a stored value to the core through ``core.instrument.as_rater``.
    """

    CLIENT = core_instrument.CLIENT, _("Client")
    PROFESSIONAL = core_instrument.PROFESSIONAL, _("Professional")


class ResponseMode(models.TextChoices):
    OWN_DEVICE = "own_device", _("On the client's own device")
    HANDED_OVER_DEVICE = "handed_over_device", _("On the professional's device, handed over")
    PAPER_ENTRY = "paper_entry", _("Typed in from a paper form")
    PROFESSIONAL_SELF = "professional_self", _("By the professional")


class Presentation(models.TextChoices):
    """How the statements were shown at the last save (kept on the response)."""

    LIST = "list", _("As a list")
    ONE_PER_SCREEN = "one_per_screen", _("One statement per screen")
    CARDS = "cards", _("As a card game")


#: The modes in which each party can answer.
MODES_BY_RATER = {
    Rater.CLIENT: frozenset(
        {ResponseMode.OWN_DEVICE, ResponseMode.HANDED_OVER_DEVICE, ResponseMode.PAPER_ENTRY}
    ),
    Rater.PROFESSIONAL: frozenset({ResponseMode.PROFESSIONAL_SELF}),
}


class InvitationKind(models.TextChoices):
    LINK = "link", _("Personal link or QR code")
    CODE = "code", _("Short code")


class InvitationPurpose(models.TextChoices):
    #: To fill in the client's side while the round collects answers (and, for a personal
    #: link, to read back the results later).
    FILL = "fill", _("To fill in")
    #: Made after the conversation, only to read back the results and the agreements.
    READ_BACK = "read_back", _("To read back the results")


#: Letters and digits that cannot be mistaken for each other (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
LINK_LIFETIME = dt.timedelta(days=14)
CODE_LIFETIME = dt.timedelta(minutes=30)
#: A short code is for getting in: a client who entered with one may finish within this time,
#: even after the code itself has expired (nothing is lost half-way).
CODE_SESSION_LIFETIME = dt.timedelta(hours=8)
#: How long a personal link made to read back the results works.
READ_BACK_LINK_LIFETIME = dt.timedelta(days=180)
#: An unfinished round expires this long after its due date.
EXPIRY_GRACE = dt.timedelta(days=7)
#: A round started without a due date counts as due this long after the day it was opened:
#: otherwise it would collect answers for ever, and while it does no scheduled round opens
#: and a client who stopped answering is never signalled.
UNDATED_ROUND_DUE_AFTER = dt.timedelta(days=42)
