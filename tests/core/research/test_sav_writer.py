"""The streaming SPSS writer: what it writes, pyreadstat (an independent reader) reads back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliantiemonitor.core.research import sav_writer
from alliantiemonitor.core.research.sav_writer import (
    SECONDS_PER_DAY,
    SPSS_EPOCH_TO_UNIX_DAYS,
    SavVariable,
    SavWriter,
)

CREATED = dt.datetime(2026, 1, 2, 3, 4, 5)
VERY_LONG = "lange toelichting " * 40 + "einde"  # 725 bytes: three segments
VARIABLES = [
    SavVariable(
        "domain_of_the_trajectory",
        "Domein (categorie)",
        measure="nominal",
        value_labels={1.0: "jeugdbescherming", 2.0: "reclassering ü"},
    ),
    SavVariable("score", "Score", measure="scale"),
    SavVariable("answer", "Antwoord", measure="ordinal", value_labels={1.0: "oneens", 5.0: "eens"}),
    SavVariable("code", "Sleutel", width=3),
    SavVariable("remark_text", "Opmerking", width=40),
    SavVariable("explanation", "Toelichting", width=len(VERY_LONG.encode())),
    SavVariable("round_date", "Datum", number_format="date"),
]


def _columns(rows: int, seed: int = 1) -> list[Any]:
    rng = np.random.default_rng(seed)
    days = rng.integers(18_000, 21_000, rows).astype(float)
    days[::7] = np.nan
    return [
        np.where(rng.random(rows) < 0.1, np.nan, rng.integers(1, 3, rows)),
        np.where(rng.random(rows) < 0.1, np.nan, rng.normal(0, 1e4, rows)),
        rng.integers(1, 6, rows).astype(float),
        [None if i % 5 == 0 else f"k{i % 97}" for i in range(rows)],
        [f"opmerking {i} met één trema: ë" if i % 3 else "" for i in range(rows)],
        [VERY_LONG if i % 4 == 0 else f"kort {i}" for i in range(rows)],
        (days + SPSS_EPOCH_TO_UNIX_DAYS) * SECONDS_PER_DAY,
    ]


def _write(path: Path, columns: list[Any], chunk: int, variables: list[SavVariable]) -> Path:
    rows = len(columns[0])
    with SavWriter(path, variables, created=CREATED) as writer:
        for start in range(0, rows, chunk):
            writer.write([c[start : start + chunk] for c in columns])
    return path


def test_values_and_labels_read_back(tmp_path: Path) -> None:
    columns = _columns(500)
    path = _write(tmp_path / "a.sav", columns, 64, VARIABLES)
    frame, meta = pyreadstat.read_sav(path)
    assert list(frame.columns) == [v.name for v in VARIABLES]
    assert meta.number_rows == 500
    header = path.read_bytes()[:176]
    assert int.from_bytes(header[80:84], "little") == 500  # patched in at the end
    assert header[92:109] == b"02 Jan 2603:04:05"
    assert meta.column_names_to_labels["domain_of_the_trajectory"] == "Domein (categorie)"
    assert meta.variable_value_labels == {
        "domain_of_the_trajectory": {1.0: "jeugdbescherming", 2.0: "reclassering ü"},
        "answer": {1.0: "oneens", 5.0: "eens"},
    }
    assert meta.variable_measure["domain_of_the_trajectory"] == "nominal"
    assert meta.variable_measure["score"] == "scale"
    assert meta.variable_measure["answer"] == "ordinal"
    assert meta.original_variable_types["explanation"] == "A725"
    assert meta.original_variable_types["round_date"] == "DATE11"
    for name, column in zip(
        ["domain_of_the_trajectory", "score", "answer"], columns[:3], strict=True
    ):
        np.testing.assert_array_equal(frame[name].to_numpy(), column)  # NaN is missing
    assert frame["code"].tolist() == [v or "" for v in columns[3]]
    assert frame["remark_text"].tolist() == columns[4]
    assert frame["explanation"].tolist() == columns[5]
    days = columns[6] / SECONDS_PER_DAY - SPSS_EPOCH_TO_UNIX_DAYS
    expected = [
        None if np.isnan(d) else dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days
    ]
    assert [None if pd.isna(d) else d for d in frame["round_date"]] == expected
    labelled, _ = pyreadstat.read_sav(path, apply_value_formats=True)
    assert set(labelled["domain_of_the_trajectory"].dropna()) == {
        "jeugdbescherming",
        "reclassering ü",
    }


def test_many_chunks_give_the_same_file_as_one(tmp_path: Path) -> None:
    columns = _columns(1_000, seed=2)
    one = _write(tmp_path / "one.sav", columns, 1_000, VARIABLES).read_bytes()
    for chunk in (1, 3, 333):
        assert _write(tmp_path / f"{chunk}.sav", columns, chunk, VARIABLES).read_bytes() == one


def test_zero_rows_give_the_dictionary_only(tmp_path: Path) -> None:
    path = tmp_path / "empty.sav"
    with SavWriter(path, VARIABLES) as writer:
        writer.write([[] for _ in VARIABLES])
    frame, meta = pyreadstat.read_sav(path)
    assert len(frame) == 0
    assert meta.number_rows == 0
    assert list(frame.columns) == [v.name for v in VARIABLES]
    assert meta.column_names_to_labels["explanation"] == "Toelichting"


def test_small_whole_numbers_take_one_byte(tmp_path: Path) -> None:
    variables = [SavVariable(f"number_{i}") for i in range(8)]
    rows = 10_000
    small = _write(tmp_path / "s.sav", [np.arange(rows) % 150 for _ in variables], rows, variables)
    large = _write(tmp_path / "l.sav", [np.arange(rows) + 0.5 for _ in variables], rows, variables)
    # Compressed, a row of eight small numbers is one block of eight codes: 8 bytes, not 64.
    assert large.stat().st_size - small.stat().st_size == rows * 64
    frame, _ = pyreadstat.read_sav(small)
    assert frame["number_7"].tolist() == (np.arange(rows) % 150).tolist()


def test_a_value_wider_than_its_variable_is_refused(tmp_path: Path) -> None:
    writer = SavWriter(tmp_path / "w.sav", [SavVariable("code", width=2)])
    with pytest.raises(ValueError, match="3 bytes does not fit its width 2"):
        writer.write([["ëa"]])
    writer.write([["ë"]])
    writer.close()
    assert pyreadstat.read_sav(tmp_path / "w.sav")[0]["code"].tolist() == ["ë"]


def test_names_spss_cannot_hold_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="a name of 1 to 64 bytes"):
        SavWriter(tmp_path / "n.sav", [SavVariable("x" * 65)])
    assert not (tmp_path / "n.sav").exists()


_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=300
).filter(lambda text: len(text.encode()) <= 300)


@settings(max_examples=30, deadline=None)
@given(
    # Readers take SPSS's HIGHEST and LOWEST (±DBL_MAX, its missing-value bounds) as missing.
    numbers=st.lists(st.floats(-1e300, 1e300) | st.just(np.nan), min_size=1, max_size=40),
    texts=st.data(),
)
def test_any_numbers_and_texts_come_back(
    tmp_path_factory: Any, numbers: list[float], texts: Any
) -> None:
    words = texts.draw(st.lists(_TEXT, min_size=len(numbers), max_size=len(numbers)))
    width = max(1, *(len(w.encode()) for w in words))
    variables = [SavVariable("number"), SavVariable("text", width=width)]
    path = tmp_path_factory.mktemp("any") / "any.sav"
    _write(path, [np.array(numbers), pa.array(words)], 7, variables)
    frame, _ = pyreadstat.read_sav(path)
    np.testing.assert_array_equal(frame["number"].to_numpy(), np.array(numbers))
    assert frame["text"].tolist() == words


def test_a_chunk_encoded_in_slices_gives_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    columns = _columns(300, seed=3)
    whole = _write(tmp_path / "whole.sav", columns, 300, VARIABLES).read_bytes()
    # A budget below one case: every row is encoded on its own.
    monkeypatch.setattr(sav_writer, "_SLICE_BYTES", 8)
    assert _write(tmp_path / "sliced.sav", columns, 300, VARIABLES).read_bytes() == whole
