"""The SPSS ``.sav`` file of an export, with variable and value labels, written in chunks.

SPSS keeps value labels on numbers, so categories (domain, rater, …) become codes 1, 2, …
in the order the codebook lists their values, and booleans 0 = no, 1 = yes; items keep their
answers with the instrument's scale labels. Reading the file with value labels applied
(``pyreadstat.read_sav(..., apply_value_formats=True)``, or SPSS, R's ``haven::as_factor``)
gives back the texts of the CSV and Parquet files.

A ``.sav`` starts with its dictionary, which needs what only the whole export knows: every
category value (for the codes) and the longest text of each string column (for its width). So
the export first writes its rows to Parquet (the export's own Parquet file, or a temporary
one) while :func:`measure_strings` keeps the widths; :func:`write_sav` then streams the rows
back one row group at a time through :class:`~.sav_writer.SavWriter`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.codebook import label_of, value_labels
from alliantiemonitor.core.research.export_columns import ExportInputError
from alliantiemonitor.core.research.export_layout import Variable
from alliantiemonitor.core.research.sav_writer import (
    SECONDS_PER_DAY,
    SPSS_EPOCH_TO_UNIX_DAYS,
    SavVariable,
    SavWriter,
)

#: SPSS keeps at most this many characters of a variable label.
_LABEL_LIMIT = 255


def sav_codes(
    variable: Variable,
    instrument: Instrument | None,
    categories: Mapping[str, set[str]],
    language: str,
) -> dict[str, int] | None:
    """Text value → code for a category written as numbers, or ``None`` to keep it as text."""
    if variable.kind != "category":
        return None
    values = value_labels(variable, instrument, categories, language)
    if not values:
        return None
    return {str(v["value"]): number for number, v in enumerate(values, start=1)}


def measure_strings(table: pa.Table, widths: dict[str, int]) -> None:
    """Raise ``widths`` (column → longest value in UTF-8 bytes) to the text columns of ``table``."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_string(column.type):
            longest = pc.max(pc.binary_length(column)).as_py() or 0
            widths[name] = max(widths.get(name, 0), longest)


def _sav_variable(
    variable: Variable,
    instrument: Instrument | None,
    categories: Mapping[str, set[str]],
    language: str,
    widths: Mapping[str, int],
) -> tuple[SavVariable, dict[str, int] | None]:
    """The variable in the ``.sav``, with the codes of a category written as numbers."""
    name = variable.name
    label = label_of(variable, instrument, language)[:_LABEL_LIMIT]
    if variable.kind == "boolean":
        labels = {0.0: "no", 1.0: "yes"}
        return SavVariable(name, label, measure="nominal", value_labels=labels), None
    if variable.kind == "item":
        labels = {
            float(v["value"]): str(v["label"])
            for v in value_labels(variable, instrument, categories, language)
        }
        return SavVariable(name, label, measure="ordinal", value_labels=labels), None
    if (codes := sav_codes(variable, instrument, categories, language)) is not None:
        labels = {float(code): text for text, code in codes.items()}
        return SavVariable(name, label, measure="nominal", value_labels=labels), codes
    if variable.kind in ("integer", "number"):
        return SavVariable(name, label, measure="scale"), None
    if pa.types.is_date32(variable.arrow_type):
        return SavVariable(name, label, number_format="date"), None
    # An empty text column still needs a width of one byte.
    return SavVariable(name, label, width=max(1, widths.get(name, 0))), None


def _sav_column(
    column: pa.ChunkedArray | pa.Array, codes: dict[str, int] | None
) -> pa.ChunkedArray | pa.Array | npt.NDArray[np.float64]:
    """One column of a row group as the ``.sav`` holds it: numbers, codes, dates or text."""
    kind = column.type
    if codes is not None:
        found = pc.index_in(column, value_set=pa.array(list(codes), pa.string()))
        numbers = pa.array([float(code) for code in codes.values()], pa.float64())
        # A value without a code (none, as the codes come from every value seen) is missing.
        return _floats(pc.take(numbers, found))
    if pa.types.is_boolean(kind):
        return _floats(pc.if_else(column, 1.0, 0.0))
    if pa.types.is_date32(kind):
        days = _floats(column.cast(pa.int32()).cast(pa.float64()))
        return (days + SPSS_EPOCH_TO_UNIX_DAYS) * SECONDS_PER_DAY
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return _floats(column)
    return column


def _floats(column: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.float64]:
    """The column as floats, missing values as NaN."""
    return np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def write_sav(
    rows: Path,
    path: Path,
    variables: Sequence[Variable],
    instrument: Instrument | None,
    categories: Mapping[str, set[str]],
    language: str,
    widths: Mapping[str, int],
) -> None:
    """Write the export's rows (the Parquet file ``rows``) to ``path`` with labels.

    ``widths`` gives the longest value of each text column in bytes (:func:`measure_strings`).
    One row group is in memory at a time. Raises :class:`ExportInputError` for what SPSS cannot
    hold (a name over 64 bytes, a text over 32,767 bytes).
    """
    pairs = [_sav_variable(v, instrument, categories, language, widths) for v in variables]
    if problems := [p for variable, _ in pairs for p in variable.problems()]:
        raise ExportInputError([f"the .sav cannot hold {p}" for p in problems])
    names = [v.name for v in variables]
    source = pq.ParquetFile(rows)
    try:
        with SavWriter(path, [variable for variable, _ in pairs]) as writer:
            for group in range(source.num_row_groups):
                table = source.read_row_group(group, columns=names)
                writer.write(
                    [
                        _sav_column(column, codes)
                        for column, (_, codes) in zip(table.columns, pairs, strict=True)
                    ]
                )
                del table
    finally:
        source.close()
