"""Template context of the account rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def second_factor(request: HttpRequest) -> dict[str, Any]:
    """Whether logins go without a second step: only in the demo, which says so on every page.

    Put the other way round so that a page rendered without this processor (an error page)
    shows no demo banner.
    """
    return {"second_factor_off": not settings.ALLIANTIEMONITOR_REQUIRE_2FA}
