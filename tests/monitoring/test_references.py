"""references_estimate: an organisation's own reference values, and the course using them."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.core.change import estimate_reference
from alliantiemonitor.core.scoring import answers_to_frame
from alliantiemonitor.monitoring.course import trajectory_course
from alliantiemonitor.monitoring.models import ReferenceEstimate, organisation_references
from alliantiemonitor.monitoring.services import references_estimate
from tests.factories import ResponseFactory
from tests.monitoring.helpers import make_round

pytestmark = pytest.mark.django_db

MIN_N = 8


def _answers(instrument, rater, rng):
    """Answers that vary between people but hang together within a characteristic."""
    level = {c.key: int(rng.integers(1, 6)) for c in instrument.characteristics}
    answers = {}
    for item in instrument.items_for(rater):
        value = int(np.clip(level[item.characteristic] + rng.integers(-1, 2), 1, 5))
        answers[item.id] = instrument.scale.reverse(value) if item.reverse else value
    return {k: int(v) for k, v in answers.items()}


def _responses(organisation, instrument, rater, count, seed=1):
    rng = np.random.default_rng(seed)
    records = []
    for _ in range(count):
        answers = _answers(instrument, rater, rng)
        ResponseFactory(
            round__trajectory__client__organisation=organisation,
            round__instrument_version=instrument.version,
            rater=rater,
            mode="own_device" if rater == "client" else "professional_self",
            answers=answers,
            submitted_at=timezone.now(),
        )
        records.append(answers)
    return records


def test_below_the_minimum_nothing_is_stored(organisation, instrument):
    _responses(organisation, instrument, "client", MIN_N - 1)
    assert references_estimate(organisation=organisation, min_n=MIN_N) == 0
    assert not ReferenceEstimate.objects.exists()


def test_stored_values_equal_the_core_estimate_and_a_rerun_changes_nothing(
    organisation, other_organisation, instrument
):
    records = _responses(organisation, instrument, "client", MIN_N + 4)
    # A draft, and another organisation's responses, do not count.
    ResponseFactory(
        round__trajectory__client__organisation=organisation,
        answers=records[0],
        submitted_at=None,
    )
    _responses(other_organisation, instrument, "client", MIN_N - 2, seed=2)

    stored = references_estimate(organisation=organisation, min_n=MIN_N)
    frame = answers_to_frame(records, [item.id for item in instrument.items_for("client")])
    expected = estimate_reference(instrument, frame, "client", min_n=MIN_N)
    assert expected
    assert stored == len(expected)
    own = organisation_references(organisation)[("standaard", instrument.version, "client")]
    assert own.n == MIN_N + 4
    assert set(
        ReferenceEstimate.objects.filter(organisation=organisation).values_list("n", flat=True)
    ) == {MIN_N + 4}
    assert set(own.values) == set(expected)
    for key, values in expected.items():
        assert own.values[key].sd == pytest.approx(values.sd)
        assert own.values[key].reliability == pytest.approx(values.reliability)
    assert AuditEvent.objects.filter(action="reference.estimate").count() == 1

    # Idempotent: the same rows, the same values, no new audit event.
    rows = list(ReferenceEstimate.objects.order_by("pk").values())
    assert references_estimate(min_n=MIN_N) == stored
    assert list(ReferenceEstimate.objects.order_by("pk").values()) == rows
    assert AuditEvent.objects.filter(action="reference.estimate").count() == 1


def test_rows_that_no_longer_qualify_are_deleted(organisation, instrument):
    _responses(organisation, instrument, "client", MIN_N)
    assert references_estimate(organisation=organisation, min_n=MIN_N) > 0
    assert references_estimate(organisation=organisation, min_n=MIN_N + 1) == 0
    assert not ReferenceEstimate.objects.exists()


def _own(organisation, instrument, sd, reliability, n=150, version=None):
    for key in ("direction", "trust", "bond", "friction"):
        ReferenceEstimate.objects.create(
            organisation=organisation,
            instrument_id="standaard",
            instrument_version=version or instrument.version,
            rater="client",
            characteristic=key,
            sd=sd,
            reliability=reliability,
            n=n,
            computed_at=timezone.now(),
        )


def test_the_course_uses_the_organisations_own_values_when_present(
    trajectory, professional, instrument
):
    make_round(trajectory, professional, days_ago=60, client={"trust": 1}, pro={"trust": 3})
    make_round(trajectory, professional, days_ago=5, client={"trust": 3}, pro={"trust": 3})

    course = trajectory_course(trajectory, language="en")
    assert course.own_reference_n is None
    assert course.characteristic("trust").client.points[1].change.reliable

    # A wide spread and a low reliability of its own: two points up are within the noise.
    _own(trajectory.organisation, instrument, sd=1.5, reliability=0.5)
    course = trajectory_course(trajectory, language="en")
    assert course.own_reference_n == 150
    trust = course.characteristic("trust")
    assert trust.client.reference.sd == 1.5
    assert not trust.client.points[1].change.reliable
    # The professional's view has no own values and keeps the questionnaire's.
    assert (
        trust.professional.reference == instrument.characteristic("trust").reference["professional"]
    )


def test_the_course_page_says_which_reference_values_are_used(
    client, trajectory, professional, instrument
):
    make_round(trajectory, professional, days_ago=60, client={"trust": 2}, pro={"trust": 3})
    make_round(trajectory, professional, days_ago=5, client={"trust": 3}, pro={"trust": 3})
    client.force_login(professional)
    url = reverse("monitoring:course", args=[trajectory.uuid])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "provisional reference values of the questionnaire" in page

    _own(trajectory.organisation, instrument, sd=1.5, reliability=0.5, n=123)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "reference values from your organisation's own 123 responses" in page


def test_other_versions_and_organisations_are_not_used(
    trajectory, professional, instrument, other_organisation
):
    make_round(trajectory, professional, days_ago=60, client={"trust": 1}, pro={"trust": 3})
    make_round(trajectory, professional, days_ago=5, client={"trust": 3}, pro={"trust": 3})
    _own(other_organisation, instrument, sd=1.5, reliability=0.5)
    _own(trajectory.organisation, instrument, sd=1.5, reliability=0.5, version="0.0.1")
    course = trajectory_course(trajectory, language="en")
    assert course.own_reference_n is None
    assert course.characteristic("trust").client.points[1].change.reliable


def test_n_counts_the_responses_scored_on_the_characteristic(organisation, instrument):
    records = _responses(organisation, instrument, "client", MIN_N + 3)
    # Two more responses that leave trust unanswered: they count for the other three only.
    for answers in records[:2]:
        blank = {
            item.id: None if item.characteristic == "trust" else answers[item.id]
            for item in instrument.items_for("client")
        }
        ResponseFactory(
            round__trajectory__client__organisation=organisation,
            answers=blank,
            submitted_at=timezone.now(),
        )
    references_estimate(organisation=organisation, min_n=MIN_N)
    n = dict(
        ReferenceEstimate.objects.filter(organisation=organisation).values_list(
            "characteristic", "n"
        )
    )
    assert n["trust"] == MIN_N + 3
    assert n["direction"] == MIN_N + 5


def test_the_own_values_cost_one_query_per_course(trajectory, professional, instrument):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_round(trajectory, professional, days_ago=60, client={"trust": 2}, pro={"trust": 3})
    make_round(trajectory, professional, days_ago=5, client={"trust": 3}, pro={"trust": 3})
    with CaptureQueriesContext(connection) as without:
        trajectory_course(trajectory, language="en")
    _own(trajectory.organisation, instrument, sd=1.5, reliability=0.5)
    with CaptureQueriesContext(connection) as with_own:
        trajectory_course(trajectory, language="en")
    assert len(with_own) == len(without)
    assert sum("referenceestimate" in q["sql"] for q in with_own.captured_queries) == 1


def test_the_default_minimum_is_one_hundred_responses(organisation, instrument):
    from alliantiemonitor.core.change import MIN_REFERENCE_N

    assert MIN_REFERENCE_N == 100
    _responses(organisation, instrument, "professional", 99)
    assert references_estimate(organisation=organisation) == 0
    _responses(organisation, instrument, "professional", 1, seed=3)
    assert references_estimate(organisation=organisation) > 0
    assert set(ReferenceEstimate.objects.values_list("rater", "n")) == {("professional", 100)}
