"""System checks of the mail configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register(deploy=True)
def check_base_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when links in e-mail cannot be built."""
    base = settings.ALLIANTIEMONITOR_BASE_URL
    if base.startswith(("https://", "http://")):
        return []
    return [
        Warning(
            "ALLIANTIEMONITOR_BASE_URL is not set to the app's address (https://…).",
            hint="Invitations, reminders and digests cannot be sent without it; the worker "
            "fails those jobs until it is set.",
            id="alliantiemonitor.W101",
        )
    ]
