"""The read-aloud audio address: who may listen, and that bad input makes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from alliantiemonitor.measurements.services import round_cancel, round_start
from alliantiemonitor.measurements.speech import speech_path, speech_text
from tests.factories import read_aloud_kwargs
from tests.measurements.test_views_fill import _client_session, _handed_over_session

pytestmark = pytest.mark.django_db

AUDIO = re.compile(r'data-read-aloud-audio="([^"]+)"')


@pytest.fixture
def easy_round(trajectory, professional):
    return round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")


def _address(
    measurement_round: Any, item_id: str = "c_direction_1", spoken: str = "nl", **changes: str
) -> str:
    """The audio address of a statement, with ``changes`` made to it after the fact."""
    kwargs = read_aloud_kwargs(measurement_round, item_id, spoken) | changes
    return reverse("client:read_aloud", kwargs=kwargs)


def _assert_audio(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"


def test_every_client_statement_offers_its_audio(client, easy_round, professional):
    _client_session(client, easy_round, professional)
    page = client.get(reverse("client:fill")).content.decode()
    assert AUDIO.findall(page) == [_address(easy_round)]  # one statement per screen
    assert 'aria-pressed="false"' in page
    assert "measurements/js/fill.bundle" in page  # autosave and read-aloud in one script


def test_the_standard_page_offers_audio_for_each_statement(
    client, measurement_round, professional, instrument
):
    _client_session(client, measurement_round, professional)
    page = client.get(reverse("client:fill")).content.decode()
    items = [item.id for item in instrument.items_for("client")]
    assert AUDIO.findall(page) == [_address(measurement_round, item) for item in items]
    assert "Lees zin 2 voor" in page


def test_the_professionals_own_side_has_no_read_aloud(client, measurement_round, professional):
    client.force_login(professional)
    page = client.get(reverse("measurements:fill", args=[measurement_round.uuid])).content
    assert b"data-read-aloud" not in page


def test_a_client_hears_their_rounds_statements_in_either_language(
    client, easy_round, professional, speech_dir
):
    _client_session(client, easy_round, professional)
    _assert_audio(client.get(_address(easy_round)))
    _assert_audio(client.get(_address(easy_round, spoken="en")))
    assert len(list(speech_dir.rglob("*.wav"))) == 2


def test_a_handed_over_device_hears_them_too(client, easy_round, professional, speech_dir):
    _handed_over_session(client, easy_round, professional)
    _assert_audio(client.get(_address(easy_round)))


def test_staff_may_listen_to_any_instrument(client, easy_round, outsider, speech_dir):
    client.force_login(outsider)
    _assert_audio(client.get(_address(easy_round)))


def test_without_a_session_nobody_listens(client, easy_round, speech_dir):
    assert client.get(_address(easy_round)).status_code == 403
    assert not speech_dir.exists()


def test_a_client_hears_only_their_own_rounds_instrument(
    client, easy_round, trajectory, professional, speech_dir
):
    round_cancel(round=easy_round, by=professional)
    standard = round_start(trajectory=trajectory, by=professional)
    _client_session(client, standard, professional)
    assert client.get(_address(easy_round)).status_code == 404
    assert not speech_dir.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"item": "no_such_item"},
        {"item": "p_direction_1"},  # the professional's statement
        {"version": "9.9.9"},
        {"language": "de"},
        {"domain": "jeugdbescherming"},  # not the round's domain
        {"digest": "0123456789abcdef"},  # not the text's hash
    ],
)
def test_bad_input_is_404_and_makes_nothing(client, easy_round, professional, speech_dir, changes):
    _client_session(client, easy_round, professional)
    assert client.get(_address(easy_round, **changes)).status_code == 404
    assert not speech_dir.exists()


def test_only_get(client, easy_round, professional, speech_dir):
    _client_session(client, easy_round, professional)
    assert client.post(_address(easy_round)).status_code == 405
    assert not speech_dir.exists()


def test_the_file_is_the_one_in_the_cache(client, easy_round, professional, speech_dir):
    _client_session(client, easy_round, professional)
    response = client.get(_address(easy_round))
    text = speech_text(
        instrument=easy_round.instrument,
        item_id="c_direction_1",
        language="nl",
        domain=easy_round.domain,
    )
    assert b"".join(response.streaming_content) == speech_path(text).read_bytes()
