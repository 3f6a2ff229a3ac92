"""The timeline read model and page, and the outcome marks on the course view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.conversations.services import conversation_start
from alliantiemonitor.measurements.services import trajectory_close
from alliantiemonitor.monitoring.course import trajectory_course
from alliantiemonitor.monitoring.svg import chart_description, course_chart
from alliantiemonitor.monitoring.timeline import trajectory_timeline
from alliantiemonitor.trajectories.services import outcome_record, trajectory_hand_over
from tests.monitoring.helpers import make_round

pytestmark = pytest.mark.django_db


def _story(trajectory, professional, colleague):
    """A trajectory with a round, a conversation, an event, a handover and the end."""
    today = timezone.localdate()
    first = make_round(trajectory, professional, days_ago=20, client={}, pro={})
    conversation_start(round=first, by=professional, held_on=today - dt.timedelta(days=15))
    outcome_record(
        trajectory=trajectory,
        kind="no_show",
        date=today - dt.timedelta(days=10),
        note="Niet verschenen",
        by=professional,
    )
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    make_round(trajectory, colleague, days_ago=0, client={}, pro={})
    trajectory_close(
        trajectory=trajectory, end_date=today, reason_kind="regular_completion", by=colleague
    )
    return first


def test_timeline_lists_everything_in_date_order(trajectory, professional, colleague):
    _story(trajectory, professional, colleague)
    with translation.override("en"):
        entries = trajectory_timeline(trajectory)
    kinds = [entry.kind for entry in entries]
    assert kinds == ["start", "round", "conversation", "outcome", "handover", "round", "end"]
    assert [entry.date for entry in entries] == sorted(entry.date for entry in entries)
    outcome = entries[3]
    assert (outcome.label, outcome.detail) == ("No-show", "Niet verschenen")
    handover = entries[4]
    assert (handover.from_name, handover.to_name) == ("Pim Jansen", "Cas de Vries")
    assert entries[5].after_handover


def test_timeline_page_and_partial(client, trajectory, professional, colleague):
    _story(trajectory, professional, colleague)
    client.force_login(colleague)
    url = reverse("monitoring:timeline", args=[trajectory.uuid])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<h1") == 1
    assert "Timeline: K.V." in html
    assert "Niet verschenen" in html
    assert "End of the trajectory" in html
    assert "from Pim Jansen to Cas de Vries" in html
    assert "the first after a change of professional" in html
    event = AuditEvent.objects.filter(action="timeline.view").get()
    assert event.client == trajectory.client
    assert event.detail == {"entries": 7}

    partial = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert 'id="timeline"' in partial.content.decode()


def test_trajectory_page_loads_the_timeline_in_place(client, trajectory, professional):
    client.force_login(professional)
    html = client.get(
        reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    timeline = reverse("monitoring:timeline", args=[trajectory.uuid])
    assert f'hx-get="{timeline}"' in html
    assert f'href="{timeline}"' in html  # without JavaScript


def test_course_marks_events_and_the_end(trajectory, professional, colleague):
    _story(trajectory, professional, colleague)
    course = trajectory_course(trajectory)
    assert [(e.kind, e.is_end) for e in course.events] == [
        ("no_show", False),
        ("regular_completion", True),
    ]
    characteristic = course.characteristic("trust")
    svg = course_chart(characteristic, course)
    assert svg.count('class="am-course__event"') == 1
    assert 'class="am-course__end"' in svg
    with translation.override("en"):
        description = chart_description(characteristic, course)
    assert "1 event recorded" in description
    assert "ended on" in description


def test_course_page_lists_events_beside_the_chart(client, trajectory, professional, colleague):
    _story(trajectory, professional, colleague)
    client.force_login(colleague)
    html = client.get(
        reverse("monitoring:course", args=[trajectory.uuid]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Events and the end" in html
    assert "No-show — Niet verschenen" in html
    assert "End of the trajectory:</strong> Regular completion" in html
    assert "Event in the trajectory: diamond on the time axis" in html
    # Ended: no link to end it again.
    assert reverse("monitoring:end", args=[trajectory.uuid]) not in html
