"""Addresses of pages about one object, for tables that link from every row.

Django's ``reverse`` walks the URL configuration's tables on each call (about 80 µs on the
benchmark machine); a caseload of fifty rows with two links each spends more time there than
on anything else in its table. Most links name one object by its public id, so the address is
worked out once per page kind with a placeholder id and the row's id put in its place.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

#: Stands for the object's id while the address is worked out; no real id is all zeroes.
_PLACEHOLDER = str(uuid.UUID(int=0))


def reverse_uuid(viewname: str, value: Any) -> str:
    """``reverse(viewname, args=[value])`` for an address whose one parameter is a UUID.

    The same answer, faster: the address is reversed once per page kind (and script prefix,
    URL configuration and language, whatever changes an address) with a placeholder id. Any
    other ``value`` than a :class:`uuid.UUID`, or an address that does not take exactly one
    id, goes through ``reverse`` as it is (and its errors).
    """
    if isinstance(value, uuid.UUID):
        template = _template(
            viewname, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF, get_language()
        )
        if template is not None:
            return template.replace(_PLACEHOLDER, str(value))
    return reverse(viewname, args=[value])


@functools.lru_cache(maxsize=512)
def _template(
    viewname: str, prefix: str, urlconf: str | None, root: str, language: str | None
) -> str | None:
    """The address of ``viewname`` with the placeholder id, or None when it cannot serve."""
    address = reverse(viewname, args=[uuid.UUID(_PLACEHOLDER)], urlconf=urlconf)
    return address if address.count(_PLACEHOLDER) == 1 else None


@receiver(setting_changed, dispatch_uid="common.links.setting_changed")
def _forget(setting: str, **kwargs: Any) -> None:
    """Tests that change the URL configuration or the script prefix start afresh."""
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _template.cache_clear()
