"""The installation's instruments: shipped plus ``ALLIANTIEMONITOR_INSTRUMENT_DIRS``.

A round's pinned ``id@version`` is resolved in one place only:
:attr:`alliantiemonitor.measurements.models.MeasurementRound.instrument`.
"""

from __future__ import annotations

from django.conf import settings

from alliantiemonitor.core.registry import (
    InstrumentRegistry,
    clear_default_registry,
    default_registry,
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
