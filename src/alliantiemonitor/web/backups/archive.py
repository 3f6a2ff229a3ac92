"""The backup file: a tar archive of a manifest and the database's own dump.

``manifest.json`` comes first and says what the file holds (format version, database engine,
the applied Django migrations, when and by which version it was made, the rows of every table)
and the size and SHA-256 of the payload, so that a damaged, truncated or foreign file is refused
before anything is restored. The payload is ``database.sqlite3`` (a copy made with SQLite's
online backup API) or ``database.pgdump`` (``pg_dump --format=custom``). A plain tar keeps the
file readable with standard tools (``tar -xOf backup.tar manifest.json``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

FORMAT = "alliantiemonitor-backup"
#: Raised when the layout of the file changes; a restore refuses files of a newer format.
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class TableState:
    """The rows of one table, and optionally a SHA-256 over them in primary-key order."""

    rows: int
    sha256: str | None = None


@dataclass
class Manifest:
    engine: str
    created_at: str
    app_version: str
    server_version: str
    migrations: list[tuple[str, str]]
    tables: dict[str, TableState]
    payload_name: str = ""
    payload_bytes: int = 0
    payload_sha256: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        data = asdict(self)
        data["migrations"] = [list(pair) for pair in self.migrations]
        return json.dumps(data, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not an Alliantiemonitor backup manifest")
            version = data["format_version"]
            if not isinstance(version, int):
                raise ValueError("format_version is not a number")
            if version > FORMAT_VERSION:
                raise BackupError(
                    f"The backup file has format version {version}; this version of "
                    f"Alliantiemonitor reads up to {FORMAT_VERSION}. Restore it with the "
                    "version that made it, or a newer one."
                )
            return cls(
                engine=str(data["engine"]),
                created_at=str(data["created_at"]),
                app_version=str(data["app_version"]),
                server_version=str(data["server_version"]),
                migrations=[(str(app), str(name)) for app, name in data["migrations"]],
                tables={
                    str(name): TableState(rows=int(t["rows"]), sha256=t.get("sha256"))
                    for name, t in data["tables"].items()
                },
                payload_name=str(data["payload_name"]),
                payload_bytes=int(data["payload_bytes"]),
                payload_sha256=str(data["payload_sha256"]),
                format_version=version,
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"The backup's manifest is damaged or foreign ({exc}).") from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def payload_file(out: Path, suffix: str) -> Iterator[Path]:
    """A private temporary file next to ``out`` for the dump, removed afterwards."""
    handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=suffix)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def archive_write(out: Path, manifest: Manifest, payload: Path) -> None:
    """Write the archive to ``out`` (mode 0600) through a temporary file and a rename.

    A failure or a crash never leaves a half-written file under the final name, and a reader
    never sees one: ``os.replace`` is atomic within one file system.
    """
    manifest.payload_bytes = payload.stat().st_size
    manifest.payload_sha256 = file_sha256(payload)
    raw = manifest.to_json()
    # mkstemp creates the file readable and writable by the owner only (0600).
    handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive:
                archive.addfile(_member(MANIFEST_NAME, len(raw)), io.BytesIO(raw))
                with payload.open("rb") as data:
                    archive.addfile(_member(manifest.payload_name, manifest.payload_bytes), data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(out.parent)


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


def _fsync_folder(folder: Path) -> None:
    # The rename itself must reach the disk too; not every platform can open a folder.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def archive_read(source: Path, workdir: Path) -> tuple[Manifest, Path]:
    """Read and check the archive; return its manifest and the payload extracted to ``workdir``.

    Raises ``BackupError`` when the file is missing, not a backup, truncated, or its payload does
    not have the size and checksum that the manifest records.
    """
    if not source.is_file():
        raise BackupError(f"{source}: the file does not exist.")
    damaged = (
        f"{source}: the backup file is damaged or incomplete (for example cut off while "
        "copying); nothing was restored."
    )
    try:
        with tarfile.open(source, mode="r:") as archive:
            members = archive.getmembers()
            names = [member.name for member in members]
            if not names or names[0] != MANIFEST_NAME or len(names) != 2:
                raise BackupError(f"{source}: not an Alliantiemonitor backup file.")
            manifest = Manifest.from_json(_read_member(archive, members[0]))
            payload_member = members[1]
            if payload_member.name != manifest.payload_name or not payload_member.isfile():
                raise BackupError(f"{source}: not an Alliantiemonitor backup file.")
            # Our own file name: never one taken from the archive.
            payload = workdir / ("payload" + Path(manifest.payload_name).suffix)
            digest = hashlib.sha256()
            extracted = archive.extractfile(payload_member)
            if extracted is None:  # pragma: no cover - isfile() above
                raise BackupError(damaged)
            with extracted, payload.open("wb") as out:
                while chunk := extracted.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError):
        raise BackupError(damaged) from None
    if payload.stat().st_size != manifest.payload_bytes or (
        digest.hexdigest() != manifest.payload_sha256
    ):
        raise BackupError(damaged)
    return manifest, payload


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    if not member.isfile() or member.size > 64 * 1024 * 1024:
        raise BackupError("The backup's manifest is damaged or foreign.")
    extracted = archive.extractfile(member)
    if extracted is None:  # pragma: no cover - isfile() above
        raise BackupError("The backup's manifest is damaged or foreign.")
    with extracted:
        return extracted.read()
