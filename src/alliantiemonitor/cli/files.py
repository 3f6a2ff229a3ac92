"""What the commands that read and write tables share: formats, errors, reading, writing."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from alliantiemonitor.core.datafile import InstrumentError
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.registry import default_registry, parse_ref

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class CommandFailure(Exception):
    """Stop the command with exit status 1 after printing these lines to stderr."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def report(self) -> int:
        for line in self.lines:
            print(line, file=sys.stderr)
        return 1


def format_of(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise CommandFailure(
            f"error: {path}: unknown file type '{path.suffix}'; use .csv or .parquet"
        ) from None


def load_instrument(ref: str, dirs: list[str]) -> Instrument:
    try:
        return default_registry(dirs).get(*parse_ref(ref))
    except KeyError as exc:
        raise CommandFailure(f"error: {exc.args[0]}") from None
    except ValueError as exc:
        raise CommandFailure(f"error: {exc}") from None
    except InstrumentError as exc:
        raise CommandFailure(*(f"error: {p}" for p in exc.problems)) from None


def read_table(path: Path, *, as_text: bool = False) -> pd.DataFrame:
    """Read a CSV or Parquet file; ``as_text`` reads every CSV cell as it stands."""
    file_format = format_of(path)
    if not path.is_file():
        raise CommandFailure(f"error: {path}: the file does not exist")
    try:
        if file_format != "csv":
            return pd.read_parquet(path)
        if as_text:
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
        return pd.read_csv(path, low_memory=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise CommandFailure(f"error: {path}: cannot read the file: {exc}") from None


def write_table(frame: pd.DataFrame, out: Path, out_format: str) -> None:
    """Write ``frame`` to ``out``, never leaving a half-written file behind."""
    folder = out.parent if str(out.parent) else Path()
    if not folder.is_dir():
        raise CommandFailure(f"error: {out}: the folder {folder} does not exist")
    # Write next to the target and rename, so a failure never leaves a half-written file.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if out_format == "csv":
            frame.to_csv(temporary, index=False, lineterminator="\n")
        else:
            frame.to_parquet(temporary, index=False)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
