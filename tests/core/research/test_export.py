"""Research exports: nothing identifying leaks, keys and dates behave, formats agree."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pyreadstat
import pytest

from alliantiemonitor.core.research.export import (
    ExportOptions,
    ExportResult,
    export_research_data,
    frame_chunks,
)
from alliantiemonitor.core.research.export_columns import ExportInputError
from alliantiemonitor.core.research.pseudonym import SecretError
from alliantiemonitor.core.synth import generate
from tests.core.research.synthetic import standaard

SECRET = b"study-one-secret-of-enough-length-0001"
OTHER_SECRET = b"study-two-secret-of-enough-length-0002"
IDENTIFIERS = (
    "response_id",
    "trajectory_id",
    "client_id",
    "professional_id",
    "organisation_id",
    "team_id",
)
#: Synthetic people only: these names exist nowhere but here.
NAMES = ("Testpersoon Quirijnsma", "Fictief Zandvoortje", "Proefklant Wobbemeijer")
ALL_FORMATS: tuple[Any, ...] = ("csv", "parquet", "sav")


@functools.cache
def _data() -> pd.DataFrame:
    long = generate(standaard(), trajectories=40, seed=5).to_long()
    rng = np.random.default_rng(3)
    n = len(long)
    number = long["trajectory_id"].str[1:].astype(int)
    long.insert(3, "organisation_id", [f"ORGANISATIE-{t % 3:02d}" for t in number])
    long.insert(4, "team_id", [f"TEAM-NOORD-{t % 5:02d}" for t in number])
    long["display_name"] = [NAMES[i % len(NAMES)] for i in range(n)]
    long["remark"] = [
        f"gesprek met {NAMES[i]} over afspraken" if rng.random() < 0.5 else ""
        for i in rng.integers(0, len(NAMES), n)
    ]
    return long


def data() -> pd.DataFrame:
    return _data().copy()


KINDS: dict[str, Any] = {"display_name": "drop"}


def _export(
    tmp_path: Path,
    name: str,
    *,
    frame: pd.DataFrame | None = None,
    chunk_rows: int = 10_000,
    secret: bytes = SECRET,
    **options: Any,
) -> ExportResult:
    options.setdefault("formats", ALL_FORMATS)
    return export_research_data(
        frame_chunks(data() if frame is None else frame, chunk_rows),
        secret=secret,
        out=tmp_path / name,
        options=ExportOptions(**options),
        instrument=standaard(),
        column_kinds=KINDS,
    )


def _parquet(result: ExportResult) -> pd.DataFrame:
    return pd.read_parquet(result.files["parquet"])


def test_no_identifier_or_name_appears_in_any_output_file(tmp_path: Path) -> None:
    frame = data()
    secrets = {v for column in IDENTIFIERS for v in frame[column].astype(str).unique()}
    assert len(secrets) > 100
    for layout in ("long", "wide"):
        for dates in ("month", "shift"):
            result = _export(tmp_path, f"{layout}-{dates}", layout=layout, dates=dates)
            files = sorted(result.folder.iterdir())
            assert {f.name for f in files} >= {"codebook.json", "codebook.html"}
            for path in files:
                content = path.read_bytes()
                for value in [*secrets, *NAMES]:
                    assert value.encode() not in content, (path.name, value)
            # Parquet compresses its pages, so also look at every decoded cell and the metadata.
            table = pq.read_table(result.files["parquet"])
            cells = "\n".join(str(v) for column in table.columns for v in column.to_pylist()) + str(
                pq.read_metadata(result.files["parquet"]).metadata
            )
            for value in [*secrets, *NAMES]:
                assert value not in cells
            # The scan does see into the files: a value that passes through is found.
            for fmt in ("csv", "sav"):
                assert b"jeugdbescherming" in result.files[fmt].read_bytes()
            assert "jeugdbescherming" in cells


def test_names_are_refused_unless_mapped(tmp_path: Path) -> None:
    frame = data().assign(email="iemand@example.org")
    with pytest.raises(ExportInputError) as caught:
        export_research_data(
            frame_chunks(frame), secret=SECRET, out=tmp_path / "x", instrument=standaard()
        )
    message = str(caught.value)
    assert "display_name" in message
    assert "email" in message
    assert not (tmp_path / "x").exists()
    assert list(tmp_path.iterdir()) == []


def test_unknown_columns_are_refused_and_named(tmp_path: Path) -> None:
    frame = data().assign(mysterie=1)
    with pytest.raises(ExportInputError, match="unknown kind: mysterie"):
        _export(tmp_path, "x", frame=frame)
    result = export_research_data(
        frame_chunks(frame),
        secret=SECRET,
        out=tmp_path / "y",
        instrument=standaard(),
        column_kinds={**KINDS, "mysterie": "integer"},
    )
    assert "mysterie" in _read_csv(result).columns


def test_short_or_missing_secret_is_refused(tmp_path: Path) -> None:
    for secret in (b"", b"x" * 31):
        with pytest.raises(SecretError, match="at least 32"):
            _export(tmp_path, "x", secret=secret)
    assert list(tmp_path.iterdir()) == []


def _crockford_bits(key: str) -> int:
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    bits = 0
    for char in key:
        bits = (bits << 5) | alphabet.index(char)
    return bits


def test_keys_are_the_keyed_hash_stable_within_a_study_and_different_across(
    tmp_path: Path,
) -> None:
    frame = data()
    first = _parquet(_export(tmp_path, "a", formats=("parquet",)))
    again = _parquet(_export(tmp_path, "b", formats=("parquet",), chunk_rows=33))
    other = _parquet(_export(tmp_path, "c", formats=("parquet",), secret=OTHER_SECRET))
    for column in IDENTIFIERS:
        assert first[column].tolist() == again[column].tolist()
        assert set(first[column]).isdisjoint(set(other[column]))
        # One key per identifier and one identifier per key (long keeps the row order).
        pairs = pd.DataFrame({"raw": frame[column].astype(str), "key": first[column]})
        assert (pairs.groupby("raw")["key"].nunique() == 1).all()
        assert (pairs.groupby("key")["raw"].nunique() == 1).all()
        assert first[column].str.fullmatch(r"[0-9a-hjkmnp-tv-z]{12}").all()
    # The key is the first 60 bits of HMAC-SHA256(secret, column NUL value), computed here.
    raw, key = frame["client_id"].iloc[0], first["client_id"].iloc[0]
    digest = hmac.new(SECRET, f"client_id\x00{raw}".encode(), hashlib.sha256).digest()
    assert _crockford_bits(key) == int.from_bytes(digest[:8], "big") >> 4
    # The same identifier in two columns gets two keys.
    same = _parquet(
        _export(tmp_path, "d", formats=("parquet",), frame=frame.assign(team_id=frame["client_id"]))
    )
    assert (same["team_id"] != same["client_id"]).all()


def test_shifted_dates_move_all_dates_of_a_client_by_the_same_days(tmp_path: Path) -> None:
    frame = data()
    out = _parquet(_export(tmp_path, "s", formats=("parquet",), dates="shift", shift_days=20))
    moved = pd.to_datetime(out["round_date"]) - pd.to_datetime(frame["round_date"])
    days = moved.dt.days
    per_client = days.groupby(out["client_id"]).nunique()
    assert (per_client == 1).all()
    assert days.abs().max() <= 20
    assert days.groupby(out["client_id"]).first().nunique() > 5
    again = _parquet(_export(tmp_path, "t", formats=("parquet",), dates="shift", shift_days=20))
    assert out["round_date"].tolist() == again["round_date"].tolist()
    other = _parquet(
        _export(
            tmp_path, "u", formats=("parquet",), dates="shift", shift_days=20, secret=OTHER_SECRET
        )
    )
    assert out["round_date"].tolist() != other["round_date"].tolist()


def test_month_coarsening_leaves_only_months(tmp_path: Path) -> None:
    frame = data()
    result = _export(tmp_path, "m", formats=("csv", "parquet"))
    out = _parquet(result)
    assert out["round_date"].str.fullmatch(r"\d{4}-\d{2}").all()
    expected = pd.to_datetime(frame["round_date"]).dt.strftime("%Y-%m")
    assert out["round_date"].tolist() == expected.tolist()
    text = result.files["csv"].read_text(encoding="utf-8")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


def test_free_text_is_left_out_by_default_and_flagged_when_included(tmp_path: Path) -> None:
    default = _export(tmp_path, "d", formats=("csv",))
    columns = _read_csv(default).columns
    assert "remark" not in columns
    assert "legal_frame" not in columns
    assert default.codebook["free_text_included"] == []
    assert set(default.codebook["free_text_excluded"]) == {"legal_frame", "remark"}
    included = _export(tmp_path, "i", formats=("csv",), free_text="include")
    out = _read_csv(included)
    assert {"remark", "legal_frame"} <= set(out.columns)
    assert out["remark"].str.contains(NAMES[0], na=False).any()
    codebook = json.loads((included.folder / "codebook.json").read_text(encoding="utf-8"))
    assert set(codebook["free_text_included"]) == {"legal_frame", "remark"}
    flagged = {v["name"] for v in codebook["variables"] if v["free_text"]}
    assert flagged == {"legal_frame", "remark"}
    assert "FREE TEXT" in (included.folder / "codebook.html").read_text(encoding="utf-8")


def test_sav_has_variable_and_value_labels(tmp_path: Path) -> None:
    instrument = standaard()
    result = _export(tmp_path, "v", formats=("sav",))
    _, meta = pyreadstat.read_sav(result.files["sav"], metadataonly=True)
    labels = meta.column_names_to_labels
    item = instrument.item("c_trust_1")
    assert item.text["nl"] in labels["c_trust_1"]
    assert "Vertrouwen" in labels["c_trust_1"]
    assert labels["client_id"] == "Client (study key)"
    scale = {float(p.value): p.label["nl"] for p in instrument.scale.points}
    for item in instrument.items:
        assert meta.variable_value_labels[item.id] == scale
    assert set(meta.variable_value_labels["rater"].values()) == {"client", "professional"}
    assert set(meta.variable_value_labels["domain"].values()) == set(data()["domain"])
    assert meta.variable_value_labels["submitted"] == {0.0: "no", 1.0: "yes"}


def _read_csv(result: ExportResult) -> pd.DataFrame:
    return pd.read_csv(result.files["csv"], dtype=str, keep_default_na=False).replace("", None)


def _sav_as_parquet_types(result: ExportResult) -> pd.DataFrame:
    """The .sav read back with its labels applied, in the types of the Parquet file."""
    labelled, _ = pyreadstat.read_sav(result.files["sav"], apply_value_formats=True)
    raw, _ = pyreadstat.read_sav(result.files["sav"])
    kinds = {v["name"]: v["kind"] for v in result.codebook["variables"]}
    out = {}
    for name, kind in kinds.items():
        column = labelled[name]
        if kind == "boolean":
            out[name] = column.map({"yes": True, "no": False}).astype("boolean")
        elif kind == "integer":
            out[name] = raw[name].astype("Int64")
        elif kind in ("item", "number"):
            out[name] = raw[name].astype(float)
        elif kind == "date" and result.codebook["options"]["dates"] == "shift":
            out[name] = pd.to_datetime(column).dt.date
        else:
            out[name] = column.astype(object).where(column.astype(str) != "", None)
    return pd.DataFrame(out)


@pytest.mark.parametrize(("layout", "dates"), [("long", "month"), ("wide", "shift")])
def test_parquet_csv_and_sav_hold_the_same_values(tmp_path: Path, layout: str, dates: str) -> None:
    result = _export(tmp_path, "f", layout=layout, dates=dates, free_text="include")
    parquet = pq.read_table(result.files["parquet"])
    csv = pa_csv.read_csv(
        result.files["csv"],
        convert_options=pa_csv.ConvertOptions(
            column_types=parquet.schema, strings_can_be_null=True
        ),
    )
    assert csv.equals(parquet)
    expected = parquet.to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
    )
    sav = _sav_as_parquet_types(result)
    assert list(sav.columns) == list(expected.columns)
    for name in expected.columns:
        left, right = expected[name], sav[name]
        assert left.isna().tolist() == right.isna().tolist(), name
        present = left.notna().to_numpy()
        assert left[present].tolist() == right[present].tolist(), name


def test_wide_agrees_with_long(tmp_path: Path) -> None:
    long = _parquet(_export(tmp_path, "l", formats=("parquet",)))
    wide = _parquet(_export(tmp_path, "w", formats=("parquet",), layout="wide", chunk_rows=7))
    key = ["trajectory_id", "round_index"]
    assert len(wide) == len(long.drop_duplicates(key))
    assert not wide.duplicated(key).any()
    instrument = standaard()
    for rater in ("client", "professional"):
        side = long[long["rater"] == rater].set_index(key)
        mine = wide.set_index(key).loc[side.index]
        assert mine[f"{rater}_response_id"].tolist() == side["response_id"].tolist()
        assert mine[f"{rater}_submitted"].tolist() == side["submitted"].tolist()
        items = [i.id for i in instrument.items_for(rater)]
        pd.testing.assert_frame_equal(mine[items], side[items])
    for column in ("client_id", "domain", "round_date", "professional_id", "n_rounds"):
        per_round = long.drop_duplicates(key).set_index(key)[column]
        assert wide.set_index(key).loc[per_round.index, column].tolist() == per_round.tolist()


def test_codebook_lists_every_column_and_the_file_hashes(tmp_path: Path) -> None:
    for layout in ("long", "wide"):
        result = _export(tmp_path, layout, layout=layout)
        codebook = json.loads((result.folder / "codebook.json").read_text(encoding="utf-8"))
        names = [v["name"] for v in codebook["variables"]]
        assert names == pq.read_schema(result.files["parquet"]).names
        assert names == pd.read_csv(result.files["csv"], nrows=0).columns.tolist()
        assert names == pyreadstat.read_sav(result.files["sav"], metadataonly=True)[1].column_names
        for entry in codebook["files"].values():
            content = (result.folder / entry["name"]).read_bytes()
            assert entry["sha256"] == hashlib.sha256(content).hexdigest()
            assert entry["bytes"] == len(content)
        item = next(v for v in codebook["variables"] if v["name"] == "c_friction_4")
        assert item["instrument"] == {"id": "standaard", "version": "1.0.0"}
        assert item["characteristic"] == "friction"
        reversed_item = next(v for v in codebook["variables"] if v["name"] == "c_trust_5")
        assert reversed_item["reverse_keyed"] is True
        assert codebook["pseudonymisation"]["method"] == "HMAC-SHA256"
        assert codebook["rows"]["input"] == len(data())
        html_text = (result.folder / "codebook.html").read_text(encoding="utf-8")
        for name in names:
            assert f"<td>{name}</td>" in html_text


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_chunked_export_equals_one_shot(tmp_path: Path, layout: str) -> None:
    whole = _export(tmp_path, "whole", layout=layout, chunk_rows=1_000_000)
    pieces = _export(tmp_path, "pieces", layout=layout, chunk_rows=13)
    assert whole.files["csv"].read_bytes() == pieces.files["csv"].read_bytes()
    assert pq.read_table(whole.files["parquet"]).equals(pq.read_table(pieces.files["parquet"]))
    one, _ = pyreadstat.read_sav(whole.files["sav"])
    two, _ = pyreadstat.read_sav(pieces.files["sav"])
    pd.testing.assert_frame_equal(one, two)


def test_a_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    frame = data()
    frame["c_trust_1"] = frame["c_trust_1"].astype(object)
    frame.loc[len(frame) - 1, "c_trust_1"] = 9
    with pytest.raises(ExportInputError, match="c_trust_1: answer"):
        _export(tmp_path, "bad", frame=frame, chunk_rows=50)
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "full"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportInputError, match="not an empty folder"):
        _export(tmp_path, "full")
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_wide_refuses_rounds_whose_shared_columns_differ(tmp_path: Path) -> None:
    frame = data()
    frame.loc[1, "domain"] = (
        "woonbegeleiding" if frame.loc[0, "domain"] != "woonbegeleiding" else "reclassering"
    )
    assert (
        frame.loc[0, ["trajectory_id", "round_index"]].tolist()
        == frame.loc[1, ["trajectory_id", "round_index"]].tolist()
    )
    with pytest.raises(ExportInputError, match="domain: differs"):
        _export(tmp_path, "w", frame=frame, layout="wide")


def test_text_input_gives_the_same_export_as_typed_input(tmp_path: Path) -> None:
    typed = data()
    text = typed.astype(str).replace({"nan": "", "NaT": ""})
    a = _export(tmp_path, "typed", frame=typed, formats=("csv",), free_text="include")
    b = _export(tmp_path, "text", frame=text, formats=("csv",), free_text="include")
    assert a.files["csv"].read_bytes() == b.files["csv"].read_bytes()


def test_a_round_with_one_response_fills_one_side_of_the_wide_row(tmp_path: Path) -> None:
    frame = data()
    professional_rows = frame.index[frame["rater"] == "professional"][:3]
    frame = frame.drop(index=professional_rows).reset_index(drop=True)
    wide = _parquet(_export(tmp_path, "w", frame=frame, formats=("parquet",), layout="wide"))
    assert len(wide) == len(frame.drop_duplicates(["trajectory_id", "round_index"]))
    one_sided = wide["professional_response_id"].isna()
    assert one_sided.sum() == 3
    assert wide.loc[one_sided, "client_response_id"].notna().all()
    assert wide.loc[one_sided, "p_trust_1"].isna().all()


def test_shifting_leaves_the_dates_of_rows_without_a_client_empty(tmp_path: Path) -> None:
    frame = data()
    frame.loc[:4, "client_id"] = None
    out = _parquet(_export(tmp_path, "s", frame=frame, formats=("parquet",), dates="shift"))
    assert out.loc[:4, "round_date"].isna().all()
    assert out.loc[5:, "round_date"].notna().all()


def test_wide_refuses_a_round_whose_rows_are_apart(tmp_path: Path) -> None:
    frame = data()
    moved = pd.concat([frame.iloc[1:], frame.iloc[:1]], ignore_index=True)
    with pytest.raises(ExportInputError, match="1 round\\(s\\) appear in two places"):
        _export(tmp_path, "w", frame=moved, layout="wide", chunk_rows=50)
    assert list(tmp_path.iterdir()) == []


def test_sav_alone_streams_through_a_temporary_file_it_removes(tmp_path: Path) -> None:
    frame = data()
    # Long and non-ASCII free text: the string width grows past 255 bytes in a later chunk.
    frame.loc[len(frame) - 1, "remark"] = "één lange opmerking " * 20
    alone = _export(
        tmp_path, "alone", frame=frame, formats=("sav",), free_text="include", chunk_rows=50
    )
    assert sorted(p.name for p in alone.folder.iterdir()) == [
        "codebook.html",
        "codebook.json",
        "responses.sav",
    ]
    both = _export(tmp_path, "both", frame=frame, free_text="include")
    one, meta = pyreadstat.read_sav(alone.files["sav"])
    two, _ = pyreadstat.read_sav(both.files["sav"])
    pd.testing.assert_frame_equal(one, two)
    assert one["remark"].iloc[-1] == ("één lange opmerking " * 20).rstrip()
    assert meta.original_variable_types["remark"] == "A440"


def test_a_text_too_long_for_spss_is_refused_and_named(tmp_path: Path) -> None:
    frame = data()
    frame.loc[3, "remark"] = "x" * 32_768
    with pytest.raises(ExportInputError, match="remark: texts of 0 to 32767 bytes"):
        _export(tmp_path, "s", frame=frame, formats=("csv", "sav"), free_text="include")
    assert list(tmp_path.iterdir()) == []
