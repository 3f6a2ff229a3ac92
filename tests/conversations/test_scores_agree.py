"""The same round shows the same scores on every page: joint view, client results, course."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from alliantiemonitor.conversations.services import (
    agreement_add,
    conversation_start,
    round_mark_discussed,
)
from alliantiemonitor.measurements.services import invitation_create
from alliantiemonitor.monitoring.course import trajectory_course
from alliantiemonitor.monitoring.svg import course_chart
from tests.monitoring.helpers import fill

pytestmark = pytest.mark.django_db


def _answers(instrument, rater, friction):
    """3 everywhere, and the four friction statements as given (reverse keys handled)."""
    answers = {}
    values = iter(friction)
    for item in instrument.items_for(rater):
        value = next(values) if item.characteristic == "friction" else 3
        answers[item.id] = instrument.scale.reverse(value) if item.reverse else value
    return answers


@pytest.fixture
def discussed(measurement_round, professional):
    """Friction: the professional 3.75 (3, 4, 4, 4), the client 3.25 (3, 3, 3, 4)."""
    instrument = measurement_round.instrument
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    fill(measurement_round, "client", professional, _answers(instrument, "client", [3, 3, 3, 4]))
    fill(
        measurement_round,
        "professional",
        professional,
        _answers(instrument, "professional", [3, 4, 4, 4]),
    )
    conversation = conversation_start(round=measurement_round, by=professional)
    agreement_add(conversation=conversation, text="We meet every week.", by=professional)
    round_mark_discussed(round=measurement_round, by=professional)
    measurement_round.refresh_from_db()
    return measurement_round, token


def _text(html: str) -> str:
    """The page's text without tags (attributes such as coordinates are left out)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_every_page_shows_the_same_rounded_scores(client, professional, discussed):
    measurement_round, token = discussed
    nl = {"HTTP_ACCEPT_LANGUAGE": "nl"}
    client.force_login(professional)
    joint = client.get(reverse("conversations:joint", args=[measurement_round.uuid]), **nl)
    course = client.get(
        reverse("monitoring:course", args=[measurement_round.trajectory.uuid]), **nl
    )
    client.logout()
    client.get(reverse("client:link", kwargs={"token": token}), **nl)
    results = client.get(reverse("client:results"), **nl)
    with translation.override("nl"):
        result = trajectory_course(measurement_round.trajectory)
        friction = next(c for c in result.characteristics if c.key == "friction")
        chart = str(course_chart(friction, result))

    pages = {
        "joint": joint.content.decode(),
        "results": results.content.decode(),
        "course": course.content.decode(),
        "chart": chart,
    }
    for name, html in pages.items():
        text = _text(html)
        assert "3,8" in text, name  # the professional's 3.75, rounded half up
        assert "3,3" in text, name  # the client's 3.25
        assert "3,7" not in text, name  # never truncated
        assert "3,2" not in text, name
