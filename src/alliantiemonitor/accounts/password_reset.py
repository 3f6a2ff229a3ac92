"""Limits on password-reset mails: as many as failed logins, per address and per e-mail address.

The login allows ``AXES_FAILURE_LIMIT`` failures per ``AXES_COOLOFF_TIME`` hours; a reset mail
is limited the same way, counted separately for the requesting address and for the e-mail
address typed. The answer is the same whether an account has that e-mail address or not, so
the limit reveals nothing about who has an account.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from alliantiemonitor.accounts.models import PasswordResetRequest
from alliantiemonitor.common.request_ip import client_ip

SCOPE_ADDRESS = "address"
SCOPE_ACCOUNT = "account"


def _window() -> dt.timedelta:
    return dt.timedelta(hours=settings.AXES_COOLOFF_TIME)


def _keys(request: HttpRequest, email: str) -> dict[str, str]:
    keys = {SCOPE_ADDRESS: client_ip(request), SCOPE_ACCOUNT: email.strip().lower()}
    return {
        scope: salted_hmac(f"alliantiemonitor.password_reset.{scope}", key).hexdigest()
        for scope, key in keys.items()
    }


@transaction.atomic
def password_reset_request_allow(*, request: HttpRequest, email: str) -> bool:
    """Count a request for a reset mail to ``email``; ``False`` when over the limit.

    A refused request is not counted (the block ends when the window has passed).
    """
    now = timezone.now()
    horizon = now - _window()
    PasswordResetRequest.objects.filter(created_at__lt=horizon).delete()
    keys = _keys(request, email)
    for scope, key_hash in keys.items():
        recent = PasswordResetRequest.objects.filter(
            scope=scope, key_hash=key_hash, created_at__gte=horizon
        ).count()
        if recent >= settings.AXES_FAILURE_LIMIT:
            return False
    PasswordResetRequest.objects.bulk_create(
        PasswordResetRequest(scope=scope, key_hash=key_hash, created_at=now)
        for scope, key_hash in keys.items()
    )
    return True
