"""The time to recidivism per trajectory, from a study's follow-up outcomes.

The study report's survival section (Kaplan–Meier by alliance tertile, Cox regression) reads a
table with one row per trajectory: ``trajectory_id``, ``recidivism_months`` and
``recidivism_observed`` (:data:`~alliantiemonitor.core.research.report.DURATION`,
:data:`~alliantiemonitor.core.research.report.OBSERVED`). The command reads it from a file; a
study's report builds it here from the follow-up outcomes imported for the study
(:func:`~alliantiemonitor.research.followup.followup_frame`, consenting trajectories only) and
the trajectories' end dates (the ``end_date`` of the study's table).

Choices (docs/research/report.md, "Survival"):

* **The event** is the first follow-up outcome of a kind in :data:`EVENT_KINDS` (recidivism or
  reconviction) with value 1, dated on or after the trajectory's end: the research question is
  reoffending in the years after supervision. A *rearrest* (arrest or suspicion) does not count:
  it is police contact, not an established offence. Outcomes dated before the end are offences
  during supervision, not recidivism after it.
* **The time** is in months of :data:`DAYS_PER_MONTH` days from the end to the event's date. The
  file reports "reoffended by this date", so the date is when it became known: the time is an
  upper bound of the true one.
* **Without an event** the trajectory is censored at the last follow-up date known for it: the
  latest outcome date of any kind, and at least the end (so a trajectory with only outcomes
  before its end is censored at 0 months).
* **Left out** (not known): a trajectory that has not ended, and an ended one without any
  follow-up outcome. The section's note counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from alliantiemonitor.core.research.report import DURATION, OBSERVED, TRAJECTORY
from alliantiemonitor.core.research.report_text import text
from alliantiemonitor.research.constants import FollowUpKind
from alliantiemonitor.research.followup import followup_frame
from alliantiemonitor.research.models import Study

#: Follow-up kinds whose value 1 is the event (see the module's docstring for rearrest).
EVENT_KINDS = frozenset({FollowUpKind.RECIDIVISM.value, FollowUpKind.RECONVICTION.value})
#: Days in a month: a year of 365.25 days over twelve.
DAYS_PER_MONTH = 30.4375
#: The survival section's reason when the study has no follow-up outcomes at all.
NO_FOLLOWUP = (
    "no follow-up outcomes imported for this study (a researcher imports them on the "
    "study's page, under follow-up outcomes)"
)
COLUMNS = (TRAJECTORY, DURATION, OBSERVED)


@dataclass(frozen=True)
class SurvivalInputs:
    """The per-trajectory table and what it left out (of the trajectories in the data)."""

    table: pd.DataFrame
    trajectories: int
    not_ended: int
    no_followup: int
    #: Whether the study has any follow-up outcome of a consenting trajectory.
    has_followup: bool

    @property
    def left_out(self) -> int:
        return self.not_ended + self.no_followup

    def _left_out_text(self, language: str) -> str:
        if not self.left_out:
            return text("none left out", language)
        reasons = []
        if self.not_ended:
            reasons.append(text("{n} not ended", language, n=self.not_ended))
        if self.no_followup:
            reasons.append(text("{n} without any follow-up outcome", language, n=self.no_followup))
        return text(
            "{n} trajectory left out (time not known): {reasons}"
            if self.left_out == 1
            else "{n} trajectories left out (time not known): {reasons}",
            language,
            n=self.left_out,
            reasons=", ".join(reasons),
        )

    def reason_in(self, language: str) -> str | None:
        """Why the section cannot run (no row to analyse), in ``language``; ``None`` when it can."""
        if not self.has_followup:
            return text(NO_FOLLOWUP, language)
        if len(self.table):
            return None
        return text(
            "no trajectory in the data has a known time to recidivism: {left_out}",
            language,
            left_out=self._left_out_text(language),
        )

    @property
    def reason(self) -> str | None:
        """:meth:`reason_in` English (the report's data)."""
        return self.reason_in("en")

    def note_in(self, language: str) -> str:
        """Where the times came from, and how many were left out and why, in ``language``."""
        return text(
            "Time to recidivism from the study's follow-up outcomes: months (days / {days}) "
            "from the end of the trajectory to the first recidivism or reconviction reported "
            "on or after it; without one, censored at the latest follow-up date known. "
            "{n} of {total} in the data; {left_out}.",
            language,
            days=DAYS_PER_MONTH,
            n=len(self.table),
            total=text(
                "{n} trajectory" if self.trajectories == 1 else "{n} trajectories",
                language,
                n=self.trajectories,
            ),
            left_out=self._left_out_text(language),
        )

    @property
    def note(self) -> str:
        """:meth:`note_in` English (the report's data)."""
        return self.note_in("en")


def _row(trajectory_id: str, end: pd.Timestamp, outcomes: pd.DataFrame) -> dict[str, object]:
    after = outcomes[(outcomes["date"] >= end).to_numpy()]
    events = after[(after["outcome"].isin(EVENT_KINDS) & after["value"].ge(1)).to_numpy()]
    if len(events):
        until, observed = events["date"].min(), 1
    else:
        until, observed = max(outcomes["date"].max(), end), 0
    return {
        TRAJECTORY: trajectory_id,
        DURATION: (until - end).days / DAYS_PER_MONTH,
        OBSERVED: observed,
    }


def survival_inputs(study: Study, data: pd.DataFrame) -> SurvivalInputs:
    """The time to recidivism of each trajectory of ``data`` (rows of ``study_table``).

    ``data`` needs ``trajectory_id`` and ``end_date``; the table has a row per trajectory whose
    time is known, in ``trajectory_id`` order.
    """
    ends = pd.to_datetime(data.groupby(TRAJECTORY, sort=True)["end_date"].first())
    followup = followup_frame(study, trajectory_ids=True)
    has_followup = bool(len(followup))
    followup = followup[followup[TRAJECTORY].isin(ends.index).to_numpy()]
    per_trajectory = {str(key): rows for key, rows in followup.groupby(TRAJECTORY, sort=False)}
    rows = []
    not_ended = no_followup = 0
    for trajectory_id, end in ends.items():
        if pd.isna(end):
            not_ended += 1
        elif (outcomes := per_trajectory.get(str(trajectory_id))) is None:
            no_followup += 1
        else:
            rows.append(_row(str(trajectory_id), end, outcomes))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table[DURATION] = table[DURATION].astype("float64")
    table[OBSERVED] = table[OBSERVED].astype("int64")
    return SurvivalInputs(
        table=table,
        trajectories=len(ends),
        not_ended=not_ended,
        no_followup=no_followup,
        has_followup=has_followup,
    )
