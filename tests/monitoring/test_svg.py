"""The course charts: valid SVG, accessible names, handover markers, escaped text."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone, translation

from alliantiemonitor.monitoring.course import trajectory_course
from alliantiemonitor.monitoring.svg import course_chart, legend_items
from alliantiemonitor.trajectories.services import trajectory_hand_over
from tests.monitoring.helpers import backdate_first_assignment, make_round

pytestmark = pytest.mark.django_db

NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(svg) -> ET.Element:
    """Parse our own markup (not untrusted input): valid XML is part of what is tested."""
    return ET.fromstring(str(svg))  # noqa: S314


def classes(element):
    return set(element.get("class", "").split())


def with_class(root, name):
    return [e for e in root.iter() if name in classes(e)]


@pytest.fixture
def course_with_handover(trajectory, professional, colleague):
    backdate_first_assignment(trajectory, 200)
    make_round(trajectory, professional, days_ago=150, client={"trust": 2}, pro={"friction": 2})
    make_round(trajectory, professional, days_ago=100, client={"trust": 3}, pro={"friction": 2})
    trajectory_hand_over(
        trajectory=trajectory,
        to_professional=colleague,
        by=professional,
        at=timezone.now() - dt.timedelta(days=60),
    )
    make_round(trajectory, colleague, days_ago=20, client={"trust": 5}, pro={"friction": 4})
    return trajectory_course(trajectory)


def test_chart_is_valid_svg_with_accessible_name(course_with_handover):
    for characteristic in course_with_handover.characteristics:
        root = parse(course_chart(characteristic, course_with_handover))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("role") == "img"
        assert root.get("viewBox") == "0 0 640 280"
        assert "style" not in {attr for e in root.iter() for attr in e.attrib}
        title = root.find("svg:title", NS)
        desc = root.find("svg:desc", NS)
        assert title is not None
        assert desc is not None
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert characteristic.name in title.text
        assert desc.text.endswith(".")


def test_description_summarises_both_raters(course_with_handover):
    trust = course_with_handover.characteristic("trust")
    root = parse(course_chart(trust, course_with_handover))
    desc = root.find("svg:desc", NS).text
    assert "Client: from 2.0 to 5.0, improving" in desc
    assert "1 change of professional" in desc


def test_lines_differ_in_style_and_markers(course_with_handover):
    trust = course_with_handover.characteristic("trust")
    root = parse(course_chart(trust, course_with_handover))
    client_lines = with_class(root, "am-course__line--client")
    pro_lines = with_class(root, "am-course__line--professional")
    assert client_lines
    assert pro_lines
    assert all(line.get("stroke-dasharray") is None for line in client_lines)
    assert all(line.get("stroke-dasharray") for line in pro_lines)
    assert {e.tag for e in with_class(root, "am-course__marker--client")} == {
        "{http://www.w3.org/2000/svg}circle"
    }
    assert {e.tag for e in with_class(root, "am-course__marker--professional")} == {
        "{http://www.w3.org/2000/svg}rect"
    }
    assert len(with_class(root, "am-course__marker--client")) == 3


def test_handover_marker_between_the_rounds(course_with_handover):
    trust = course_with_handover.characteristic("trust")
    root = parse(course_chart(trust, course_with_handover))
    (marker,) = with_class(root, "am-course__handover")
    label = with_class(marker, "am-course__handover-label")[0]
    assert label.text == "change of professional"
    assert "Pim Jansen → Cas de Vries" in marker.find("svg:title", NS).text
    line = with_class(marker, "am-course__handover-line")[0]
    xs = sorted(float(m.get("cx")) for m in with_class(root, "am-course__marker--client"))
    assert xs[1] < float(line.get("x1")) < xs[2]


def test_reliable_changes_point_the_way_the_score_moved(course_with_handover):
    trust = course_with_handover.characteristic("trust")
    root = parse(course_chart(trust, course_with_handover))
    ups = with_class(root, "am-course__change")
    assert ups
    assert all(
        classes(up) >= {"am-course__change--improved", "am-course__change--up"} for up in ups
    )

    friction = course_with_handover.characteristic("friction")
    root = parse(course_chart(friction, course_with_handover))
    (rise,) = with_class(root, "am-course__change")
    assert classes(rise) >= {"am-course__change--deteriorated", "am-course__change--up"}
    assert "am-course__chart--friction" in classes(root)
    axis = with_class(root, "am-course__axis-title")[0].text
    assert "higher = more friction" in axis


def test_text_is_escaped(trajectory, professional, colleague):
    trajectory.client.display_name = "<script>alert(1)</script> & co"
    trajectory.client.save()
    colleague.first_name = "<b>Cas</b>"
    colleague.save()
    make_round(trajectory, professional, days_ago=30, client={}, pro={})
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    course = trajectory_course(trajectory)
    svg = str(course_chart(course.characteristic("bond"), course))
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert "<script>alert(1)</script> & co" in root.find("svg:title", NS).text
    assert "<b>Cas</b>" in with_class(root, "am-course__handover")[0].find("svg:title", NS).text


def test_single_round_and_gaps_render(trajectory, professional):
    make_round(trajectory, professional, days_ago=3, client={"friction": None}, pro={})
    course = trajectory_course(trajectory)
    root = parse(course_chart(course.characteristic("friction"), course))
    assert not with_class(root, "am-course__marker--client")
    assert len(with_class(root, "am-course__marker--professional")) == 1
    assert not with_class(root, "am-course__line")


def test_legend_samples_are_valid_and_hidden():
    for sample, words in legend_items():
        root = parse(sample)
        assert root.get("aria-hidden") == "true"
        assert words
