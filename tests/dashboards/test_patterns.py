"""The dashboard's course patterns follow the course view's rule (the signals rule)."""

from __future__ import annotations

from alliantiemonitor.core.change import Pattern
from alliantiemonitor.core.patterns import course_pattern
from alliantiemonitor.dashboards.team import (
    PATTERN_COLUMNS,
    trajectory_patterns,
)


def test_same_labels_as_the_course_view() -> None:
    cases = [
        ([4.5, 3.5, 2.0], "trust", "client"),
        ([2.0, 3.5, 4.5], "bond", "client"),
        ([3.0, 4.0, 3.0, 4.0, 3.0, 4.0], "trust", "client"),  # up and down: no clear change
        ([4.0], "direction", "client"),
    ]
    labels = trajectory_patterns(cases)
    assert labels == [
        course_pattern(scores, characteristic=key, rater=rater).value
        for scores, key, rater in cases
    ]
    assert labels == ["deteriorating", "improving", "stable", "insufficient"]


def test_no_column_for_a_label_the_rule_does_not_give() -> None:
    assert Pattern.FLUCTUATING.value not in [key for key, _label in PATTERN_COLUMNS]
