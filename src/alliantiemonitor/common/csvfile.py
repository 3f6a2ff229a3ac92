"""Reading an uploaded CSV file: the one reader of every import (follow-up, caseload).

A spreadsheet saves CSV in more than one way, and every import accepts all of them:

* UTF-8 with or without a byte-order mark (Excel writes one); anything else is refused;
* a comma, a semicolon (Dutch spreadsheets, where the comma is the decimal sign) or a tab
  between the values: the one the header line uses most;
* empty lines anywhere, which are skipped.

A file that cannot be read at all (empty, over the size or the row limit, binary, broken
quoting) raises the caller's error with a message saying why; the caller decides the limits
and checks the columns and the values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence

from django.utils.translation import gettext as _

from alliantiemonitor.common.errors import DomainError

#: The ways of writing a date that every import reads: ISO first, then the Dutch order.
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")


def csv_text(data: bytes, *, max_bytes: int, refuse: type[DomainError]) -> str:
    """The text of an uploaded file, if it may be CSV; else ``refuse`` with the reason.

    Pass one byte more than ``max_bytes`` (read ``max_bytes + 1``) so that an oversized file
    is told so instead of being cut off.
    """
    if not isinstance(data, bytes):
        raise refuse(_("This is not a CSV file: save the sheet as CSV (UTF-8)."))
    if not data:
        raise refuse(_("The file is empty."))
    if len(data) > max_bytes:
        raise refuse(
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": _megabytes(max_bytes)}
        )
    if b"\x00" in data:
        raise refuse(_("This is not a CSV file: save the sheet as CSV (UTF-8)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(
            _("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.")
        ) from exc
    if not text.strip():
        raise refuse(_("The file is empty."))
    return text


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g}"


def delimiter_of(header: str) -> str:
    """Comma, semicolon (Dutch spreadsheets) or tab: the one the header line uses most."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep])


def csv_records(
    text: str, *, max_rows: int, refuse: type[DomainError]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (names stripped, in lower case) and the rows with their line numbers.

    Empty lines are skipped; more than ``max_rows`` rows, or broken quoting, is ``refuse``.
    A row's line is the file's line where it ends (the header is line 1).
    """
    header_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter_of(header_line), strict=True
    )
    try:
        header: list[str] = []
        while not any(name.strip() for name in header):
            header = next(reader, None)
            if header is None:
                raise refuse(_("The file is empty."))
        rows: list[tuple[int, list[str]]] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # an empty line
            if len(rows) >= max_rows:
                raise refuse(
                    _("The file has more than %(rows)d rows. Split it into smaller files.")
                    % {"rows": max_rows}
                )
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise refuse(
            _("This is not a readable CSV file (line %(line)d).") % {"line": reader.line_num}
        ) from exc
    return [name.strip().lower() for name in header], rows


def check_header(
    columns: Sequence[str | None],
    records: Sequence[object],
    *,
    required: Sequence[str],
    refuse: type[DomainError],
) -> None:
    """Refuse (``refuse``) a header that names a column twice or misses a ``required`` one, and
    a file without rows. ``columns`` are the header's names as the import knows them (``None``
    or empty for none); each is counted once, so a long header costs linear time."""
    counted = Counter(column for column in columns if column)
    doubled = sorted(column for column, times in counted.items() if times > 1)
    if doubled:
        raise refuse(
            _("The file has the column %(columns)s more than once.")
            % {"columns": ", ".join(doubled)}
        )
    missing = [column for column in required if column not in counted]
    if missing:
        raise refuse(
            _("The file misses the column(s) %(missing)s. The first line must name: %(all)s.")
            % {"missing": ", ".join(missing), "all": ", ".join(required)}
        )
    if not records:
        raise refuse(_("The file has a header but no rows."))


def parse_date(value: str) -> dt.date | None:
    """The date ``value`` writes (``YYYY-MM-DD`` or ``DD-MM-YYYY``), else ``None``."""
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None
