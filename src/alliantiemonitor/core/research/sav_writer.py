"""A streaming writer of SPSS system files (``.sav``): the dictionary first, then rows in chunks.

``pyreadstat`` writes a whole DataFrame at once; this writer appends rows chunk by chunk, so an
export of any length needs memory for one chunk only. It writes what SPSS, PSPP, R (haven) and
pyreadstat read (the layout is documented in the PSPP manual, "System File Format"):

- the header record (``$FL2``), with the case count written as -1 first and patched when the
  file is closed;
- one variable record per variable, plus continuation records for strings over 8 bytes and
  extra segments for strings over 255 bytes ("very long strings", subtype 14);
- variable labels, numeric value labels (records 3 and 4), machine integer and float info
  (subtypes 3 and 4), measure level, display width and alignment (subtype 11), the long
  variable names (subtype 13) and the character encoding UTF-8 (subtype 20);
- the cases, bytecode compressed (compression 1): small whole numbers as one byte, strings of
  eight spaces as one byte, NaN as system-missing.

Numbers are little-endian IEEE doubles and the file says so. The writer knows nothing of the
export: it takes variables and columns of values.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Measure = Literal["nominal", "ordinal", "scale"]
#: A column of one chunk: a NumPy array, a list or an Arrow array.
Column: TypeAlias = npt.NDArray[Any] | Sequence[Any] | pa.Array | pa.ChunkedArray
NumberFormat = Literal["number", "date"]

#: SPSS counts dates in seconds from the start of the Gregorian calendar, 1582-10-14.
SPSS_EPOCH_TO_UNIX_DAYS = 141_428
SECONDS_PER_DAY = 86_400
#: The longest name and string SPSS allows (bytes).
MAX_NAME_BYTES = 64
MAX_STRING_BYTES = 32_767
#: SPSS shows at most this many bytes of a variable label and of a value label.
MAX_LABEL_BYTES = 255
MAX_VALUE_LABEL_BYTES = 120

_SYSMIS = -np.finfo(np.float64).max
_BIAS = 100.0
_CODE_RAW = 253
_CODE_SPACES = 254
_CODE_SYSMIS = 255
_SPACES = int.from_bytes(b" " * 8, "little")
#: The offset of the case count in the header record.
_CASES_OFFSET = 80
_MEASURES: Mapping[Measure | None, int] = {None: 0, "nominal": 1, "ordinal": 2, "scale": 3}
# Format codes (type << 16 | width << 8 | decimals): A, F8.2 and DATE11.
_FORMAT_STRING = 1
_FORMAT_NUMBER = (5 << 16) | (8 << 8) | 2
_FORMAT_DATE = (20 << 16) | (11 << 8)
_LONG_STRING = 256
#: The bytes of cases encoded at once (their codes and values).
_SLICE_BYTES = 16 * 2**20
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEGMENT_CHUNK = 252


@dataclass(frozen=True)
class SavVariable:
    """One variable of the file: a number (``width`` 0) or a string of ``width`` bytes."""

    name: str
    label: str = ""
    width: int = 0
    #: How numbers show in SPSS: as F8.2, or as a date (the values are then SPSS seconds).
    number_format: NumberFormat = "number"
    measure: Measure | None = None
    value_labels: Mapping[float, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """What SPSS would not accept in this variable; empty when it is fine."""
        found = []
        if not self.name or len(self.name.encode()) > MAX_NAME_BYTES:
            found.append(f"{self.name!r}: a name of 1 to {MAX_NAME_BYTES} bytes")
        if not 0 <= self.width <= MAX_STRING_BYTES:
            found.append(f"{self.name}: texts of 0 to {MAX_STRING_BYTES} bytes")
        if self.width and self.value_labels:
            found.append(f"{self.name}: value labels on a string are not written")
        return found


def _segment_widths(width: int) -> list[int]:
    """The widths of the physical variables that hold a variable of ``width`` bytes."""
    if width < _LONG_STRING:
        return [width]
    count = -(-width // _SEGMENT_CHUNK)
    return [255] * (count - 1) + [width - (count - 1) * _SEGMENT_CHUNK]


def _units(width: int) -> int:
    """The 8-byte units a physical variable of ``width`` takes (a number takes one)."""
    return max(1, -(-width // 8))


def _cut(text: str, limit: int) -> bytes:
    """``text`` in UTF-8, cut to ``limit`` bytes without splitting a character."""
    return text.encode()[:limit].decode(errors="ignore").encode()


class _Records:
    """Little-endian record pieces, collected in memory (the dictionary is small)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def ints(self, *values: int) -> None:
        self.parts.append(struct.pack(f"<{len(values)}i", *values))

    def raw(self, data: bytes) -> None:
        self.parts.append(data)

    def extension(self, subtype: int, size: int, data: bytes) -> None:
        self.ints(7, subtype, size, len(data) // size)
        self.raw(data)


class SavWriter:
    """Write an SPSS system file: create it with the variables, add columns, close it.

    ``write`` takes one chunk of rows as one column per variable: numbers as anything NumPy
    turns into floats (NaN is system-missing), strings as text (``None`` is an empty string).
    A string longer than its variable's width is an error, not cut: the caller measures first.
    """

    def __init__(
        self,
        path: Path,
        variables: Sequence[SavVariable],
        *,
        file_label: str = "",
        created: datetime | None = None,
    ) -> None:
        problems = [p for v in variables for p in v.problems()]
        if not variables:
            problems.append("a file needs at least one variable")
        if problems:
            raise ValueError("; ".join(problems))
        self.variables = list(variables)
        self.rows = 0
        self._segments = [_segment_widths(v.width) for v in self.variables]
        self._case_units = sum(_units(w) for segments in self._segments for w in segments)
        # Bytecodes of a block that is not full yet wait here with their raw values.
        self._codes = np.empty(0, dtype=np.uint8)
        self._values = np.empty(0, dtype="<u8")
        self._file: BinaryIO = path.open("wb")
        try:
            self._file.write(self._dictionary(file_label, created or datetime.now()))
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> SavWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._file.close()

    def _short_names(self) -> list[list[str]]:
        """An 8-byte unique name per physical variable; the long names are in subtype 13."""
        names: list[list[str]] = []
        number = 0
        for segments in self._segments:
            own = []
            for _ in segments:
                number += 1
                own.append(f"V{number}")
            names.append(own)
        return names

    def _dictionary(self, file_label: str, created: datetime) -> bytes:
        records = _Records()
        records.raw(b"$FL2")
        records.raw(b"@(#) SPSS DATA FILE alliantiemonitor".ljust(60))
        records.ints(2, self._case_units, 1, 0, -1)
        records.raw(struct.pack("<d", _BIAS))
        # English month abbreviations whatever the locale, as SPSS writes them.
        month = _MONTHS[created.month - 1]
        records.raw(f"{created:%d} {month} {created:%y}".encode("ascii"))
        records.raw(created.strftime("%H:%M:%S").encode("ascii"))
        records.raw(_cut(file_label, 64).ljust(64) + b"\0\0\0")
        short_names = self._short_names()
        first_index: list[int] = []
        index = 1
        for variable, segments, names in zip(
            self.variables, self._segments, short_names, strict=True
        ):
            first_index.append(index)
            for number, (width, name) in enumerate(zip(segments, names, strict=True)):
                label = _cut(variable.label, MAX_LABEL_BYTES) if number == 0 else b""
                if width:
                    print_format = (_FORMAT_STRING << 16) | (width << 8)
                elif variable.number_format == "date":
                    print_format = _FORMAT_DATE
                else:
                    print_format = _FORMAT_NUMBER
                records.ints(2, width, 1 if label else 0, 0, print_format, print_format)
                records.raw(name.encode("ascii").ljust(8))
                if label:
                    records.ints(len(label))
                    records.raw(label.ljust(-(-len(label) // 4) * 4, b"\0"))
                for _ in range(_units(width) - 1):
                    records.ints(2, -1, 0, 0, 0, 0)
                    records.raw(b" " * 8)
                index += _units(width)
        for variable, at in zip(self.variables, first_index, strict=True):
            if not variable.value_labels:
                continue
            records.ints(3, len(variable.value_labels))
            for value, text in variable.value_labels.items():
                label = _cut(text, MAX_VALUE_LABEL_BYTES)
                records.raw(struct.pack("<dB", float(value), len(label)))
                padded = -(-(len(label) + 1) // 8) * 8 - 1
                records.raw(label.ljust(padded, b" "))
            records.ints(4, 1, at)
        # Release 20, IEEE floats, bytecode compression, little-endian, UTF-8 (code page 65001).
        records.extension(3, 4, struct.pack("<8i", 20, 0, 0, -1, 1, 1, 2, 65001))
        lowest = np.nextafter(_SYSMIS, 0.0)
        records.extension(4, 8, struct.pack("<3d", _SYSMIS, -_SYSMIS, lowest))
        display = []
        for variable, segments in zip(self.variables, self._segments, strict=True):
            for width in segments:
                shown = 8 if not width else min(max(width, 1), 255)
                display += [_MEASURES[variable.measure], shown, 0 if width else 1]
        records.extension(11, 4, struct.pack(f"<{len(display)}i", *display))
        long_names = "\t".join(
            f"{names[0]}={v.name}" for v, names in zip(self.variables, short_names, strict=True)
        )
        records.extension(13, 1, long_names.encode())
        very_long = "".join(
            f"{names[0]}={v.width:05d}\0\t"
            for v, names in zip(self.variables, short_names, strict=True)
            if v.width >= _LONG_STRING
        )
        if very_long:
            records.extension(14, 1, very_long.encode())
        records.extension(20, 1, b"UTF-8")
        records.ints(999, 0)
        return b"".join(records.parts)

    def write(self, columns: Sequence[Column]) -> None:
        """Append one chunk of rows, given as one column per variable (all of one length)."""
        if len(columns) != len(self.variables):
            raise ValueError(f"{len(columns)} columns for {len(self.variables)} variables")
        lengths = {len(c) for c in columns}
        if len(lengths) > 1:
            raise ValueError("the columns of a chunk differ in length")
        rows = lengths.pop()
        if not rows:
            return
        prepared: list[pa.Array | npt.NDArray[np.float64]] = []
        for variable, column in zip(self.variables, columns, strict=True):
            if not variable.width:
                prepared.append(_as_numbers(column))
                continue
            text = _as_text(column)
            longest = pc.max(pc.binary_length(text)).as_py() or 0
            if longest > variable.width:
                raise ValueError(
                    f"{variable.name}: a value of {longest} bytes does not fit its width "
                    f"{variable.width}"
                )
            prepared.append(text)
        # A case of wide strings takes many bytes: encode a few rows at a time, so that memory
        # stays bounded by _SLICE_BYTES and not by the chunk times the widest text.
        step = max(1, _SLICE_BYTES // (self._case_units * 9))
        for start in range(0, rows, step):
            self._encode([column[start : start + step] for column in prepared])
        self.rows += rows

    def _encode(self, columns: Sequence[pa.Array | npt.NDArray[np.float64]]) -> None:
        rows = len(columns[0])
        codes = np.empty((rows, self._case_units), dtype=np.uint8)
        values = np.zeros((rows, self._case_units), dtype="<u8")
        at = 0
        for variable, segments, column in zip(self.variables, self._segments, columns, strict=True):
            if variable.width == 0:
                _numbers(column, codes[:, at], values[:, at])
                at += 1
            else:
                units = _string_units(column, variable, segments)
                span = slice(at, at + units.shape[1])
                values[:, span] = units
                codes[:, span] = np.where(units == _SPACES, _CODE_SPACES, _CODE_RAW)
                at += units.shape[1]
        self._emit(codes.reshape(-1), values.reshape(-1))

    def _emit(self, codes: npt.NDArray[np.uint8], values: npt.NDArray[np.uint64]) -> None:
        """Write whole blocks of eight bytecodes, each followed by its raw values."""
        codes = np.concatenate([self._codes, codes])
        values = np.concatenate([self._values, values])
        whole = len(codes) // 8 * 8
        self._codes, self._values = codes[whole:], values[whole:]
        self._file.write(_blocks(codes[:whole], values[:whole]))

    def close(self) -> None:
        """Write the last, padded block, put the case count in the header and close the file."""
        if self._file.closed:
            return
        try:
            if len(self._codes):
                padding = 8 - len(self._codes)
                self._file.write(
                    _blocks(
                        np.concatenate([self._codes, np.zeros(padding, dtype=np.uint8)]),
                        np.concatenate([self._values, np.zeros(padding, dtype="<u8")]),
                    )
                )
                self._codes = self._codes[:0]
                self._values = self._values[:0]
            self._file.seek(_CASES_OFFSET)
            # Past what an int32 holds the count stays -1 ("unknown"); readers then read to the end.
            self._file.write(struct.pack("<i", self.rows if self.rows < 2**31 else -1))
        finally:
            self._file.close()


def _as_numbers(column: Column) -> npt.NDArray[np.float64]:
    """A numeric column as floats, missing values as NaN."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if isinstance(column, pa.Array):
        return np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    return np.asarray(column, dtype=np.float64)


def _numbers(
    numbers: npt.NDArray[np.float64],
    codes: npt.NDArray[np.uint8],
    values: npt.NDArray[np.uint64],
) -> None:
    """Bytecodes (and raw values) of a numeric column: whole numbers -99…151 in one byte."""
    missing = np.isnan(numbers)
    small = ~missing & (numbers >= -99) & (numbers <= 151) & (numbers == np.round(numbers))
    codes[:] = _CODE_RAW
    codes[missing] = _CODE_SYSMIS
    codes[small] = (numbers[small] + _BIAS).astype(np.uint8)
    values[:] = numbers.astype("<f8").view("<u8")
    values[missing | small] = 0


def _as_text(column: Column) -> pa.Array:
    """A string column as Arrow text, ``None`` as the empty string."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    text = column if isinstance(column, pa.Array) else pa.array(column)
    return pc.fill_null(text.cast(pa.string()), "")


def _string_units(
    text: pa.Array, variable: SavVariable, segments: list[int]
) -> npt.NDArray[np.uint64]:
    """The 8-byte units of a string column, padded with spaces, very long ones in segments."""
    lengths = pc.binary_length(text)
    encoded = text.cast(pa.binary()).to_numpy(zero_copy_only=False)
    # NumPy pads with NUL bytes; SPSS pads with spaces.
    padded = np.array(encoded, dtype=f"S{variable.width}").view(np.uint8)
    padded = padded.reshape(len(encoded), variable.width).copy()
    filled = np.arange(variable.width) < lengths.to_numpy(zero_copy_only=False)[:, None]
    padded[~filled] = ord(" ")
    if len(segments) == 1:
        pieces = [padded]
    else:
        # Each segment holds the next 255 bytes of the value, padded to its own width.
        pieces = [padded[:, number * 255 : number * 255 + 255] for number in range(len(segments))]
    units = []
    for piece, width in zip(pieces, segments, strict=True):
        room = _units(width) * 8
        block = np.full((len(encoded), room), ord(" "), dtype=np.uint8)
        block[:, : piece.shape[1]] = piece
        units.append(block.view("<u8"))
    return np.concatenate(units, axis=1) if len(units) > 1 else units[0]


def _blocks(codes: npt.NDArray[np.uint8], values: npt.NDArray[np.uint64]) -> bytes:
    """Blocks of eight bytecodes, each followed by the raw values its 253 codes announce."""
    if not len(codes):
        return b""
    raw = codes == _CODE_RAW
    blocks = len(codes) // 8
    raw_per_block = raw.reshape(blocks, 8).sum(axis=1)
    # Everything is in 8-byte units: a block's codes take one, each raw value one more.
    starts = np.arange(blocks) + np.concatenate([[0], np.cumsum(raw_per_block)[:-1]])
    out = np.empty(blocks + int(raw_per_block.sum()), dtype="<u8")
    out[starts] = np.ascontiguousarray(codes.reshape(blocks, 8)).view("<u8").reshape(-1)
    block_of = np.repeat(np.arange(blocks), 8)[raw]
    before = np.cumsum(raw) - 1  # raw values before this one, in the whole run
    first_in_block = np.concatenate([[0], np.cumsum(raw_per_block)[:-1]])
    rank = before[raw] - first_in_block[block_of]
    out[starts[block_of] + 1 + rank] = values[raw]
    return out.tobytes()
