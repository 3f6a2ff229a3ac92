"""What makes an analysis reproducible: the SHA-256 of its inputs and the software versions.

The command line stamps the files it read; the research app, which reads a study's table from
the database, stamps the table's bytes as a CSV file of it would hold them
(:func:`table_sha256`), so both say "these exact data, this exact software".
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import pandas as pd

from alliantiemonitor import __version__


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks (stamped on analyses for reproduction)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def table_csv(frame: pd.DataFrame) -> bytes:
    """The table as the bytes of a CSV file: UTF-8, a header, no index, ``\\n`` line ends."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def table_sha256(frame: pd.DataFrame) -> str:
    """The SHA-256 of :func:`table_csv`: ``sha256sum`` of the table written that way agrees."""
    return hashlib.sha256(table_csv(frame)).hexdigest()


def software_versions() -> dict[str, str]:
    """The versions that decide an analysis's numbers."""
    versions = {"alliantiemonitor": __version__}
    for package in ("numpy", "pandas", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions
