"""The second factor of staff logins: an authenticator app (TOTP) and recovery codes.

Built on django-otp: a ``TOTPDevice`` per user for the app, a ``StaticDevice`` whose tokens are
the single-use recovery codes. The rules:

- A user without a confirmed app device enrols at the next login; enrolment confirms with a
  code from the app and hands out fresh recovery codes (shown once).
- A code is checked against the app, a recovery code against the recovery codes: each kind
  by its shape, so that a recovery code does not count as a wrong app code and vice versa.
- Wrong codes slow down (django-otp's throttling: 1, 2, 4, 8 … seconds after successive
  failures, kept on the device row and reset only by a right code, so logging in with the
  password again does not reset it) and count as failed logins for django-axes, which blocks
  the user name at that address after ``AXES_FAILURE_LIMIT`` (see ``views_second_factor``).
- Every enrolment, recovery-code use and administrator reset is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliantiemonitor.audit.constants import AccountAction
from alliantiemonitor.audit.services import audit_record

#: How many recovery codes a user gets at a time.
RECOVERY_CODE_COUNT = 10
#: Device names (shown in the admin).
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

_APP_CODE = re.compile(r"^\d{6}$")
_RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")


@dataclass(frozen=True)
class CodeCheck:
    """The answer to a typed code: the device that accepted it, or why none did."""

    device: Device | None = None
    #: Set when verification is throttled after wrong codes: try again after this moment.
    wait_until: dt.datetime | None = None
    #: The code was a recovery code (now used up).
    recovery: bool = False
    #: Recovery codes left after this one.
    recovery_left: int = 0


def code_normalise(code: str) -> str:
    """Drop the spaces and dashes people type in codes; recovery codes are lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def has_second_factor(user: Any) -> bool:
    """Whether ``user`` has a confirmed authenticator app (recovery codes alone are not one)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def app_device_for_enrolment(*, user: Any) -> TOTPDevice:
    """The unconfirmed app device that ``user`` is setting up (made on first use)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def app_device_confirm(*, user: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; return the new recovery codes.

    Returns ``None`` (and changes nothing but the device's throttling) when the code is wrong.
    Other app devices of the user (an abandoned set-up, an old phone) are removed: one app at
    a time, so an administrator's reset and the audit trail stay simple.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed or not device.verify_token(code_normalise(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action=AccountAction.SECOND_FACTOR_ENROL, obj=user)
    return codes


def _recovery_codes_replace(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: Any) -> int:
    """How many unused recovery codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def recovery_codes_renew(*, user: Any) -> list[str]:
    """Replace the recovery codes of ``user`` (who must have an app) with new ones."""
    if not has_second_factor(user):
        raise ValueError("recovery codes belong to an enrolled second factor")
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action=AccountAction.RECOVERY_CODES_RENEW, obj=user)
    return codes


def _wait_until(devices: list[Device]) -> dt.datetime | None:
    """The latest moment until which one of ``devices`` refuses to verify, if any does."""
    moments = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            moments.append((data or {}).get("locked_until"))
    if not moments:
        return None
    known = [m for m in moments if m is not None]
    return max(known) if known else dt.datetime.max.replace(tzinfo=dt.UTC)


def second_factor_check(*, user: Any, code: str) -> CodeCheck:
    """Check a code typed at login or re-authentication against the devices of ``user``.

    A six-digit code goes to the app, an eight-character code to the recovery codes (a used
    recovery code is deleted and audited). Anything else is simply wrong. While one of the
    devices is throttled after wrong codes, nothing is checked and ``wait_until`` says until
    when: a throttled guess must not count as a try of the code.
    """
    code = code_normalise(code)
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=True, for_verify=True))
        wait_until = _wait_until(devices)
        if wait_until is not None:
            return CodeCheck(wait_until=wait_until)
        if _APP_CODE.match(code):
            candidates = [d for d in devices if isinstance(d, TOTPDevice)]
        elif _RECOVERY_CODE.match(code):
            candidates = [d for d in devices if isinstance(d, StaticDevice)]
        else:
            candidates = []
        for device in candidates:
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    audit_record(
                        actor=user,
                        action=AccountAction.RECOVERY_CODE_USE,
                        obj=user,
                        detail={"left": left},
                    )
                    return CodeCheck(device=device, recovery=True, recovery_left=left)
                return CodeCheck(device=device)
        if not candidates:
            # A code of no known shape still counts, or a guesser could probe for free.
            for device in devices:
                device.throttle_increment()
    return CodeCheck()


@transaction.atomic
def second_factor_reset(*, user: Any, by: Any) -> int:
    """Remove every second-factor device of ``user``: they enrol again at the next login.

    Their open sessions lose their verification (the device they were verified with is
    gone), so the reset takes effect at once. Returns how many devices were removed.
    """
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    audit_record(
        actor=by,
        action=AccountAction.SECOND_FACTOR_RESET,
        obj=user,
        detail={"devices": removed},
    )
    return removed


__all__ = [
    "CodeCheck",
    "app_device_confirm",
    "app_device_for_enrolment",
    "code_normalise",
    "has_second_factor",
    "recovery_codes_left",
    "recovery_codes_renew",
    "second_factor_check",
    "second_factor_reset",
]
