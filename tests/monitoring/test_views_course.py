"""The course page: who may see it, what it shows, and that looking is audited."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from tests.monitoring.helpers import make_round

pytestmark = pytest.mark.django_db


def url(trajectory):
    return reverse("monitoring:course", args=[trajectory.uuid])


def get(client, user, trajectory):
    client.force_login(user)
    return client.get(url(trajectory), HTTP_ACCEPT_LANGUAGE="en")


def test_url_shape(trajectory):
    assert url(trajectory) == f"/verloop/{trajectory.uuid}/"


def test_professional_sees_charts_and_tables(client, professional, trajectory):
    make_round(trajectory, professional, days_ago=90, client={"friction": 1}, pro={})
    make_round(trajectory, professional, days_ago=1, client={"friction": 4}, pro={})
    response = get(client, professional, trajectory)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Course over time: K.V." in html
    assert html.count("<h1") == 1
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="am-course__chart') == 4
    assert html.count('<table class="utrecht-table') == 4
    assert "Friction per round" in html
    assert "reliably deteriorated (+3.0)" in html
    assert "deteriorating" in html
    assert "can be measurement noise" in html
    assert "internal consistency of friction" in html
    assert "no norms" in html
    assert "monitoring/css/course.css" in html
    assert " style=" not in html


def test_empty_state(client, professional, trajectory):
    make_round(trajectory, professional, days_ago=1, client={})
    response = get(client, professional, trajectory)
    html = response.content.decode()
    assert response.status_code == 200
    assert "No round has both answers yet" in html
    assert "still being filled in" in html
    assert "am-course__chart" not in html
    assert "<table" not in html


def test_blind_rule_on_the_page(client, professional, trajectory):
    make_round(trajectory, professional, days_ago=60, client={"trust": 3}, pro={"trust": 3})
    make_round(trajectory, professional, days_ago=1, client={"trust": 5})
    html = get(client, professional, trajectory).content.decode()
    assert "Still being filled in" in html
    # The client's 5 of the open round appears nowhere: not in the table, not in a tooltip.
    assert ">5.0<" not in html
    assert ": 5.0<" not in html
    assert ">3.0<" in html


def test_after_handover_is_marked(client, professional, colleague, trajectory):
    from alliantiemonitor.trajectories.services import trajectory_hand_over

    make_round(trajectory, professional, days_ago=0, client={}, pro={})
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    make_round(trajectory, colleague, days_ago=0, client={}, pro={})
    html = get(client, colleague, trajectory).content.decode()
    assert "after change of professional" in html
    assert "from Pim Jansen to Cas de Vries" in html
    assert "am-course__handover" in html


@pytest.mark.parametrize("persona", ["colleague", "team_lead", "outsider", "researcher"])
def test_others_get_404(client, request, trajectory, professional, persona):
    make_round(trajectory, professional, days_ago=1, client={}, pro={})
    response = get(client, request.getfixturevalue(persona), trajectory)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="course.view").exists()


def test_previous_professional_gets_404_after_handover(client, professional, colleague, trajectory):
    from alliantiemonitor.trajectories.services import trajectory_hand_over

    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    assert get(client, professional, trajectory).status_code == 404


def test_unknown_trajectory_is_404(client, professional):
    client.force_login(professional)
    response = client.get(reverse("monitoring:course", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, trajectory):
    response = client.get(url(trajectory))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_view_is_audited(client, professional, trajectory):
    make_round(trajectory, professional, days_ago=1, client={}, pro={})
    get(client, professional, trajectory)
    event = AuditEvent.objects.get(action="course.view")
    assert event.actor == professional
    assert event.client == trajectory.client
    assert event.object_uuid == trajectory.uuid


def test_post_is_not_allowed(client, professional, trajectory):
    client.force_login(professional)
    assert client.post(url(trajectory)).status_code == 405


def _course_queries(client, professional, trajectory, rounds):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    while trajectory.rounds.count() < rounds:
        done = trajectory.rounds.count()
        make_round(trajectory, professional, days_ago=400 - 30 * done, client={}, pro={})
    client.force_login(professional)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(trajectory), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert sum(1 for info in response.context["course"].rounds if info.scored) == rounds
    return len(queries)


def test_query_count_does_not_grow_with_the_rounds(client, professional, trajectory):
    # The blind rule of every round is decided on the prefetched responses: twelve rounds
    # cost the same queries as one (it was one query more per round).
    one = _course_queries(client, professional, trajectory, 1)
    twelve = _course_queries(client, professional, trajectory, 12)
    assert twelve == one
