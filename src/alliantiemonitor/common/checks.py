"""System checks of the field encryption keys (docs/encryption.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from alliantiemonitor.common.encryption import GENERATE_HINT, parse_keys


@register()
def check_field_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse keys that are malformed or listed twice."""
    keys = settings.ALLIANTIEMONITOR_FIELD_KEYS
    if not keys:
        return []
    try:
        parse_keys(keys)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="alliantiemonitor.E302")]
    return []


@register(deploy=True)
def check_field_keys_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Fail closed: production needs a key before free text about clients can be stored."""
    if settings.ALLIANTIEMONITOR_FIELD_KEYS or settings.DEBUG:
        return []
    return [
        Error(
            "ALLIANTIEMONITOR_FIELD_KEYS is not set: agreements, notes and other free text "
            "about clients cannot be encrypted at rest.",
            hint=f"Make a key with {GENERATE_HINT} and set it (or "
            "ALLIANTIEMONITOR_FIELD_KEYS_FILE); keep a copy apart from the database backups.",
            id="alliantiemonitor.E301",
        )
    ]
