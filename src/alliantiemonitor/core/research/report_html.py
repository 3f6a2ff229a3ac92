"""The study report as one self-contained HTML page: tables with captions and SVG figures.

No external assets (styles inline, figures inline SVG), every text escaped, headings in
order (one ``h1``, an ``h2`` per section, ``h3`` within). The figures come from
:mod:`.report_svg`; the table beside each holds the same numbers.

The page is in Dutch (the default) or English: every text goes through
:mod:`.report_text`, and values from the data that the report names itself (raters, patterns,
alliance levels, its own reasons) are looked up there too.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alliantiemonitor.core.research.report_svg import class_chart, km_chart, share_chart
from alliantiemonitor.core.research.report_text import (
    DEFAULT_LANGUAGE,
    Words,
    characteristic_names,
    check_language,
    text,
)

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


#: Section name → its heading (an English key of the report's texts).
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


def number_text(value: object, digits: int = 3, language: str = "en") -> str:
    """A number as the report prints it: fixed digits, "–" for none or not finite.

    The decimal point stays in Dutch as well (the report says so), so a copied number reads
    the same in any statistics package.
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return text("yes" if value else "no", language)
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


def _data(section: Mapping[str, Any], w: Words) -> str:
    (summary,) = section["results"]
    rows = [
        [w("responses"), number_text(summary["responses"])],
        [w("submitted responses"), number_text(summary.get("submitted"))],
        [w("trajectories"), number_text(summary["trajectories"])],
        [w("rows in the trajectories table"), number_text(summary["trajectories_table"])],
    ]
    rows += [
        [w("rows analysed ({who})", who=w.value(k)), number_text(v)]
        for k, v in summary["rows_analysed"].items()
    ]
    parts = [html_table(w("The data"), [w("what"), w("number")], rows)]
    for column in ("rater", "domain"):
        counts = summary.get(f"per_{column}")
        if counts:
            parts.append(
                html_table(
                    w(f"Responses and trajectories per {column}"),
                    [w(column), w("responses"), w("trajectories")],
                    [
                        [
                            w.value(c[column]),
                            number_text(c["responses"]),
                            number_text(c["trajectories"]),
                        ]
                        for c in counts
                    ],
                )
            )
    return "".join(parts)


def _who(result: Mapping[str, Any], w: Words) -> str:
    return w.value(result.get("rater") or "all rows")


def _reliability(section: Mapping[str, Any], w: Words) -> str:
    rows = []
    items = []
    for r in section["results"]:
        ci = r.get("alpha_ci95") or [None, None]
        rows.append(
            [
                _who(r, w),
                w.term(r["scale"]),
                w.value(r["group"]) if r["group"] is not None else w("all"),
                number_text(r["n"]),
                number_text(r["k"]),
                number_text(r["alpha"]),
                _ci(ci[0], ci[1]),
                number_text(r["omega"]),
                number_text(r["mean"]),
                number_text(r["sd"]),
                w.value(r["reason"] or r["omega_reason"] or ""),
            ]
        )
        if r["group"] is None and r.get("items"):
            items.append(
                html_table(
                    w("Items of {scale} ({who})", scale=w.term(r["scale"]), who=_who(r, w)),
                    [
                        w("item"),
                        w("reversed"),
                        w("n"),
                        w("mean"),
                        w("sd"),
                        w("item-rest r"),
                        w("alpha if deleted"),
                    ],
                    [
                        [
                            i["item"],
                            number_text(i["reverse"], language=w.language),
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
        w(
            "Reliability per rater and scale: Cronbach's alpha (95 % CI after Feldt), "
            "McDonald's omega"
        ),
        [
            w("rater"),
            w("scale"),
            w("group"),
            w("n"),
            w("k"),
            w("alpha"),
            w("95 % CI"),
            w("omega"),
            w("mean"),
            w("sd"),
            w("note"),
        ],
        rows,
    )
    return summary + f"<h3>{escape(w('Items'))}</h3>" + "".join(items)


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


def _fit_header(w: Words) -> list[str]:
    return [w("model"), "χ²", "df", "p", "CFI", "TLI", "RMSEA", w("90 % CI"), "SRMR"]


def _not_estimable(reason: object, w: Words) -> str:
    return _note(w("Not estimable: {reason}", reason=w.value(reason)))


def _factor(section: Mapping[str, Any], w: Words) -> str:
    parts = []
    for r in section["results"]:
        who = _who(r, w)
        if "steps" in r or r.get("analysis") == "invariance":
            heading = w(
                "Measurement invariance by {group} ({who})", group=w.value(r.get("group")), who=who
            )
            parts.append(f"<h3>{escape(heading)}</h3>")
            if r["status"] != "ok":
                parts.append(_not_estimable(r.get("message") or r.get("reason"), w))
                continue
            sizes = ", ".join(
                f"{w.value(g)}: {n}" for g, n in zip(r["groups"], r["group_sizes"], strict=False)
            )
            parts.append(_note(w("Groups (complete rows): {sizes}", sizes=sizes)))
            rows = []
            for step in r["steps"]:
                cmp = step.get("comparison") or {}
                rows.append(
                    [
                        *_fit_row(w.value(step["level"]), step.get("fit")),
                        number_text(cmp.get("delta_chi2")),
                        number_text(cmp.get("delta_df")),
                        p_text(cmp.get("p_value")),
                        number_text(cmp.get("delta_cfi")),
                        number_text(cmp.get("delta_rmsea")),
                        w.value(step.get("message") or ""),
                    ]
                )
            parts.append(
                html_table(
                    w("Configural, metric and scalar invariance ({who})", who=who),
                    [*_fit_header(w), "Δχ²", "Δdf", "p", "ΔCFI", "ΔRMSEA", w("note")],
                    rows,
                )
            )
            continue
        parts.append(f"<h3>{escape(w('Confirmatory factor analysis ({who})', who=who))}</h3>")
        if r["status"] != "ok":
            parts.append(_not_estimable(r.get("message") or r.get("reason"), w))
            continue
        parts.append(
            html_table(
                w(
                    "Fit of the correlated-factors model ({who}, n = {n}, listwise)",
                    who=who,
                    n=r["n"],
                ),
                _fit_header(w),
                [_fit_row(w("correlated factors"), r.get("fit"))],
            )
        )
        parts.append(
            html_table(
                w("Standardised loadings ({who})", who=who),
                [w("factor"), w("item"), w("loading"), "SE"],
                [
                    [
                        w.term(ld["factor"]),
                        ld["item"],
                        number_text(ld["std"]),
                        number_text(ld["std_se"]),
                    ]
                    for ld in r["loadings"]
                ],
            )
        )
    return "".join(parts)


def _agreement(section: Mapping[str, Any], w: Words) -> str:
    rows = []
    for r in section["results"]:
        pearson, diff, ba = r["pearson"], r["paired_difference"], r["bland_altman"]
        icc = {i["form"]: i for i in r["icc"] if i.get("applies")}
        absolute = next(iter(icc.values()), None)
        rows.append(
            [
                w.term(r["characteristic"]),
                number_text(r["n"]),
                number_text(pearson["r"]),
                number_text(diff["mean"]),
                p_text(diff["p"]),
                f"{absolute['form']} {number_text(absolute['icc'])}" if absolute else "–",
                w(
                    "{low} to {high}",
                    low=number_text(ba["lower_limit"]),
                    high=number_text(ba["upper_limit"]),
                ),
                w.value(r["reason"] or ""),
            ]
        )
    return html_table(
        w("Client versus professional per characteristic (difference = client − professional)"),
        [
            w("characteristic"),
            w("n"),
            "r",
            w("mean difference"),
            "p",
            "ICC",
            w("limits of agreement"),
            w("note"),
        ],
        rows,
    )


def _change(section: Mapping[str, Any], w: Words) -> str:
    (r,) = section["results"]
    shares = [
        {
            **s,
            "rater": w.value(s["rater"]),
            "characteristic": w.term(s["characteristic"]),
            "pattern": w.value(s["pattern"]),
        }
        for s in r["shares"]
    ]
    method = w(
        "Method: {method}; missing scores: {missing}; series: {series}.",
        method=r["method"],
        missing=w.value(r["missing"]),
        series=r["n_series"],
    )
    return (
        _note(method)
        + share_chart(shares, w)
        + html_table(
            w("Patterns per rater and characteristic (share of all; of those with 2+ scores)"),
            [
                w("rater"),
                w("characteristic"),
                w("pattern"),
                w("n"),
                w("share"),
                w("share of classified"),
            ],
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


def _classes(section: Mapping[str, Any], w: Words) -> str:
    (r,) = section["results"]
    parts = [
        _note(
            w(
                "Alliance (mean of the positive characteristics over both raters) per round; "
                "trajectories with {min_rounds}+ rounds: {n} ({excluded} left out); seed {seed}.",
                min_rounds=r["min_rounds"],
                n=r["n"],
                excluded=r["n_excluded"],
                seed=r["seed"],
            )
        )
    ]
    if r["status"] != "ok":
        return "".join(parts) + _not_estimable(r["reason"], w)
    parts.append(
        html_table(
            w("Model comparison (chosen: K = {k} by the lowest BIC)", k=r["chosen_k"]),
            [
                "K",
                w("log-likelihood"),
                w("parameters"),
                "BIC",
                "AIC",
                w("entropy"),
                w("converged"),
            ],
            [
                [
                    number_text(c["k"]),
                    number_text(c["log_likelihood"]),
                    number_text(c["n_parameters"]),
                    number_text(c["bic"]),
                    number_text(c["aic"]),
                    number_text(c["entropy"]),
                    number_text(c["converged"], language=w.language),
                ]
                for c in r["comparison"]
            ],
        )
    )
    classes = r["classes"]
    parts.append(class_chart(classes, max(1, int(r.get("max_round") or 1)), w))
    parts.append(
        html_table(
            w("Classes (ordered by slope)"),
            [w("class"), w("size"), w("weight"), "intercept", w("slope"), w("mean posterior")],
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
                w(
                    "Adjusted Rand index against the column {column}: {ari}",
                    column=recovery["truth_column"],
                    ari=number_text(recovery["adjusted_rand_index"]),
                )
            )
        )
        keys = [k for k in recovery["crosstab"][0] if k != "course"]
        parts.append(
            html_table(
                w("Known course against the class found"),
                [w("course"), *(w("class_{label}", label=k.removeprefix("class_")) for k in keys)],
                [
                    [w.value(row["course"]), *(number_text(row[k]) for k in keys)]
                    for row in recovery["crosstab"]
                ],
            )
        )
    return "".join(parts)


def _coefficients(caption: str, result: Mapping[str, Any], ratio: str, w: Words) -> str:
    return html_table(
        caption,
        [w("term"), w("estimate"), "SE", "z", "p", w("95 % CI"), ratio, w("95 % CI")],
        [
            [
                w.term(c["name"]),
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


def _outcomes(section: Mapping[str, Any], w: Words) -> str:
    (r,) = section["results"]
    # The JSON's definition is code (end_kind == '...'); the page says it in words in Dutch.
    outcome = r["outcome_definition"] if w.language == "en" else w("a premature negative end")
    head = _note(
        w(
            "Outcome: {outcome}; predictors: {predictors}. n = {n}, events = {events}, "
            "excluded = {excluded}.",
            outcome=outcome,
            predictors=w.value(r["predictor_definition"]),
            n=r["n"],
            events=r["events"],
            excluded=r["n_excluded"],
        )
    )
    if r["status"] != "ok":
        return head + _not_estimable(r["reason"], w)
    return (
        head
        + _coefficients(w("Logistic regression of a premature negative end"), r, w("odds ratio"), w)
        + _note(w("McFadden's pseudo R²: {value}", value=number_text(r["pseudo_r2"])))
    )


def _survival(section: Mapping[str, Any], w: Words) -> str:
    km, cox = section["results"]
    parts = [_note(w.value(km["source"]))] if km.get("source") else []
    parts.append(
        _note(
            w(
                "Groups: {grouping}; excluded rows: {excluded}.",
                grouping=w.value(km["grouping"]),
                excluded=km["n_excluded"],
            )
        )
    )
    if km["status"] == "ok":
        curves = [{**c, "group": w.value(c["group"])} for c in km["curves"]]
        parts.append(km_chart(curves, w))
        parts.append(
            html_table(
                w("Kaplan–Meier per alliance tertile"),
                [w("group"), w("n"), w("events"), w("median months (– = not reached)")],
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
                    w(
                        "Log-rank test: χ² = {chi2}, df = {df}, p = {p}",
                        chi2=number_text(logrank["chi2"]),
                        df=logrank["df"],
                        p=p_text(logrank["p_value"]),
                    )
                )
            )
        else:
            parts.append(
                _note(w("No log-rank test: {reason}", reason=w.value(km["logrank_reason"])))
            )
    else:
        parts.append(_note(w("Kaplan–Meier not estimable: {reason}", reason=w.value(km["reason"]))))
    parts.append(f"<h3>{escape(w('Cox regression'))}</h3>")
    if cox["status"] == "ok":
        parts.append(
            _coefficients(
                w(
                    "Cox regression of the time to recidivism (n = {n}, events = {events}, "
                    "ties: {ties})",
                    n=cox["n"],
                    events=cox["events"],
                    ties=cox["ties"],
                ),
                cox,
                w("hazard ratio"),
                w,
            )
        )
        parts.append(
            _note(w("Harrell's concordance: {value}", value=number_text(cox["concordance"])))
        )
    else:
        parts.append(
            _note(w("Cox regression not estimable: {reason}", reason=w.value(cox["reason"])))
        )
    return "".join(parts)


_LAYOUTS: dict[str, Callable[[Mapping[str, Any], Words], str]] = {
    "data": _data,
    "reliability": _reliability,
    "factor_structure": _factor,
    "agreement": _agreement,
    "change": _change,
    "trajectory_classes": _classes,
    "outcomes": _outcomes,
    "survival": _survival,
}


def _stamp(stamp: Mapping[str, Any], w: Words) -> str:
    rows = [[w("study"), stamp["study"]]] if stamp.get("study") else []
    rows += [
        [f"{w.value(i['role'])}: {w.value(i['file'])}", f"SHA-256 {i['sha256']}"]
        for i in stamp["inputs"]
    ]
    instrument = stamp["instrument"]
    rows += [
        [w("software"), ", ".join(f"{k} {v}" for k, v in stamp["software"].items())],
        [w("instrument"), f"{instrument['id']} {instrument['version']}" if instrument else "–"],
        [w("mapping"), stamp["mapping"] or "–"],
        [w("seed"), number_text(stamp["seed"])],
        [w("group"), w.value(stamp["group"]) if stamp["group"] else "–"],
        [w("missing answers"), w.value(stamp["missing_description"])],
        [w("run at (UTC)"), stamp["run_at"]],
    ]
    return html_table(
        w("Reproducibility: what went in and what ran"), [w("what"), w("value")], rows
    )


def _title(report: Mapping[str, Any], w: Words) -> str:
    """The page's title in its language: the study's name when the stamp has one."""
    study = report["reproducibility"].get("study")
    return w("Study report: {study}", study=study) if study else w("Study report")


def render_report(report: Mapping[str, Any], *, language: str = DEFAULT_LANGUAGE) -> str:
    """The report as a self-contained HTML page in ``language`` (``nl`` or ``en``).

    The characteristics are called by the instrument's names in that language when the
    report holds them (``characteristic_names``); a mapping's scales keep their own names.
    """
    w = Words(
        check_language(language),
        characteristic_names(report.get("characteristic_names"), language),
    )
    title = _title(report, w)
    body = [f"<h1>{escape(title)}</h1>", _stamp(report["reproducibility"], w)]
    contents = "".join(
        f"<li><a href='#{escape(s['name'])}'>{escape(w(_TITLES.get(s['name'], s['name'])))}</a>"
        f"{'' if s['status'] == 'ok' else escape(w(' (not estimable)'))}</li>"
        for s in report["sections"]
    )
    body.append(f"<nav aria-label='{escape(w('Sections'))}'><ul>{contents}</ul></nav>")
    for section in report["sections"]:
        name = section["name"]
        body.append(
            f"<section id='{escape(name)}'><h2>{escape(w(_TITLES.get(name, name)))}</h2>"
            + (
                _LAYOUTS[name](section, w)
                if section["status"] == "ok" and name in _LAYOUTS
                else _not_estimable(section["reason"], w)
            )
            + "</section>"
        )
    return (
        f"<!DOCTYPE html>\n<html lang='{w.language}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
