"""What the professional reads around a round: plain names, one date format per context, no
double full stops after initials, and a legend that explains every colour."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.trajectories.models import Client, Trajectory
from tests.factories import answer_round

pytestmark = pytest.mark.django_db

NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}
#: 3 October 2026, noon in the Netherlands.
OCTOBER = dt.datetime(2026, 10, 3, 10, 0, tzinfo=dt.UTC)


def text_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(strong|em|span|a|abbr)\b[^>]*>", "", html)  # inline: no gap
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def initials_round(measurement_round, client_record):
    """A round of 3 October 2026 with a client called "W.T." (initials end in a full stop)."""
    Client.objects.filter(pk=client_record.pk).update(display_name="W.T.")
    Trajectory.objects.filter(pk=measurement_round.trajectory_id).update(
        start_date=dt.date(2026, 3, 1)
    )
    MeasurementRound.objects.filter(pk=measurement_round.pk).update(opened_at=OCTOBER)
    measurement_round.refresh_from_db()
    return measurement_round


def pages(client, professional, round_):
    client.force_login(professional)
    trajectory = round_.trajectory
    return {
        "caseload": client.get(reverse("trajectories:caseload"), **NL),
        "trajectory": client.get(reverse("trajectories:detail", args=[trajectory.uuid]), **NL),
        "round": client.get(reverse("measurements:round_detail", args=[round_.uuid]), **NL),
        "joint": client.get(reverse("conversations:joint", args=[round_.uuid]), **NL),
        "course": client.get(reverse("monitoring:course", args=[trajectory.uuid]), **NL),
    }


def test_waiting_page_has_no_double_full_stop_after_initials(client, professional, initials_round):
    answer_round(initials_round, "professional", professional=professional)
    for name, response in pages(client, professional, initials_round).items():
        text = text_of(response)
        assert "W.T.." not in text, name
        assert "W.T. ." not in text, name


def test_dates_use_lower_case_dutch_month_names(client, professional, initials_round):
    answer_round(initials_round, "client")
    answer_round(initials_round, "professional", professional=professional)
    texts = {name: text_of(r) for name, r in pages(client, professional, initials_round).items()}
    for name, text in texts.items():
        assert not re.search(r"\b(Jan|Feb|Mrt|Apr|Mei|Jun|Jul|Aug|Sep|Okt|Nov|Dec)\b", text), name
    # In tables and lists a short month, in sentences and headings the full one.
    assert "3 okt 2026" in texts["caseload"]
    assert "3 okt 2026" in texts["trajectory"]
    assert "3 okt 2026" in texts["course"]
    assert "3 oktober 2026" in texts["round"]
    assert "3 oktober 2026" in texts["joint"]
    # The course's table and chart no longer use a different, numeric date.
    assert "3-10-2026" not in texts["course"]


def test_the_round_page_names_the_questionnaire_in_words(client, professional, initials_round):
    text = text_of(pages(client, professional, initials_round)["round"])
    assert "standaard@" not in text
    assert "Alliantiemonitor — standaard, versie 1.0.0" in text


def test_both_done_is_said_once(client, professional, initials_round):
    answer_round(initials_round, "client")
    answer_round(initials_round, "professional", professional=professional)
    text = text_of(pages(client, professional, initials_round)["round"])
    assert "Beiden klaar." in text
    assert "Beiden hebben" not in text
    assert "Jullie kunnen de antwoorden nu samen bespreken" in text


def test_the_legend_explains_the_friction_colours(client, professional, both_done):
    client.force_login(professional)
    html = client.get(reverse("conversations:joint", args=[both_done.uuid]), **NL)
    legend = re.search(r'<p class="am-legend".*?</p>', html.content.decode(), flags=re.S)
    assert legend is not None
    assert "am-legend__item--friction-client" in legend.group(0)
    assert "am-legend__item--friction-professional" in legend.group(0)
    assert "Stroefheid" in legend.group(0)


@pytest.fixture
def both_done(measurement_round, professional):
    answer_round(measurement_round, "client")
    answer_round(measurement_round, "professional", professional=professional)
    return measurement_round
