"""``alliantiemonitor analyse psychometrics``: reliability, factor structure and agreement.

The command reads the data once, checks them against the mapping (every problem reported,
exit status 1, nothing written), then runs each section of :data:`SECTIONS` in turn. A section
that cannot be estimated on valid data is reported as ``not_estimable`` with its reason and
the others still run. A section is a ``(name, function)`` pair in :data:`SECTIONS`; a function
takes the :class:`AnalysisContext`
(``context.items`` are the reverse-keyed item scores, ``context.mapping.as_dict()`` the plain
``{scale: [items]}``, ``context.items_and_group`` adds the group column) and returns a
:class:`Section`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliantiemonitor.cli.analyse_report import register_report
from alliantiemonitor.cli.files import CommandFailure, load_instrument, read_table
from alliantiemonitor.cli.score import RATER_COLUMN, RATER_SPELLINGS
from alliantiemonitor.core.instrument import RATERS, Instrument, Rater, as_rater
from alliantiemonitor.core.research.agreement import agreement, instrument_pairs
from alliantiemonitor.core.research.cfa import fit_cfa, invariance
from alliantiemonitor.core.research.data import (
    MISSING_POLICIES,
    AnalysisInputError,
    MissingPolicy,
    PreparedData,
    ScaleMapping,
    mapping_from_instrument,
    prepare,
    read_mapping,
)
from alliantiemonitor.core.research.jsonsafe import NOT_ESTIMABLE, OK, Status
from alliantiemonitor.core.research.reliability import reliability
from alliantiemonitor.core.research.report_html import escape as _e
from alliantiemonitor.core.research.report_html import html_table as _table
from alliantiemonitor.core.research.report_html import number_text as _f
from alliantiemonitor.core.research.report_html import p_text as _p
from alliantiemonitor.core.research.report_text import text
from alliantiemonitor.core.research.stamp import file_sha256, software_versions

#: The key that pairs a client's and a professional's response to the same round.
DEFAULT_PAIR_KEY = ("trajectory_id", "round_index")
OUTPUT_FORMATS = ("json", "html")

DESCRIPTION = """\
Analyse item data: --data is a CSV or Parquet file with one row per response and one column
per item; other columns pass through. The scales come from a mapping file (YAML or JSON):

  answer_range: {min: 1, max: 5}         # needed when items are reverse-keyed
  scales:
    trust: [t1, t2, t3]
    friction: {items: [f1, f2, f3, f4], reverse: [f4]}

or from an instrument: --instrument standaard --rater client takes the instrument's
characteristics as scales and the client's items as their items; a 'rater' column, when
present, then selects that rater's rows.

Sections: reliability per scale (and per --group): Cronbach's alpha with Feldt's 95 % interval,
McDonald's omega (maximum-likelihood one-factor model), item-rest correlations, alpha if item
deleted. Factor structure: a confirmatory factor analysis of the mapping as a
correlated-factors model (maximum likelihood): standardised loadings, chi-square, df, p, CFI,
TLI, RMSEA with its 90 % interval, SRMR. Invariance (with --group): configural, metric (equal
loadings) and scalar (equal loadings and intercepts) models across the groups, each with its
fit and the chi-square differences. Agreement (with --instrument, when the data hold both
parties' items): per characteristic Pearson's r, paired mean difference with t-test, ICC,
Bland-Altman limits, on the product's characteristic scores; rows with a 'rater' column are
paired on --pair-key.

Missing answers: --missing listwise (default, as SPSS: per scale only complete rows) or
pairwise (as pingouin: each covariance over the rows that answered both items). Problems in the
data (a missing column, an empty file, a constant item, text, values outside the answer range)
are listed with their rows (counted from 1 under the header); the command then exits with 1.
"""


@dataclass(frozen=True)
class AnalysisContext:
    """What every section gets: the checked data, and where they came from."""

    frame: pd.DataFrame
    data: PreparedData
    mapping: ScaleMapping
    instrument: Instrument | None = None
    rater: Rater | None = None
    group: str | None = None
    pair_key: tuple[str, ...] = DEFAULT_PAIR_KEY

    @property
    def items(self) -> pd.DataFrame:
        """The reverse-keyed item scores (NaN = not answered), as analyses take them."""
        return self.data.items

    @property
    def items_and_group(self) -> pd.DataFrame:
        """The item scores with the ``--group`` column beside them (for comparing groups)."""
        if self.group is None or self.data.groups is None:
            return self.data.items
        return self.data.items.assign(**{self.group: self.data.groups})


@dataclass(frozen=True)
class Section:
    """One part of the output; ``results`` are JSON-safe dicts (each may have its own status)."""

    name: str
    status: Status
    reason: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "results": self.results,
        }


SectionFunction = Callable[[AnalysisContext], Section]


def reliability_section(context: AnalysisContext) -> Section:
    """Reliability of every scale, overall and per group."""
    results = [result.to_dict() for result in reliability(context.data)]
    return Section("reliability", OK, None, results)


def agreement_section(context: AnalysisContext) -> Section:
    """Client versus professional per characteristic (only with an instrument)."""
    if context.instrument is None:
        return Section(
            "agreement",
            NOT_ESTIMABLE,
            "needs --instrument: a mapping file does not say which client and professional "
            "scales belong together",
        )
    try:
        paired, pairs = instrument_pairs(
            context.frame, context.instrument, on=context.pair_key, rater_column=RATER_COLUMN
        )
    except AnalysisInputError as exc:
        return Section("agreement", NOT_ESTIMABLE, "; ".join(exc.problems))
    results = [result.to_dict() for result in agreement(paired, pairs)]
    return Section("agreement", OK, None, results)


def factor_structure_section(context: AnalysisContext) -> Section:
    """Confirmatory factor analysis of the mapping as a correlated-factors model (ML)."""
    result = fit_cfa(context.items, context.mapping.as_dict())
    return Section("factor_structure", result.status, result.message, [result.to_dict()])


def invariance_section(context: AnalysisContext) -> Section:
    """Configural, metric and scalar invariance across the ``--group`` groups."""
    if context.group is None:
        return Section("invariance", NOT_ESTIMABLE, "needs --group: the groups to compare")
    result = invariance(context.items_and_group, context.mapping.as_dict(), context.group)
    return Section("invariance", result.status, result.message, [result.to_dict()])


#: The sections in output order. Append ``(name, function)`` to add one.
SECTIONS: list[tuple[str, SectionFunction]] = [
    ("reliability", reliability_section),
    ("factor_structure", factor_structure_section),
    ("invariance", invariance_section),
    ("agreement", agreement_section),
]


def run_sections(
    context: AnalysisContext, sections: Sequence[tuple[str, SectionFunction]] = ()
) -> list[Section]:
    """Run each section; one that fails on valid data is reported, the rest still run."""
    done = []
    for name, function in sections or SECTIONS:
        try:
            done.append(function(context))
        except (AnalysisInputError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            done.append(Section(name, NOT_ESTIMABLE, f"could not be estimated: {exc}"))
    return done


def register(subparsers: Any) -> None:
    """Add the ``analyse`` command with its ``psychometrics`` sub-command."""
    parser = subparsers.add_parser("analyse", help="research analyses of item data")
    kinds = parser.add_subparsers(dest="analysis", required=True, metavar="ANALYSIS")
    psychometrics = kinds.add_parser(
        "psychometrics",
        help="reliability and client-professional agreement of item data",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    psychometrics.add_argument("--data", type=Path, metavar="FILE", help=".csv or .parquet")
    psychometrics.add_argument("--mapping", type=Path, metavar="FILE", help=".yaml or .json")
    psychometrics.add_argument("--instrument", metavar="ID[@VERSION]", help="e.g. standaard")
    psychometrics.add_argument("--rater", metavar="client|professional")
    psychometrics.add_argument("--group", metavar="COLUMN", help="also analyse per group")
    psychometrics.add_argument(
        "--missing", default="listwise", metavar="listwise|pairwise", help="default: listwise"
    )
    psychometrics.add_argument(
        "--pair-key",
        default=",".join(DEFAULT_PAIR_KEY),
        metavar="COLUMNS",
        help="comma-separated columns that pair client and professional rows "
        f"(default: {','.join(DEFAULT_PAIR_KEY)})",
    )
    psychometrics.add_argument("--format", dest="output_format", metavar="json|html")
    psychometrics.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    psychometrics.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="also load the instruments in this folder (may be repeated)",
    )
    psychometrics.set_defaults(func=run)
    register_report(kinds)  # analyse report: the study report, in its own module


def run(args: argparse.Namespace) -> int:
    """Run the psychometric analyses; return the exit status."""
    try:
        _check_arguments(args)
        context = _context(args)
        sections = run_sections(context)
        report = build_report(args, context, sections)
        text = _json(report) if args.output_format == "json" else render_html(report)
        _write(text, args.out)
    except CommandFailure as failure:
        return failure.report()
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    problems = []
    if args.data is None:
        problems.append("error: --data FILE is required")
    if (args.mapping is None) == (args.instrument is None):
        problems.append("error: give either --mapping FILE or --instrument ID with --rater")
    if args.instrument is not None and args.rater not in RATERS:
        problems.append("error: --instrument needs --rater client or --rater professional")
    if args.mapping is not None and args.rater is not None:
        problems.append("error: --rater goes with --instrument, not with --mapping")
    if args.output_format not in OUTPUT_FORMATS:
        problems.append("error: --format must be json or html")
    if args.missing not in MISSING_POLICIES:
        problems.append("error: --missing must be listwise or pairwise")
    if args.out is not None and not (args.out.parent if str(args.out.parent) else Path()).is_dir():
        problems.append(f"error: {args.out}: the folder {args.out.parent} does not exist")
    if problems:
        raise CommandFailure(*problems)


def _read_data(path: Path) -> pd.DataFrame:
    if path.is_file() and path.stat().st_size == 0:
        raise CommandFailure(f"error: {path}: the file is empty")
    frame = read_table(path)
    # Rows are counted from 1 under the header in every message.
    return frame.set_axis(pd.RangeIndex(1, len(frame) + 1), axis=0)


def _rater_rows(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Spell the rater column the one way the core reads it; refuse values that name no rater."""
    spelled = frame[RATER_COLUMN].astype("string").str.strip().str.lower()
    raters = spelled.map(RATER_SPELLINGS)
    bad = raters.isna() & frame[RATER_COLUMN].notna()
    if bad.any():
        shown = ", ".join(str(row) for row in frame.index[bad][:5])
        raise CommandFailure(
            f"error: {path}: column {RATER_COLUMN}: row(s) {shown} name no rater "
            "(client or professional)"
        )
    return frame.assign(**{RATER_COLUMN: raters})


def _context(args: argparse.Namespace) -> AnalysisContext:
    frame = _read_data(args.data)
    instrument = None
    rater: Rater | None = None
    try:
        if args.instrument is not None:
            instrument = load_instrument(args.instrument, args.dirs)
            rater = as_rater(args.rater)
            mapping = mapping_from_instrument(instrument, rater)
        else:
            mapping = read_mapping(args.mapping)
        rows = None
        if instrument is not None and RATER_COLUMN in frame.columns:
            frame = _rater_rows(frame, args.data)
            rows = frame[RATER_COLUMN].eq(str(rater)).fillna(False).to_numpy(dtype=bool)
            if not rows.any() and not frame.empty:
                raise CommandFailure(
                    f"error: {args.data}: no rows with {rater} in column {RATER_COLUMN}"
                )
        # prepare selects the rater's rows of the item (and group) columns only.
        data = prepare(frame, mapping, missing=args.missing, group=args.group, rows=rows)
    except AnalysisInputError as exc:
        raise CommandFailure(*(f"error: {problem}" for problem in exc.problems)) from None
    pair_key = tuple(column.strip() for column in args.pair_key.split(",") if column.strip())
    return AnalysisContext(frame, data, mapping, instrument, rater, args.group, pair_key)


def build_report(
    args: argparse.Namespace, context: AnalysisContext, sections: Sequence[Section]
) -> dict[str, Any]:
    """The whole output as plain data: what went in, and each section."""
    missing: MissingPolicy = context.data.missing
    return {
        "input": {
            "file": args.data.name,
            "sha256": file_sha256(args.data),
            "rows": len(context.frame),
            "rows_analysed": len(context.data.items),
            "software": software_versions(),
            "missing": missing,
            "missing_description": (
                "listwise: per scale, only rows that answered every item (as SPSS)"
                if missing == "listwise"
                else "pairwise: each covariance over the rows that answered both items "
                "(as pingouin)"
            ),
            "mapping": context.mapping.source,
            "instrument": context.instrument.ref if context.instrument else None,
            "rater": context.rater,
            "group": context.group,
        },
        "analyses": [section.to_dict() for section in sections],
    }


def _json(report: Mapping[str, Any]) -> str:
    # allow_nan=False: a NaN that slipped through is a bug, not a number to print.
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandFailure(f"error: {out}: cannot write the file: {exc.strerror}") from None


# --- HTML ---------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:80rem}
table{border-collapse:collapse;margin:0 0 1.5rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{background:#eee}
.note{color:#555}
"""


def _ci(bounds: Sequence[float | None] | None) -> str:
    if not bounds:
        return "–"
    return f"[{_f(bounds[0])}, {_f(bounds[1])}]"


def _reliability_html(section: Mapping[str, Any]) -> str:
    rows = []
    parts = []
    for result in section["results"]:
        rows.append(
            [
                result["scale"],
                result["group"] or "all",
                _f(result["n"]),
                _f(result["k"]),
                _f(result["alpha"]),
                _ci(result["alpha_ci95"]),
                _f(result["omega"]),
                _f(result["mean"]),
                _f(result["sd"]),
                result["reason"] or result["omega_reason"] or "",
            ]
        )
        if result["items"]:
            parts.append(
                _table(
                    f"Items of {result['scale']} ({result['group'] or 'all'})",
                    [
                        "item",
                        "reversed",
                        "n",
                        "mean",
                        "sd",
                        "item-rest r",
                        "alpha if deleted",
                        "loading",
                    ],
                    [
                        [
                            item["item"],
                            _f(item["reverse"]),
                            _f(item["n"]),
                            _f(item["mean"]),
                            _f(item["sd"]),
                            _f(item["item_rest_r"]),
                            _f(item["alpha_if_deleted"]),
                            _f(item["loading"]),
                        ]
                        for item in result["items"]
                    ],
                )
            )
    summary = _table(
        "Reliability per scale: Cronbach's alpha (95 % CI after Feldt) and McDonald's omega",
        ["scale", "group", "n", "k", "alpha", "95 % CI", "omega", "mean", "sd", "note"],
        rows,
    )
    return summary + "".join(parts)


def _agreement_html(section: Mapping[str, Any]) -> str:
    rows = []
    icc_rows = []
    for result in section["results"]:
        pearson, diff, ba = result["pearson"], result["paired_difference"], result["bland_altman"]
        rows.append(
            [
                result["characteristic"],
                _f(result["n"]),
                _f(pearson["r"]),
                _ci(pearson["ci95"]),
                _f(diff["mean"]),
                _ci(diff["ci95"]),
                _f(diff["t"]),
                _f(diff["df"]),
                _p(diff["p"]),
                f"{_f(ba['lower_limit'])} to {_f(ba['upper_limit'])}",
                "; ".join([result["reason"] or "", *result["notes"]]).strip("; "),
            ]
        )
        icc_rows += [
            [
                result["characteristic"],
                icc["form"],
                _f(icc["applies"]),
                _f(icc["icc"]),
                _ci(icc["ci95"]),
                _f(icc["f"]),
                _p(icc["p"]),
                icc["meaning"],
            ]
            for icc in result["icc"]
        ]
    return _table(
        "Client versus professional per characteristic (difference = client − professional)",
        [
            "characteristic",
            "n",
            "r",
            "95 % CI",
            "mean difference",
            "95 % CI",
            "t",
            "df",
            "p",
            "limits of agreement",
            "note",
        ],
        rows,
    ) + _table(
        "Intraclass correlations (ICC(A,1) absolute agreement and ICC(C,1) consistency apply)",
        ["characteristic", "form", "applies", "ICC", "95 % CI", "F", "p", "meaning"],
        icc_rows,
    )


def _generic_html(section: Mapping[str, Any]) -> str:
    """Sections without their own layout: one key/value table per result."""
    parts = []
    for number, result in enumerate(section["results"], start=1):
        flat = _flatten(result)
        parts.append(_table(f"{section['name']} {number}", ["field", "value"], flat))
    return "".join(parts)


def _flatten(value: Any, prefix: str = "") -> list[list[str]]:
    if isinstance(value, Mapping):
        rows = []
        for key, inner in value.items():
            rows += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list) and any(isinstance(v, Mapping | list) for v in value):
        rows = []
        for index, inner in enumerate(value):
            rows += _flatten(inner, f"{prefix}[{index}]")
        return rows
    text = ", ".join(_f(v) for v in value) if isinstance(value, list) else _f(value)
    return [[prefix, text]]


def _fit_row(label: str, fit: Mapping[str, Any] | None) -> list[str]:
    if fit is None:
        return [label, *["–"] * 7]
    rmsea_ci = f"{_f(fit['rmsea_ci_lower'])}–{_f(fit['rmsea_ci_upper'])}"
    return [
        label,
        _f(fit["chi2"]),
        _f(fit["df"]),
        _f(fit["p_value"]),
        _f(fit["cfi"]),
        _f(fit["tli"]),
        f"{_f(fit['rmsea'])} ({rmsea_ci})",
        _f(fit["srmr"]),
    ]


FIT_HEADER = ["model", "χ²", "df", "p", "CFI", "TLI", "RMSEA (90 % CI)", "SRMR"]


def _factor_structure_html(section: Mapping[str, Any]) -> str:
    result = section["results"][0]
    parts = [
        _table(
            f"Fit of the correlated-factors model (n = {result['n']}, {result['estimator']}, "
            f"{result['missing']})",
            FIT_HEADER,
            [_fit_row("correlated factors", result["fit"])],
        ),
        _table(
            "Standardised loadings",
            ["factor", "item", "loading", "SE"],
            [
                [row["factor"], row["item"], _f(row["std"]), _f(row["std_se"])]
                for row in result["loadings"]
            ],
        ),
        _table(
            "Factor correlations",
            ["factor", "factor", "r", "SE"],
            [
                [row["factor_a"], row["factor_b"], _f(row["estimate"]), _f(row["se"])]
                for row in result["factor_correlations"]
            ],
        ),
    ]
    parts += [f"<p class='note'>{_e(note)}</p>" for note in result["notes"]]
    return "".join(parts)


def _invariance_html(section: Mapping[str, Any]) -> str:
    result = section["results"][0]
    sizes = ", ".join(
        f"{g}: {n}" for g, n in zip(result["groups"], result["group_sizes"], strict=True)
    )
    rows = []
    differences = []
    for step in result["steps"]:
        rows.append(_fit_row(step["level"], step["fit"]))
        comparison = step["comparison"]
        if comparison is not None:
            differences.append(
                [
                    f"{step['level']} vs {comparison['against']}",
                    _f(comparison["delta_chi2"]),
                    _f(comparison["delta_df"]),
                    _f(comparison["p_value"]),
                    _f(comparison["delta_cfi"]),
                    _f(comparison["delta_rmsea"]),
                ]
            )
    return "".join(
        [
            _table(f"Invariance across {result['group']} ({sizes})", FIT_HEADER, rows),
            _table(
                "Differences between successive models",
                ["step", "Δχ²", "Δdf", "p", "ΔCFI", "ΔRMSEA"],
                differences,
            ),
        ]
    )


#: Section name → its heading, a text of the report's table (English and Dutch). A section
#: without one is named after itself, its underscores as spaces.
SECTION_HEADINGS: dict[str, str] = {
    "reliability": "Reliability",
    "factor_structure": "Factor structure",
    "invariance": "Measurement invariance",
    "agreement": "Agreement between client and professional",
}


def section_heading(name: str, language: str = "en") -> str:
    """The heading of section ``name`` in ``language`` (the page is English: ``en``)."""
    if name in SECTION_HEADINGS:
        return text(SECTION_HEADINGS[name], language)
    return name.replace("_", " ").capitalize()


#: Section name → its HTML layout; other sections get :func:`_generic_html`.
HTML_LAYOUTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "reliability": _reliability_html,
    "factor_structure": _factor_structure_html,
    "invariance": _invariance_html,
    "agreement": _agreement_html,
}


def render_html(report: Mapping[str, Any]) -> str:
    """A self-contained page (no external assets) with one heading and tables per section."""
    source = report["input"]
    facts = [
        ["file", source["file"]],
        ["SHA-256", source["sha256"]],
        ["rows", _f(source["rows"])],
        ["rows analysed", _f(source["rows_analysed"])],
        ["scales from", source["mapping"]],
        ["missing answers", source["missing_description"]],
        ["group", source["group"] or "–"],
        ["software", ", ".join(f"{k} {v}" for k, v in source["software"].items())],
    ]
    body = [
        "<h1>Psychometric analyses</h1>",
        _table("Input", ["", ""], facts),
    ]
    for section in report["analyses"]:
        body.append(f"<h2>{_e(section_heading(section['name']))}</h2>")
        if section["status"] != OK:
            body.append(f"<p class='note'>Not estimable: {_e(section['reason'])}</p>")
            continue
        layout = HTML_LAYOUTS.get(section["name"], _generic_html)
        body.append(layout(section))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Psychometric analyses: {_e(source['file'])}</title>"
        f"<style>{_STYLE}</style></head><body><main>{''.join(body)}</main></body></html>\n"
    )
