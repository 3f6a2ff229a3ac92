"""The SPSS ``.sav`` file of an export, with variable and value labels.

SPSS keeps value labels on numbers, so categories (domain, rater, …) become codes 1, 2, …
in the order the codebook lists their values, and booleans 0 = no, 1 = yes; items keep their
answers with the instrument's scale labels. Reading the file with value labels applied
(``pyreadstat.read_sav(..., apply_value_formats=True)``, or SPSS, R's ``haven::as_factor``)
gives back the texts of the CSV and Parquet files.

``pyreadstat`` writes a whole DataFrame at once, so this file is made from the complete table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyreadstat

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.codebook import label_of, value_labels
from alliantiemonitor.core.research.export_layout import Variable

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


def write_sav(
    table: pa.Table,
    path: Path,
    variables: Sequence[Variable],
    instrument: Instrument | None,
    categories: Mapping[str, set[str]],
    language: str,
) -> None:
    """Write ``table`` (the export's rows) to ``path`` with labels."""
    # The table is not used again: let pyarrow free each column as it is converted.
    frame = table.to_pandas(date_as_object=True, split_blocks=True, self_destruct=True)
    labels: dict[str, str | None] = {}
    value_label_map: dict[str, dict[int | float, str]] = {}
    measure: dict[str, str] = {}
    for variable in variables:
        name = variable.name
        labels[name] = label_of(variable, instrument, language)[:_LABEL_LIMIT]
        column = frame[name]
        if variable.kind == "boolean":
            frame[name] = column.map({True: 1.0, False: 0.0}).astype(np.float64)
            value_label_map[name] = {0.0: "no", 1.0: "yes"}
            measure[name] = "nominal"
        elif variable.kind == "item":
            value_label_map[name] = {
                float(v["value"]): str(v["label"])
                for v in value_labels(variable, instrument, categories, language)
            }
            measure[name] = "ordinal"
        elif (codes := sav_codes(variable, instrument, categories, language)) is not None:
            frame[name] = column.map(codes).astype(np.float64)
            value_label_map[name] = {float(code): text for text, code in codes.items()}
            measure[name] = "nominal"
        elif variable.kind in ("integer", "number"):
            frame[name] = pd.to_numeric(column).astype(np.float64)
            measure[name] = "scale"
        elif column.dtype == object and variable.kind != "date":
            frame[name] = column.where(column.notna(), "")
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=labels,
        variable_value_labels=value_label_map,
        variable_measure=measure,
    )
