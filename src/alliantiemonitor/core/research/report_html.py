"""The study report as one self-contained HTML page: tables with captions and SVG figures.

No external assets (styles inline, figures inline SVG), every text escaped, headings in
order (one ``h1``, an ``h2`` per section, ``h3`` within). The figures come from
:mod:`.report_svg`; the table beside each holds the same numbers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alliantiemonitor.core.research.report_svg import class_chart, km_chart, share_chart

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:80rem}
table{border-collapse:collapse;margin:0 0 1.5rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{background:#eee}
figure{margin:0 0 1.5rem}
figcaption{font-weight:600;margin:.25rem 0}
.note{color:#555}
svg text{font:12px system-ui,sans-serif;fill:#1a1a1a}
@media print{body{margin:0}section{break-inside:avoid-page}}
"""


_TITLES = {
    "data": "Data",
    "reliability": "Reliability",
    "factor_structure": "Factor structure and measurement invariance",
    "agreement": "Agreement between client and professional",
    "change": "Change: reliable-change patterns",
    "trajectory_classes": "Trajectory classes",
    "outcomes": "Outcomes: premature negative end",
    "survival": "Survival: time to recidivism",
}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _f(value: object, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}" if math.isfinite(value) else "–"
    return str(value)


def _p(value: object) -> str:
    if not isinstance(value, float | int) or isinstance(value, bool):
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _ci(low: object, high: object) -> str:
    return "–" if low is None or high is None else f"[{_f(low)}, {_f(high)}]"


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th scope='col'>{_e(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _note(text: object) -> str:
    return f"<p class='note'>{_e(text)}</p>"


# --- sections ------------------------------------------------------------------------------


def _data(section: Mapping[str, Any]) -> str:
    (summary,) = section["results"]
    rows = [
        ["responses", _f(summary["responses"])],
        ["submitted responses", _f(summary.get("submitted"))],
        ["trajectories", _f(summary["trajectories"])],
        ["rows in the trajectories table", _f(summary["trajectories_table"])],
    ]
    rows += [[f"rows analysed ({k})", _f(v)] for k, v in summary["rows_analysed"].items()]
    parts = [_table("The data", ["what", "number"], rows)]
    for column in ("rater", "domain"):
        counts = summary.get(f"per_{column}")
        if counts:
            parts.append(
                _table(
                    f"Responses and trajectories per {column}",
                    [column, "responses", "trajectories"],
                    [[c[column], _f(c["responses"]), _f(c["trajectories"])] for c in counts],
                )
            )
    return "".join(parts)


def _who(result: Mapping[str, Any]) -> str:
    return str(result.get("rater") or "all rows")


def _reliability(section: Mapping[str, Any]) -> str:
    rows = []
    items = []
    for r in section["results"]:
        ci = r.get("alpha_ci95") or [None, None]
        rows.append(
            [
                _who(r),
                r["scale"],
                r["group"] or "all",
                _f(r["n"]),
                _f(r["k"]),
                _f(r["alpha"]),
                _ci(ci[0], ci[1]),
                _f(r["omega"]),
                _f(r["mean"]),
                _f(r["sd"]),
                r["reason"] or r["omega_reason"] or "",
            ]
        )
        if r["group"] is None and r.get("items"):
            items.append(
                _table(
                    f"Items of {r['scale']} ({_who(r)})",
                    ["item", "reversed", "n", "mean", "sd", "item-rest r", "alpha if deleted"],
                    [
                        [
                            i["item"],
                            _f(i["reverse"]),
                            _f(i["n"]),
                            _f(i["mean"]),
                            _f(i["sd"]),
                            _f(i["item_rest_r"]),
                            _f(i["alpha_if_deleted"]),
                        ]
                        for i in r["items"]
                    ],
                )
            )
    summary = _table(
        "Reliability per rater and scale: Cronbach's alpha (95 % CI after Feldt), McDonald's omega",
        ["rater", "scale", "group", "n", "k", "alpha", "95 % CI", "omega", "mean", "sd", "note"],
        rows,
    )
    return summary + "<h3>Items</h3>" + "".join(items)


def _fit_row(label: str, fit: Mapping[str, Any] | None) -> list[str]:
    fit = fit or {}
    return [
        label,
        _f(fit.get("chi2")),
        _f(fit.get("df")),
        _p(fit.get("p_value")),
        _f(fit.get("cfi")),
        _f(fit.get("tli")),
        _f(fit.get("rmsea")),
        _ci(fit.get("rmsea_ci_lower"), fit.get("rmsea_ci_upper")),
        _f(fit.get("srmr")),
    ]


_FIT_HEADER = ["model", "χ²", "df", "p", "CFI", "TLI", "RMSEA", "90 % CI", "SRMR"]


def _factor(section: Mapping[str, Any]) -> str:
    parts = []
    for r in section["results"]:
        who = _who(r)
        if "steps" in r or r.get("analysis") == "invariance":
            parts.append(f"<h3>Measurement invariance by {_e(r.get('group'))} ({_e(who)})</h3>")
            if r["status"] != "ok":
                parts.append(_note(f"Not estimable: {r.get('message') or r.get('reason')}"))
                continue
            sizes = ", ".join(
                f"{g}: {n}" for g, n in zip(r["groups"], r["group_sizes"], strict=False)
            )
            parts.append(_note(f"Groups (complete rows): {sizes}"))
            rows = []
            for step in r["steps"]:
                cmp = step.get("comparison") or {}
                rows.append(
                    [
                        *_fit_row(step["level"], step.get("fit")),
                        _f(cmp.get("delta_chi2")),
                        _f(cmp.get("delta_df")),
                        _p(cmp.get("p_value")),
                        _f(cmp.get("delta_cfi")),
                        _f(cmp.get("delta_rmsea")),
                        step.get("message") or "",
                    ]
                )
            parts.append(
                _table(
                    f"Configural, metric and scalar invariance ({who})",
                    [*_FIT_HEADER, "Δχ²", "Δdf", "p", "ΔCFI", "ΔRMSEA", "note"],
                    rows,
                )
            )
            continue
        parts.append(f"<h3>Confirmatory factor analysis ({_e(who)})</h3>")
        if r["status"] != "ok":
            parts.append(_note(f"Not estimable: {r.get('message') or r.get('reason')}"))
            continue
        parts.append(
            _table(
                f"Fit of the correlated-factors model ({who}, n = {r['n']}, listwise)",
                _FIT_HEADER,
                [_fit_row("correlated factors", r.get("fit"))],
            )
        )
        parts.append(
            _table(
                f"Standardised loadings ({who})",
                ["factor", "item", "loading", "SE"],
                [
                    [ld["factor"], ld["item"], _f(ld["std"]), _f(ld["std_se"])]
                    for ld in r["loadings"]
                ],
            )
        )
    return "".join(parts)


def _agreement(section: Mapping[str, Any]) -> str:
    rows = []
    for r in section["results"]:
        pearson, diff, ba = r["pearson"], r["paired_difference"], r["bland_altman"]
        icc = {i["form"]: i for i in r["icc"] if i.get("applies")}
        absolute = next(iter(icc.values()), None)
        rows.append(
            [
                r["characteristic"],
                _f(r["n"]),
                _f(pearson["r"]),
                _f(diff["mean"]),
                _p(diff["p"]),
                f"{absolute['form']} {_f(absolute['icc'])}" if absolute else "–",
                f"{_f(ba['lower_limit'])} to {_f(ba['upper_limit'])}",
                r["reason"] or "",
            ]
        )
    return _table(
        "Client versus professional per characteristic (difference = client − professional)",
        ["characteristic", "n", "r", "mean difference", "p", "ICC", "limits of agreement", "note"],
        rows,
    )


def _change(section: Mapping[str, Any]) -> str:
    (r,) = section["results"]
    shares = r["shares"]
    return (
        _note(f"Method: {r['method']}; missing scores: {r['missing']}; series: {r['n_series']}.")
        + share_chart(shares)
        + _table(
            "Patterns per rater and characteristic (share of all; of those with 2+ scores)",
            ["rater", "characteristic", "pattern", "n", "share", "share of classified"],
            [
                [
                    s["rater"],
                    s["characteristic"],
                    s["pattern"],
                    _f(s["n"]),
                    _f(s["share"]),
                    _f(s["share_classified"]),
                ]
                for s in shares
            ],
        )
    )


def _classes(section: Mapping[str, Any]) -> str:
    (r,) = section["results"]
    parts = [
        _note(
            f"Alliance (mean of the positive characteristics over both raters) per round; "
            f"trajectories with {r['min_rounds']}+ rounds: {r['n']} ({r['n_excluded']} left out); "
            f"seed {r['seed']}."
        )
    ]
    if r["status"] != "ok":
        return "".join(parts) + _note(f"Not estimable: {r['reason']}")
    parts.append(
        _table(
            f"Model comparison (chosen: K = {r['chosen_k']} by the lowest BIC)",
            ["K", "log-likelihood", "parameters", "BIC", "AIC", "entropy", "converged"],
            [
                [
                    _f(c["k"]),
                    _f(c["log_likelihood"]),
                    _f(c["n_parameters"]),
                    _f(c["bic"]),
                    _f(c["aic"]),
                    _f(c["entropy"]),
                    _f(c["converged"]),
                ]
                for c in r["comparison"]
            ],
        )
    )
    classes = r["classes"]
    parts.append(class_chart(classes, max(1, int(r.get("max_round") or 1))))
    parts.append(
        _table(
            "Classes (ordered by slope)",
            ["class", "size", "weight", "intercept", "slope", "mean posterior"],
            [
                [
                    _f(c["class"]),
                    _f(c["size"]),
                    _f(c["weight"]),
                    _f(c["intercept"]),
                    _f(c["slope"]),
                    _f(c["mean_posterior"]),
                ]
                for c in classes
            ],
        )
    )
    recovery = r.get("recovery")
    if recovery:
        parts.append(
            _note(
                f"Adjusted Rand index against the column {recovery['truth_column']}: "
                f"{_f(recovery['adjusted_rand_index'])}"
            )
        )
        keys = [k for k in recovery["crosstab"][0] if k != "course"]
        parts.append(
            _table(
                "Known course against the class found",
                ["course", *keys],
                [[row["course"], *(_f(row[k]) for k in keys)] for row in recovery["crosstab"]],
            )
        )
    return "".join(parts)


def _coefficients(caption: str, result: Mapping[str, Any], ratio: str) -> str:
    return _table(
        caption,
        ["term", "estimate", "SE", "z", "p", "95 % CI", ratio, "95 % CI"],
        [
            [
                c["name"],
                _f(c["estimate"]),
                _f(c["se"]),
                _f(c["z"]),
                _p(c["p_value"]),
                _ci(c["ci_low"], c["ci_high"]),
                _f(c["ratio"]),
                _ci(c["ratio_low"], c["ratio_high"]),
            ]
            for c in result.get("coefficients") or []
        ],
    )


def _outcomes(section: Mapping[str, Any]) -> str:
    (r,) = section["results"]
    head = _note(
        f"Outcome: {r['outcome_definition']}; predictors: {r['predictor_definition']}. "
        f"n = {r['n']}, events = {r['events']}, excluded = {r['n_excluded']}."
    )
    if r["status"] != "ok":
        return head + _note(f"Not estimable: {r['reason']}")
    return (
        head
        + _coefficients("Logistic regression of a premature negative end", r, "odds ratio")
        + _note(f"McFadden's pseudo R²: {_f(r['pseudo_r2'])}")
    )


def _survival(section: Mapping[str, Any]) -> str:
    km, cox = section["results"]
    parts = [_note(f"Groups: {km['grouping']}; excluded rows: {km['n_excluded']}.")]
    if km["status"] == "ok":
        curves = km["curves"]
        parts.append(km_chart(curves))
        parts.append(
            _table(
                "Kaplan–Meier per alliance tertile",
                ["group", "n", "events", "median months (– = not reached)"],
                [[c["group"], _f(c["n"]), _f(c["events"]), _f(c["median"])] for c in curves],
            )
        )
        logrank = km.get("logrank")
        if logrank:
            parts.append(
                _note(
                    f"Log-rank test: χ² = {_f(logrank['chi2'])}, df = {logrank['df']}, "
                    f"p = {_p(logrank['p_value'])}"
                )
            )
        else:
            parts.append(_note(f"No log-rank test: {km['logrank_reason']}"))
    else:
        parts.append(_note(f"Kaplan–Meier not estimable: {km['reason']}"))
    parts.append("<h3>Cox regression</h3>")
    if cox["status"] == "ok":
        parts.append(
            _coefficients(
                f"Cox regression of the time to recidivism (n = {cox['n']}, events = "
                f"{cox['events']}, ties: {cox['ties']})",
                cox,
                "hazard ratio",
            )
        )
        parts.append(_note(f"Harrell's concordance: {_f(cox['concordance'])}"))
    else:
        parts.append(_note(f"Cox regression not estimable: {cox['reason']}"))
    return "".join(parts)


_LAYOUTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "data": _data,
    "reliability": _reliability,
    "factor_structure": _factor,
    "agreement": _agreement,
    "change": _change,
    "trajectory_classes": _classes,
    "outcomes": _outcomes,
    "survival": _survival,
}


def _stamp(stamp: Mapping[str, Any]) -> str:
    rows = [["study", stamp["study"]]] if stamp.get("study") else []
    rows += [[f"{i['role']}: {i['file']}", f"SHA-256 {i['sha256']}"] for i in stamp["inputs"]]
    instrument = stamp["instrument"]
    rows += [
        ["software", ", ".join(f"{k} {v}" for k, v in stamp["software"].items())],
        ["instrument", f"{instrument['id']} {instrument['version']}" if instrument else "–"],
        ["mapping", stamp["mapping"] or "–"],
        ["seed", _f(stamp["seed"])],
        ["group", stamp["group"] or "–"],
        ["missing answers", stamp["missing_description"]],
        ["run at (UTC)", stamp["run_at"]],
    ]
    return _table("Reproducibility: what went in and what ran", ["what", "value"], rows)


def render_report(report: Mapping[str, Any]) -> str:
    """The report as a self-contained HTML page."""
    body = [f"<h1>{_e(report['title'])}</h1>", _stamp(report["reproducibility"])]
    contents = "".join(
        f"<li><a href='#{_e(s['name'])}'>{_e(_TITLES.get(s['name'], s['name']))}</a>"
        f"{'' if s['status'] == 'ok' else ' (not estimable)'}</li>"
        for s in report["sections"]
    )
    body.append(f"<nav aria-label='Sections'><ul>{contents}</ul></nav>")
    for section in report["sections"]:
        name = section["name"]
        body.append(
            f"<section id='{_e(name)}'><h2>{_e(_TITLES.get(name, name))}</h2>"
            + (
                _LAYOUTS[name](section)
                if section["status"] == "ok" and name in _LAYOUTS
                else _note(f"Not estimable: {section['reason']}")
            )
            + "</section>"
        )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(report['title'])}</title><style>{_STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
