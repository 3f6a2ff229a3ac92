"""All instruments that an installation knows: the shipped ones plus those in extra folders.

A measurement round pins ``id@version``; the registry resolves that pin to an
:class:`~alliantiemonitor.core.instrument.Instrument`. Pure Python: the Django app wraps it with
the ``ALLIANTIEMONITOR_INSTRUMENT_DIRS`` setting.

The folders hold monitor instruments and plain questionnaires (``kind: questionnaire``) side by
side. Every lookup takes a ``kind`` and defaults to the monitor, so that a questionnaire never
turns up as a variant of the monitor; ``kind=None`` means either.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from pathlib import Path

from alliantiemonitor.core.datafile import (
    DATA_SUFFIXES,
    DOMAINS_FILE,
    SHIPPED_DIR,
    InstrumentError,
    Problem,
    read_data_file,
)
from alliantiemonitor.core.instrument import MONITOR, Instrument, Kind
from alliantiemonitor.core.loader import parse_instrument, validate_data, version_key

__all__ = [
    "SHIPPED_DIR",
    "InstrumentRegistry",
    "default_registry",
    "instrument_files",
    "parse_ref",
    "validate_dirs",
]


def parse_ref(ref: str) -> tuple[str, str | None]:
    """Split ``"standaard@1.0.0"`` into ``("standaard", "1.0.0")``; ``"standaard"`` has no version.

    Raises ``ValueError`` for an empty id or version.
    """
    instrument_id, sep, version = ref.strip().partition("@")
    if not instrument_id or (sep and not version):
        raise ValueError(f"not an instrument reference like 'standaard@1.0.0': {ref!r}")
    return instrument_id, version if sep else None


def instrument_files(directory: Path) -> list[Path]:
    """The instrument files in ``directory`` (not recursive, ``domains.yaml`` left out), sorted."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.suffix.lower() in DATA_SUFFIXES
        and path.name != DOMAINS_FILE
        and not path.name.startswith(".")
    )


def _load_dirs(
    dirs: Iterable[str | Path], placeholders: Collection[str] | None
) -> tuple[list[Instrument], list[Problem]]:
    instruments: list[Instrument] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for directory in dict.fromkeys(Path(d) for d in dirs):
        if not directory.is_dir():
            problems.append(Problem(str(directory), None, "the instruments folder does not exist"))
            continue
        for path in instrument_files(directory):
            data, read_problems = read_data_file(path)
            file_problems = read_problems or validate_data(
                data, source=str(path), placeholders=placeholders
            )
            if file_problems:
                problems.extend(file_problems)
                continue
            instrument = parse_instrument(data, source=str(path), placeholders=placeholders)
            if instrument.ref in seen:
                problems.append(
                    Problem(
                        str(path),
                        None,
                        f"{instrument.ref} is already defined in {seen[instrument.ref]}; "
                        "give the new definition another version",
                    )
                )
                continue
            seen[instrument.ref] = str(path)
            instruments.append(instrument)
    return instruments, problems


def validate_dirs(
    dirs: Iterable[str | Path], *, placeholders: Collection[str] | None = None
) -> list[Problem]:
    """Every problem in the instrument files of ``dirs``, including a duplicate ``id@version``."""
    return _load_dirs(dirs, placeholders)[1]


class InstrumentRegistry:
    """Instruments by id and version."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._by_ref: dict[str, Instrument] = {}
        for instrument in instruments:
            if instrument.ref in self._by_ref:
                raise InstrumentError(
                    [
                        Problem(
                            instrument.source or instrument.ref,
                            None,
                            f"{instrument.ref} is defined twice",
                        )
                    ]
                )
            self._by_ref[instrument.ref] = instrument

    @classmethod
    def from_dirs(
        cls, dirs: Iterable[str | Path], *, placeholders: Collection[str] | None = None
    ) -> InstrumentRegistry:
        """Load every ``*.yaml``, ``*.yml`` and ``*.json`` in ``dirs`` (except ``domains.yaml``).

        Raises :class:`InstrumentError` with every problem of every file when one is invalid,
        a folder does not exist, or an ``id@version`` is defined in two files.
        """
        instruments, problems = _load_dirs(dirs, placeholders)
        if problems:
            raise InstrumentError(problems)
        return cls(instruments)

    def __len__(self) -> int:
        return len(self._by_ref)

    def __contains__(self, ref: object) -> bool:
        """Whether ``ref`` (``id`` or ``id@version``) names a monitor instrument."""
        if not isinstance(ref, str):
            return False
        try:
            self.get(*parse_ref(ref))
        except (KeyError, ValueError):
            return False
        return True

    def _of_kind(self, kind: Kind | None) -> list[Instrument]:
        return [i for i in self._by_ref.values() if kind is None or i.kind == kind]

    def ids(self, *, kind: Kind | None = MONITOR) -> list[str]:
        """Instrument ids of ``kind`` (the monitor by default), sorted."""
        return sorted({i.id for i in self._of_kind(kind)})

    def versions(self, instrument_id: str, *, kind: Kind | None = MONITOR) -> list[str]:
        """The versions of ``instrument_id``, oldest first; ``KeyError`` when it is unknown."""
        found = [i.version for i in self._of_kind(kind) if i.id == instrument_id]
        if not found:
            known = ", ".join(self.ids(kind=kind)) or "none"
            what = "questionnaire" if kind == "questionnaire" else "instrument"
            raise KeyError(f"unknown {what} '{instrument_id}' (known: {known})")
        return sorted(found, key=lambda v: (version_key(v), v))

    def get(
        self, instrument_id: str, version: str | None = None, *, kind: Kind | None = MONITOR
    ) -> Instrument:
        """The instrument ``instrument_id`` at ``version``, or its latest version when ``None``.

        Only instruments of ``kind`` are found (the monitor by default; ``"questionnaire"``
        for a plain questionnaire, ``None`` for either). Raises ``KeyError`` with a readable
        message for an unknown id or version.
        """
        versions = self.versions(instrument_id, kind=kind)
        if version is None:
            version = versions[-1]
        elif version not in versions:
            raise KeyError(
                f"instrument '{instrument_id}' has no version '{version}' "
                f"(known: {', '.join(versions)})"
            )
        return self._by_ref[f"{instrument_id}@{version}"]

    def all(self, *, kind: Kind | None = MONITOR) -> list[Instrument]:
        """Every instrument of ``kind``, sorted by id and then by version (oldest first)."""
        return sorted(self._of_kind(kind), key=lambda i: (i.id, version_key(i.version), i.version))

    def latest(self, *, kind: Kind | None = MONITOR) -> list[Instrument]:
        """The latest version of every instrument of ``kind``, sorted by id."""
        return [self.get(i, kind=kind) for i in self.ids(kind=kind)]


def default_registry(extra_dirs: Iterable[str | Path] = ()) -> InstrumentRegistry:
    """The shipped instruments plus those in ``extra_dirs``; cached per tuple of folders.

    Raises :class:`InstrumentError` when any file is invalid.
    """
    return _cached_registry(tuple(Path(d).resolve() for d in extra_dirs))


@functools.cache
def _cached_registry(extra_dirs: tuple[Path, ...]) -> InstrumentRegistry:
    return InstrumentRegistry.from_dirs((SHIPPED_DIR, *extra_dirs))


def clear_default_registry() -> None:
    """Forget cached registries (for tests, or after instrument files changed on disk)."""
    _cached_registry.cache_clear()
