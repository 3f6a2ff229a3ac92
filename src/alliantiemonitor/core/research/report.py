"""The study report: every research analysis of one data set, as plain data.

:func:`prepare_study` checks the inputs once (every problem in one
:class:`~alliantiemonitor.core.research.data.AnalysisInputError`); :func:`study_sections` then
runs each section of :data:`SECTIONS` in turn. A section that cannot be estimated on valid data
comes back as ``not_estimable`` with its reason and the others still run. Each section is a
JSON-safe dict ``{name, status, reason, results}``; the numbers are exactly those of the core
functions it calls (reliability, fit_cfa, invariance, agreement, change_patterns,
trajectory_classes, logistic_regression, kaplan_meier, cox_regression), so a reader can
reproduce any of them from a notebook.

Choices the report makes (written into the output as well):

* **Characteristic scores** are the product's own (``core.scoring``: reverse keying, the
  two-thirds rule), per response.
* **Alliance** is the mean of the positive characteristics; per round over both raters for the
  trajectory classes (as docs/analyses/change.md), per trajectory over the client's rounds for
  the outcome models.
* **Trajectory classes** use trajectories with at least :data:`CLASS_MIN_ROUNDS` rounds: a slope
  from two rounds is mostly noise (docs/analyses/change.md, "The limitation, measured").
* **Outcomes** are at trajectory level: the client's mean score per characteristic over the
  rounds; a premature negative end is ``end_kind == "premature_end_negative"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from alliantiemonitor.core.instrument import RATERS, Instrument, Rater
from alliantiemonitor.core.research.agreement import agreement, instrument_pairs
from alliantiemonitor.core.research.cfa import fit_cfa, invariance
from alliantiemonitor.core.research.data import (
    AnalysisInputError,
    MissingPolicy,
    PreparedData,
    ScaleMapping,
    mapping_from_instrument,
    prepare,
)
from alliantiemonitor.core.research.growth import (
    adjusted_rand_index,
    change_patterns,
    references_from_instrument,
    trajectory_classes,
)
from alliantiemonitor.core.research.jsonsafe import NOT_ESTIMABLE, OK, Status, number
from alliantiemonitor.core.research.outcomes import (
    cox_regression,
    kaplan_meier,
    logistic_regression,
)
from alliantiemonitor.core.research.reliability import reliability
from alliantiemonitor.core.scoring import AnswerError
from alliantiemonitor.core.signals import SignalInputError, scores_from_answers

TRAJECTORY = "trajectory_id"
ROUND = "round_index"
RATER = "rater"
#: Rounds a trajectory needs to take part in the trajectory classes.
CLASS_MIN_ROUNDS = 4
CLASS_K_VALUES = (1, 2, 3, 4)
NEGATIVE_END = "premature_end_negative"
ALLIANCE_LEVELS = ("1 low", "2 middle", "3 high")
DURATION = "recidivism_months"
OBSERVED = "recidivism_observed"
SUBSTANCE = "substance_use"
#: Why the survival section cannot run without a trajectories table: the command's wording
#: (another caller passes its own ``trajectories_reason`` to :func:`prepare_study`).
NO_TRAJECTORIES = "needs --trajectories with the time to recidivism"
#: Why there are no alliance tertiles (too few trajectories, or too many equal alliances).
FEW_ALLIANCE_VALUES = "the client's mean alliance takes too few distinct values for tertiles"


@dataclass(frozen=True)
class RaterData:
    """One rater's (or, with a mapping, all rows') checked item data."""

    rater: Rater | None
    mapping: ScaleMapping
    data: PreparedData


@dataclass(frozen=True)
class Study:
    """Everything the sections read: the checked data and the choices of the run."""

    responses: pd.DataFrame
    parts: tuple[RaterData, ...]
    instrument: Instrument | None
    trajectories: pd.DataFrame | None
    seed: int
    group: str | None
    missing: MissingPolicy
    #: Why there is no trajectories table (the survival section's reason when it is ``None``).
    trajectories_reason: str = NO_TRAJECTORIES
    #: Where the trajectories table came from and what it left out; shown with the survival
    #: section's results when given.
    trajectories_note: str | None = None

    @cached_property
    def scores(self) -> pd.DataFrame:
        """One row per response with a score column per characteristic (instrument only).

        Scored once per report: change, classes and outcomes all read the same scores.
        """
        if self.instrument is None:
            raise AnalysisInputError(["needs --instrument: a mapping has no scoring rules"])
        return scores_from_answers(self.instrument, self.responses)

    def positive(self) -> list[str]:
        """The instrument's positive characteristics (their mean is the alliance)."""
        assert self.instrument is not None
        return [c.key for c in self.instrument.characteristics if c.polarity == "positive"]


def prepare_study(
    responses: pd.DataFrame,
    *,
    instrument: Instrument | None = None,
    mapping: ScaleMapping | None = None,
    trajectories: pd.DataFrame | None = None,
    seed: int = 1,
    group: str | None = None,
    missing: MissingPolicy = "listwise",
    trajectories_reason: str | None = None,
    trajectories_note: str | None = None,
) -> Study:
    """Check the inputs; raise :class:`AnalysisInputError` listing every problem.

    With an ``instrument`` the responses need a ``rater`` column holding ``client`` or
    ``professional``, and each rater's rows are checked against that rater's items; with a
    ``mapping`` all rows are checked against its scales. ``trajectories`` (one row per
    trajectory) must have a unique ``trajectory_id``.

    ``trajectories_reason`` is what the survival section says when ``trajectories`` is
    ``None`` (default :data:`NO_TRAJECTORIES`, the command's option); ``trajectories_note``
    says where the table came from and which trajectories it left out, and is reported with
    the survival results.
    """
    if (instrument is None) == (mapping is None):
        raise AnalysisInputError(["give either an instrument or a mapping"])
    problems: list[str] = []
    parts: list[RaterData] = []
    if instrument is not None:
        if RATER not in responses.columns:
            raise AnalysisInputError([f"the data have no {RATER!r} column"])
        raters = responses[RATER].astype("string")
        bad = raters.isna() | ~raters.isin(RATERS)
        if bad.any():
            rows = ", ".join(str(r) for r in responses.index[bad.to_numpy()][:5])
            raise AnalysisInputError(
                [f"column {RATER}: row(s) {rows} name no rater (client or professional)"]
            )
        for rater in RATERS:
            mine = (raters == rater).to_numpy(dtype=bool)
            if not mine.any():
                continue
            scales = mapping_from_instrument(instrument, rater)
            try:
                # prepare takes the rater's rows of the item columns only.
                prepared = prepare(responses, scales, missing=missing, group=group, rows=mine)
                parts.append(RaterData(rater, scales, prepared))
            except AnalysisInputError as exc:
                problems += [f"{rater}: {problem}" for problem in exc.problems]
    else:
        assert mapping is not None
        try:
            parts.append(
                RaterData(None, mapping, prepare(responses, mapping, missing=missing, group=group))
            )
        except AnalysisInputError as exc:
            problems += exc.problems
    if trajectories is not None:
        if TRAJECTORY not in trajectories.columns:
            problems.append(f"the trajectories table has no {TRAJECTORY!r} column")
        elif trajectories[TRAJECTORY].duplicated().any():
            twice = trajectories[TRAJECTORY][trajectories[TRAJECTORY].duplicated()]
            problems.append(
                "the trajectories table has more than one row for "
                + ", ".join(str(t) for t in twice.iloc[:5])
            )
    if not parts and not problems:
        problems.append("the data have no rows")
    if problems:
        raise AnalysisInputError(problems)
    return Study(
        responses,
        tuple(parts),
        instrument,
        trajectories,
        seed,
        group,
        missing,
        trajectories_reason=trajectories_reason or NO_TRAJECTORIES,
        trajectories_note=trajectories_note,
    )


def _section(name: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "status": OK, "reason": None, "results": results}


def _not_estimable(name: str, reason: str) -> dict[str, Any]:
    return {"name": name, "status": NOT_ESTIMABLE, "reason": reason, "results": []}


def _lacks(study: Study, name: str, columns: Sequence[str]) -> dict[str, Any] | None:
    """A not-estimable section when the responses lack any of ``columns``; else ``None``."""
    missing = [c for c in columns if c not in study.responses.columns]
    if not missing:
        return None
    return _not_estimable(name, f"the data have no column(s) {', '.join(missing)}")


def _counts(frame: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    values = frame[column].astype("string").fillna("(missing)")
    rows = []
    for value in sorted(values.unique()):
        mine = frame[(values == value).to_numpy()]
        rows.append(
            {
                column: str(value),
                "responses": len(mine),
                "trajectories": int(mine[TRAJECTORY].nunique())
                if TRAJECTORY in frame.columns
                else None,
            }
        )
    return rows


def data_section(study: Study) -> dict[str, Any]:
    """How many responses and trajectories, per rater and per domain."""
    frame = study.responses
    summary: dict[str, Any] = {
        "analysis": "data",
        "responses": len(frame),
        "trajectories": int(frame[TRAJECTORY].nunique()) if TRAJECTORY in frame.columns else None,
        "rows_analysed": {str(part.rater or "all"): len(part.data.items) for part in study.parts},
        "trajectories_table": None if study.trajectories is None else len(study.trajectories),
    }
    if "submitted" in frame.columns:
        summary["submitted"] = int(frame["submitted"].astype("boolean").fillna(False).sum())
    for column in (RATER, "domain"):
        summary[f"per_{column}"] = _counts(frame, column) if column in frame.columns else None
    return _section("data", [summary])


def _tag(result: dict[str, Any], part: RaterData) -> dict[str, Any]:
    return {"rater": part.rater, **result}


def reliability_section(study: Study) -> dict[str, Any]:
    """Alpha, omega and item statistics per scale and rater (and per group)."""
    results = [
        _tag(result.to_dict(), part) for part in study.parts for result in reliability(part.data)
    ]
    return _section("reliability", results)


def factor_section(study: Study) -> dict[str, Any]:
    """The correlated-factors model per rater and, with a group, measurement invariance."""
    results: list[dict[str, Any]] = []
    for part in study.parts:
        scales = part.mapping.as_dict()
        results.append(_tag(fit_cfa(part.data.items, scales).to_dict(), part))
        if study.group is not None and part.data.groups is not None:
            frame = part.data.items.assign(**{study.group: part.data.groups})
            try:
                steps = invariance(frame, scales, study.group).to_dict()
            except ValueError as exc:
                # The group too: the page names it in the section's heading.
                steps = {
                    "analysis": "invariance",
                    "status": NOT_ESTIMABLE,
                    "reason": str(exc),
                    "group": study.group,
                }
            results.append(_tag(steps, part))
    return _section("factor_structure", results)


def agreement_section(study: Study) -> dict[str, Any]:
    """Client versus professional per characteristic, paired per trajectory and round."""
    if study.instrument is None:
        return _not_estimable(
            "agreement", "needs --instrument: a mapping does not pair client and professional"
        )
    paired, pairs = instrument_pairs(
        study.responses, study.instrument, on=(TRAJECTORY, ROUND), rater_column=RATER
    )
    return _section("agreement", [result.to_dict() for result in agreement(paired, pairs)])


def change_section(study: Study) -> dict[str, Any]:
    """Reliable-change patterns per trajectory, rater and characteristic, and their shares."""
    if study.instrument is None:
        return _not_estimable("change", "needs --instrument: reliable change needs its references")
    result = change_patterns(study.scores, references=references_from_instrument(study.instrument))
    return _section("change", [result.to_dict()])


def alliance_per_round(study: Study, scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of the positive characteristics over both raters, per trajectory and round."""
    return (
        scores.groupby([TRAJECTORY, ROUND])[study.positive()]
        .mean()
        .mean(axis=1)
        .rename("alliance")
        .reset_index()
    )


def classes_section(study: Study) -> dict[str, Any]:
    """Trajectory classes on the alliance's intercept and slope; ARI against a ``course``."""
    if study.instrument is None:
        return _not_estimable("trajectory_classes", "needs --instrument: no alliance score")
    if lacking := _lacks(study, "trajectory_classes", (TRAJECTORY, ROUND)):
        return lacking
    per_round = alliance_per_round(study, study.scores)
    result = trajectory_classes(
        per_round,
        score="alliance",
        min_rounds=CLASS_MIN_ROUNDS,
        k_values=CLASS_K_VALUES,
        seed=study.seed,
    )
    found = result.to_dict()
    found["min_rounds"] = CLASS_MIN_ROUNDS
    found["max_round"] = int(per_round[ROUND].max()) if len(per_round) else None
    found["recovery"] = None
    truth = _known_course(study)
    if result.assignments is not None and truth is not None:
        labels = result.assignments["class"].to_numpy()
        known = truth.reindex(result.assignments["trajectory"]).astype("string")
        # A trajectory without a known course cannot count for or against the recovery.
        has = known.notna().to_numpy()
        courses, labels = known.to_numpy()[has].astype(str), labels[has]
        table = pd.crosstab(courses, labels)
        found["recovery"] = {
            "truth_column": "course",
            "n": int(has.sum()),
            "adjusted_rand_index": number(adjusted_rand_index(courses, labels)),
            "crosstab": [
                {"course": str(course), **{f"class_{c}": int(n) for c, n in row.items()}}
                for course, row in table.iterrows()
            ],
        }
    return _section("trajectory_classes", [found])


def _known_course(study: Study) -> pd.Series | None:
    """Each trajectory's known ``course`` (from the responses, else the trajectories table)."""
    if "course" in study.responses.columns:
        return study.responses.groupby(TRAJECTORY)["course"].first()
    table = study.trajectories
    if table is not None and "course" in table.columns:
        return table.set_index(TRAJECTORY)["course"]
    return None


def per_trajectory(study: Study) -> pd.DataFrame:
    """Per trajectory the client's mean score per characteristic, the alliance and attributes."""
    scores = study.scores
    assert study.instrument is not None
    keys = [c.key for c in study.instrument.characteristics]
    client = scores[scores[RATER].astype(str).eq("client").to_numpy()]
    means = client.groupby(TRAJECTORY)[keys].mean()
    means["alliance"] = means[study.positive()].mean(axis=1)
    attributes = [c for c in ("end_kind", SUBSTANCE, "domain") if c in scores.columns]
    if attributes:
        means = means.join(scores.groupby(TRAJECTORY)[attributes].first())
    if study.trajectories is not None:
        extra = study.trajectories.set_index(TRAJECTORY)
        extra = extra[[c for c in extra.columns if c not in means.columns]]
        means = means.join(extra, how="left")
    return means.reset_index()


def _predictors(study: Study, frame: pd.DataFrame, wanted: Sequence[str]) -> list[str]:
    assert study.instrument is not None
    keys = {c.key for c in study.instrument.characteristics}
    chosen = [w for w in wanted if w in keys] or ["alliance"]
    if SUBSTANCE in frame.columns:
        chosen.append(SUBSTANCE)
    return chosen


def outcomes_section(study: Study) -> dict[str, Any]:
    """Logistic regression of a premature negative end on the client-rated alliance."""
    if study.instrument is None:
        return _not_estimable("outcomes", "needs --instrument: no characteristic scores")
    if lacking := _lacks(study, "outcomes", (TRAJECTORY,)):
        return lacking
    frame = per_trajectory(study)
    if "end_kind" not in frame.columns:
        return _not_estimable("outcomes", "the data have no 'end_kind' column")
    frame = frame.assign(
        negative_end=frame["end_kind"].astype("string").eq(NEGATIVE_END).astype("float")
    )
    frame.loc[frame["end_kind"].isna().to_numpy(), "negative_end"] = np.nan
    predictors = _predictors(study, frame, ("trust", "friction"))
    result = logistic_regression(frame, outcome="negative_end", predictors=predictors).to_dict()
    result["outcome_definition"] = f"end_kind == {NEGATIVE_END!r}"
    # Name only the predictors the model used: without the column, no substance use.
    result["predictor_definition"] = (
        "client's mean score over the rounds; substance use 0/1"
        if SUBSTANCE in predictors
        else "client's mean score over the rounds"
    )
    return _section("outcomes", [result])


def survival_section(study: Study) -> dict[str, Any]:
    """Kaplan–Meier by alliance tertile and Cox regression of the time to recidivism."""
    if study.instrument is None:
        return _not_estimable("survival", "needs --instrument: no characteristic scores")
    if lacking := _lacks(study, "survival", (TRAJECTORY,)):
        return lacking
    if study.trajectories is None:
        return _not_estimable("survival", study.trajectories_reason)
    missing = [c for c in (DURATION, OBSERVED) if c not in study.trajectories.columns]
    if missing:
        return _not_estimable(
            "survival", f"the trajectories table has no column(s) {', '.join(missing)}"
        )
    frame = survival_frame(study)
    km = kaplan_meier(frame, duration=DURATION, event=OBSERVED, group="alliance_level").to_dict()
    km["grouping"] = "tertiles of the client's mean alliance over the rounds"
    if study.trajectories_note is not None:
        km["source"] = study.trajectories_note
    cox = cox_regression(
        frame, duration=DURATION, event=OBSERVED, predictors=_predictors(study, frame, ("trust",))
    ).to_dict()
    return _section("survival", [km, cox])


def survival_frame(study: Study) -> pd.DataFrame:
    """Per trajectory with a time to recidivism: the scores and the alliance tertile."""
    frame = per_trajectory(study)
    frame = frame[frame[DURATION].notna().to_numpy()].reset_index(drop=True)
    edges = frame["alliance"].quantile([0, 1 / 3, 2 / 3, 1]).to_numpy()
    # Equal edges (few distinct alliances) leave a tertile empty; pandas would say so in its
    # own words, which no reader of the report should see.
    if len(frame) == 0 or np.isnan(edges).any() or len(np.unique(edges)) < len(edges):
        raise ValueError(FEW_ALLIANCE_VALUES)
    frame["alliance_level"] = pd.qcut(frame["alliance"], 3, labels=list(ALLIANCE_LEVELS)).astype(
        "string"
    )
    return frame


SectionFunction = Callable[[Study], dict[str, Any]]

#: The sections in report order.
SECTIONS: list[tuple[str, SectionFunction]] = [
    ("data", data_section),
    ("reliability", reliability_section),
    ("factor_structure", factor_section),
    ("agreement", agreement_section),
    ("change", change_section),
    ("trajectory_classes", classes_section),
    ("outcomes", outcomes_section),
    ("survival", survival_section),
]


def study_sections(study: Study) -> list[dict[str, Any]]:
    """Run every section; one that cannot be estimated is reported and the rest still run."""
    done = []
    for name, function in SECTIONS:
        try:
            section = function(study)
        except (AnswerError, SignalInputError) as exc:
            section = _not_estimable(name, f"could not be estimated: {exc}")
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            problems = getattr(exc, "problems", None)
            text = "; ".join(str(p) for p in problems) if problems else str(exc)
            section = _not_estimable(name, f"could not be estimated: {text}")
        done.append(section)
    return done


def section_status(sections: Sequence[dict[str, Any]]) -> dict[str, Status]:
    """Section name → its status (a summary for the top of the report)."""
    return {section["name"]: section["status"] for section in sections}
