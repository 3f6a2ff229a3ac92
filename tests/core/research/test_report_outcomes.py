"""The report's regression names the predictors it used, no more."""

from __future__ import annotations

import pytest

from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.research.report import outcomes_section, prepare_study
from alliantiemonitor.core.synth import generate


@pytest.mark.parametrize("with_substance", [True, False])
def test_the_predictor_definition_follows_the_data(with_substance: bool) -> None:
    """A study from the web app has no substance-use column; its report still said
    "substance use 0/1" among the predictors of the logistic regression."""
    instrument = default_registry().get("standaard")
    rows = generate(instrument, trajectories=300, seed=11).to_long(submitted_only=True)
    if not with_substance:
        rows = rows.drop(columns=["substance_use"])
    section = outcomes_section(prepare_study(rows, instrument=instrument))
    (result,) = section["results"]
    terms = {row["name"] for row in result["coefficients"]}
    assert ("substance_use" in terms) is with_substance
    assert ("substance use" in result["predictor_definition"]) is with_substance
