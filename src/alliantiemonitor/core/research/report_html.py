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


def escape(value: object) -> str:
    """Text for HTML, quotes included."""
    return html.escape(str(value), quote=True)


def number_text(value: object, digits: int = 3) -> str:
    """A number as the report prints it: fixed digits, "–" for none or not finite."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}" if math.isfinite(value) else "–"
    return str(value)


def p_text(value: object) -> str:
    """A p-value: three digits, "< 0.001" below that."""
    if not isinstance(value, float | int) or isinstance(value, bool):
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _ci(low: object, high: object) -> str:
    return "–" if low is None or high is None else f"[{number_text(low)}, {number_text(high)}]"


def html_table(caption: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A table with a caption and a header row; every cell escaped."""
    head = "".join(f"<th scope='col'>{escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _note(text: object) -> str:
    return f"<p class='note'>{escape(text)}</p>"


# --- sections ------------------------------------------------------------------------------


def _data(section: Mapping[str, Any]) -> str:
    (summary,) = section["results"]
    rows = [
        ["responses", number_text(summary["responses"])],
        ["submitted responses", number_text(summary.get("submitted"))],
        ["trajectories", number_text(summary["trajectories"])],
        ["rows in the trajectories table", number_text(summary["trajectories_table"])],
    ]
    rows += [[f"rows analysed ({k})", number_text(v)] for k, v in summary["rows_analysed"].items()]
    parts = [html_table("The data", ["what", "number"], rows)]
    for column in ("rater", "domain"):
        counts = summary.get(f"per_{column}")
        if counts:
            parts.append(
                html_table(
                    f"Responses and trajectories per {column}",
                    [column, "responses", "trajectories"],
                    [
                        [c[column], number_text(c["responses"]), number_text(c["trajectories"])]
                        for c in counts
                    ],
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
                number_text(r["n"]),
                number_text(r["k"]),
                number_text(r["alpha"]),
                _ci(ci[0], ci[1]),
                number_text(r["omega"]),
                number_text(r["mean"]),
                number_text(r["sd"]),
                r["reason"] or r["omega_reason"] or "",
            ]
        )
        if r["group"] is None and r.get("items"):
            items.append(
                html_table(
                    f"Items of {r['scale']} ({_who(r)})",
                    ["item", "reversed", "n", "mean", "sd", "item-rest r", "alpha if deleted"],
                    [
                        [
                            i["item"],
                            number_text(i["reverse"]),
                            number_text(i["n"]),
                            number_text(i["mean"]),
                            number_text(i["sd"]),
                            number_text(i["item_rest_r"]),
                            number_text(i["alpha_if_deleted"]),
                        ]
                        for i in r["items"]
                    ],
                )
            )
    summary = html_table(
        "Reliability per rater and scale: Cronbach's alpha (95 % CI after Feldt), McDonald's omega",
        ["rater", "scale", "group", "n", "k", "alpha", "95 % CI", "omega", "mean", "sd", "note"],
        rows,
    )
    return summary + "<h3>Items</h3>" + "".join(items)


def _fit_row(label: str, fit: Mapping[str, Any] | None) -> list[str]:
    fit = fit or {}
    return [
        label,
        number_text(fit.get("chi2")),
        number_text(fit.get("df")),
        p_text(fit.get("p_value")),
        number_text(fit.get("cfi")),
        number_text(fit.get("tli")),
        number_text(fit.get("rmsea")),
        _ci(fit.get("rmsea_ci_lower"), fit.get("rmsea_ci_upper")),
        number_text(fit.get("srmr")),
    ]


_FIT_HEADER = ["model", "χ²", "df", "p", "CFI", "TLI", "RMSEA", "90 % CI", "SRMR"]


def _factor(section: Mapping[str, Any]) -> str:
    parts = []
    for r in section["results"]:
        who = _who(r)
        if "steps" in r or r.get("analysis") == "invariance":
            parts.append(
                f"<h3>Measurement invariance by {escape(r.get('group'))} ({escape(who)})</h3>"
            )
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
                        number_text(cmp.get("delta_chi2")),
                        number_text(cmp.get("delta_df")),
                        p_text(cmp.get("p_value")),
                        number_text(cmp.get("delta_cfi")),
                        number_text(cmp.get("delta_rmsea")),
                        step.get("message") or "",
                    ]
                )
            parts.append(
                html_table(
                    f"Configural, metric and scalar invariance ({who})",
                    [*_FIT_HEADER, "Δχ²", "Δdf", "p", "ΔCFI", "ΔRMSEA", "note"],
                    rows,
                )
            )
            continue
        parts.append(f"<h3>Confirmatory factor analysis ({escape(who)})</h3>")
        if r["status"] != "ok":
            parts.append(_note(f"Not estimable: {r.get('message') or r.get('reason')}"))
            continue
        parts.append(
            html_table(
                f"Fit of the correlated-factors model ({who}, n = {r['n']}, listwise)",
                _FIT_HEADER,
                [_fit_row("correlated factors", r.get("fit"))],
            )
        )
        parts.append(
            html_table(
                f"Standardised loadings ({who})",
                ["factor", "item", "loading", "SE"],
                [
                    [ld["factor"], ld["item"], number_text(ld["std"]), number_text(ld["std_se"])]
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
                number_text(r["n"]),
                number_text(pearson["r"]),
                number_text(diff["mean"]),
                p_text(diff["p"]),
                f"{absolute['form']} {number_text(absolute['icc'])}" if absolute else "–",
                f"{number_text(ba['lower_limit'])} to {number_text(ba['upper_limit'])}",
                r["reason"] or "",
            ]
        )
    return html_table(
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
        + html_table(
            "Patterns per rater and characteristic (share of all; of those with 2+ scores)",
            ["rater", "characteristic", "pattern", "n", "share", "share of classified"],
            [
                [
                    s["rater"],
                    s["characteristic"],
                    s["pattern"],
                    number_text(s["n"]),
                    number_text(s["share"]),
                    number_text(s["share_classified"]),
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
        html_table(
            f"Model comparison (chosen: K = {r['chosen_k']} by the lowest BIC)",
            ["K", "log-likelihood", "parameters", "BIC", "AIC", "entropy", "converged"],
            [
                [
                    number_text(c["k"]),
                    number_text(c["log_likelihood"]),
                    number_text(c["n_parameters"]),
                    number_text(c["bic"]),
                    number_text(c["aic"]),
                    number_text(c["entropy"]),
                    number_text(c["converged"]),
                ]
                for c in r["comparison"]
            ],
        )
    )
    classes = r["classes"]
    parts.append(class_chart(classes, max(1, int(r.get("max_round") or 1))))
    parts.append(
        html_table(
            "Classes (ordered by slope)",
            ["class", "size", "weight", "intercept", "slope", "mean posterior"],
            [
                [
                    number_text(c["class"]),
                    number_text(c["size"]),
                    number_text(c["weight"]),
                    number_text(c["intercept"]),
                    number_text(c["slope"]),
                    number_text(c["mean_posterior"]),
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
                f"{number_text(recovery['adjusted_rand_index'])}"
            )
        )
        keys = [k for k in recovery["crosstab"][0] if k != "course"]
        parts.append(
            html_table(
                "Known course against the class found",
                ["course", *keys],
                [
                    [row["course"], *(number_text(row[k]) for k in keys)]
                    for row in recovery["crosstab"]
                ],
            )
        )
    return "".join(parts)


def _coefficients(caption: str, result: Mapping[str, Any], ratio: str) -> str:
    return html_table(
        caption,
        ["term", "estimate", "SE", "z", "p", "95 % CI", ratio, "95 % CI"],
        [
            [
                c["name"],
                number_text(c["estimate"]),
                number_text(c["se"]),
                number_text(c["z"]),
                p_text(c["p_value"]),
                _ci(c["ci_low"], c["ci_high"]),
                number_text(c["ratio"]),
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
        + _note(f"McFadden's pseudo R²: {number_text(r['pseudo_r2'])}")
    )


def _survival(section: Mapping[str, Any]) -> str:
    km, cox = section["results"]
    parts = [_note(km["source"])] if km.get("source") else []
    parts.append(_note(f"Groups: {km['grouping']}; excluded rows: {km['n_excluded']}."))
    if km["status"] == "ok":
        curves = km["curves"]
        parts.append(km_chart(curves))
        parts.append(
            html_table(
                "Kaplan–Meier per alliance tertile",
                ["group", "n", "events", "median months (– = not reached)"],
                [
                    [
                        c["group"],
                        number_text(c["n"]),
                        number_text(c["events"]),
                        number_text(c["median"]),
                    ]
                    for c in curves
                ],
            )
        )
        logrank = km.get("logrank")
        if logrank:
            parts.append(
                _note(
                    f"Log-rank test: χ² = {number_text(logrank['chi2'])}, df = {logrank['df']}, "
                    f"p = {p_text(logrank['p_value'])}"
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
        parts.append(_note(f"Harrell's concordance: {number_text(cox['concordance'])}"))
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
        ["seed", number_text(stamp["seed"])],
        ["group", stamp["group"] or "–"],
        ["missing answers", stamp["missing_description"]],
        ["run at (UTC)", stamp["run_at"]],
    ]
    return html_table("Reproducibility: what went in and what ran", ["what", "value"], rows)


def render_report(report: Mapping[str, Any]) -> str:
    """The report as a self-contained HTML page."""
    body = [f"<h1>{escape(report['title'])}</h1>", _stamp(report["reproducibility"])]
    contents = "".join(
        f"<li><a href='#{escape(s['name'])}'>{escape(_TITLES.get(s['name'], s['name']))}</a>"
        f"{'' if s['status'] == 'ok' else ' (not estimable)'}</li>"
        for s in report["sections"]
    )
    body.append(f"<nav aria-label='Sections'><ul>{contents}</ul></nav>")
    for section in report["sections"]:
        name = section["name"]
        body.append(
            f"<section id='{escape(name)}'><h2>{escape(_TITLES.get(name, name))}</h2>"
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
        f"<title>{escape(report['title'])}</title><style>{_STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
