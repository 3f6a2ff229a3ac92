"""The one way to work out which language a page, an instrument text or a word is in."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def current_language() -> str:
    """The active language as an instrument language code (``nl``, ``en``).

    Outside a request (a command, a job) Django may have no active language; then the site's
    default. A regional code ("en-gb") gives its base language, which instrument files use.
    """
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]
