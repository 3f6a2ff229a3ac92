"""The installation's instruments: shipped plus ``ALLIANTIEMONITOR_INSTRUMENT_DIRS``.

Other apps resolve a round's pinned ``id@version`` through :func:`get_instrument`.
"""

from __future__ import annotations

from django.conf import settings

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.registry import (
    InstrumentRegistry,
    clear_default_registry,
    default_registry,
    parse_ref,
)


def instrument_dirs() -> list[str]:
    """The extra instrument folders named in the settings."""
    return [str(d) for d in getattr(settings, "ALLIANTIEMONITOR_INSTRUMENT_DIRS", [])]


def get_registry() -> InstrumentRegistry:
    """The registry for the current settings; cached per combination of folders.

    Raises :class:`~alliantiemonitor.core.datafile.InstrumentError` when a file is invalid
    (the system check ``alliantiemonitor.E001`` reports the same problems at start-up).
    """
    return default_registry(instrument_dirs())


def clear() -> None:
    """Forget the cached registries, e.g. after a test wrote instrument files."""
    clear_default_registry()


def get_instrument(ref_or_id: str, version: str | None = None) -> Instrument:
    """The instrument for ``"standaard@1.0.0"``, or for an id and an optional version.

    Without a version the latest is returned. Raises ``KeyError`` for an unknown id or version
    and ``ValueError`` when the reference and ``version`` disagree.
    """
    instrument_id, ref_version = parse_ref(ref_or_id)
    if ref_version is not None and version is not None and ref_version != version:
        raise ValueError(f"{ref_or_id!r} does not match version {version!r}")
    return get_registry().get(instrument_id, version or ref_version)
