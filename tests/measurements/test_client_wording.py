"""What the client and the professional read on the questionnaire pages (issue 6, 12 and 14)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from alliantiemonitor.measurements.client_session import SESSION_KEY
from alliantiemonitor.measurements.constants import ResponseMode
from alliantiemonitor.measurements.services import (
    invitation_create,
    response_save_answers,
    round_cancel,
    round_start,
)
from tests.factories import answer_round

pytestmark = pytest.mark.django_db


def _client_session(browser: Any, round_: Any, professional: Any) -> str:
    invitation, secret = invitation_create(round=round_, kind="link", by=professional)
    session = browser.session
    session[SESSION_KEY] = {
        "round": str(round_.uuid),
        "invitation": str(invitation.uuid),
        "mode": ResponseMode.OWN_DEVICE,
    }
    session.save()
    return secret


def _text(response: Any) -> str:
    """The visible words of a page's main part (no markup, no header)."""
    html = response.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def easy_round(trajectory, professional):
    return round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")


# --------------------------------------------------------------------------- 12: research


def test_the_intro_promises_no_research_consent_that_is_never_asked(
    client, professional, measurement_round
):
    _client_session(client, measurement_round, professional)
    text = _text(client.get(reverse("client:start")))
    assert "toestemming" not in text
    assert "niet gebruikt voor onderzoek" in text


def test_the_client_leaflet_promises_no_research_consent():
    leaflet = (Path(__file__).resolve().parents[2] / "docs" / "roles" / "client.md").read_text()
    assert "toestemming" not in leaflet
    assert "niet gebruikt voor onderzoek" in leaflet


# --------------------------------------------------------------------------- 14: one word


def test_the_closed_page_names_the_professional_with_the_domain_word(
    client, professional, measurement_round
):
    _client_session(client, measurement_round, professional)
    round_cancel(round=measurement_round, by=professional)
    text = _text(client.get(reverse("client:fill")))
    assert "reclasseringswerker" in text
    assert "begeleider" not in text
    assert "professional" not in text


def test_the_results_page_names_the_professional_with_the_domain_word(
    client, professional, measurement_round
):
    from alliantiemonitor.conversations.services import conversation_start, round_mark_discussed

    secret = _client_session(client, measurement_round, professional)
    answer_round(measurement_round, "client", value=4)
    answer_round(measurement_round, "professional", professional=professional, value=4)
    conversation_start(round=measurement_round, by=professional)
    round_mark_discussed(round=measurement_round, by=professional)
    page = client.get(f"/m/{secret}/", follow=True)
    intro = _text(page).split("Alle", 1)[0]
    assert "je reclasseringswerker" in intro
    assert "begeleider" not in intro


def test_another_domain_gets_its_own_word(client, outsider, other_organisation):
    from alliantiemonitor.trajectories.services import client_create, trajectory_start

    record = client_create(organisation=other_organisation, display_name="J.", by=outsider)
    trajectory = trajectory_start(
        client=record,
        professional=outsider,
        legal_frame="OTS",
        start_date=dt.date(2025, 1, 6),
        by=outsider,
    )
    round_ = round_start(trajectory=trajectory, by=outsider)
    _client_session(client, round_, outsider)
    answer_round(round_, "client", value=4)
    text = _text(client.get(reverse("client:done")))
    assert "jeugdbeschermer" in text


def test_client_pages_say_zinnen_everywhere(client, professional, measurement_round):
    _client_session(client, measurement_round, professional)
    for name in ["start", "fill", "confirm"]:
        text = _text(client.get(reverse(f"client:{name}")))
        assert "stelling" not in text.lower(), name
    answer_round(measurement_round, "client", value=4)
    assert "stelling" not in _text(client.get(reverse("client:done"))).lower()


def test_easy_read_pages_say_zinnen_everywhere(client, professional, easy_round):
    _client_session(client, easy_round, professional)
    for name in ["start", "fill", "confirm"]:
        text = _text(client.get(reverse(f"client:{name}")))
        assert "stelling" not in text.lower(), name
        assert "zin" in text.lower(), name


# --------------------------------------------------------------------------- 14: skip label


def test_the_professional_skips_with_their_own_words(client, professional, measurement_round):
    client.force_login(professional)
    text = _text(client.get(reverse("measurements:fill", args=[measurement_round.uuid])))
    assert "Kan ik niet beoordelen" in text
    assert "liever niet" not in text


def test_the_professional_confirm_page_names_their_skip_choice(
    client, professional, measurement_round, instrument
):
    answers = {item.id: 3 for item in instrument.items_for("professional")}
    answers[next(iter(answers))] = None
    response_save_answers(
        round=measurement_round,
        rater="professional",
        answers=answers,
        flagged=[],
        mode=ResponseMode.PROFESSIONAL_SELF,
        respondent=professional,
    )
    client.force_login(professional)
    text = _text(client.get(reverse("measurements:fill_confirm", args=[measurement_round.uuid])))
    assert "Kan ik niet beoordelen" in text
    assert "weet ik niet" not in text.lower()


def test_the_client_keeps_dont_know(client, professional, measurement_round):
    _client_session(client, measurement_round, professional)
    text = _text(client.get(reverse("client:fill")))
    assert "Weet ik niet / zeg ik liever niet" in text
    assert "beoordelen" not in text


# --------------------------------------------------------------------------- 14: counting


def test_a_dont_know_counts_the_same_on_every_page(client, professional, easy_round):
    _client_session(client, easy_round, professional)
    items = easy_round.instrument.items_for("client")
    answers: dict[str, int | None] = {item.id: 4 for item in items}
    answers[items[-1].id] = None  # "weet ik niet"
    response_save_answers(
        round=easy_round,
        rater="client",
        answers=answers,
        flagged=[],
        mode=ResponseMode.OWN_DEVICE,
        respondent=None,
    )
    total = len(items)
    progress = _text(client.get(reverse("client:fill") + f"?vraag={total}"))
    confirm = _text(client.get(reverse("client:confirm")))
    assert f"{total} van {total} beantwoord" in progress
    assert f"{total} van de {total} zinnen beantwoord" in confirm
    assert "nog open" not in confirm
    assert "Weet ik niet / zeg ik liever niet" in confirm


# --------------------------------------------------------------------------- 14: autosave


def test_the_save_button_is_the_fallback_for_autosave(client, professional, measurement_round):
    _client_session(client, measurement_round, professional)
    html = client.get(reverse("client:fill")).content.decode()
    save = re.search(r'<button[^>]*value="save"[^>]*>', html).group(0)
    assert "data-autosave-fallback" in save
    assert "measurements/js/fill.bundle" in html
