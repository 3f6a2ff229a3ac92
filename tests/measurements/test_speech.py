"""Read-aloud audio made on the server: the text it speaks, its cache key and the files."""

from __future__ import annotations

import threading
import time
import wave
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.measurements import speech
from alliantiemonitor.measurements.speech import (
    SAMPLE_RATE,
    SpeechText,
    SpeechUnavailable,
    speech_file,
    speech_path,
    speech_text,
)


@pytest.fixture
def easy() -> Any:
    return get_registry().get("eenvoudig")


def _first_client_item(instrument: Any) -> Any:
    return instrument.items_for("client")[0]


# --------------------------------------------------------------------------- the text


def test_the_text_is_the_clients_easy_read_statement_and_the_scale(easy):
    item = _first_client_item(easy)
    text = speech_text(instrument=easy, item_id=item.id, language="nl", domain="reclassering")
    lines = text.text.split("\n")
    statement = item.display_text("nl", _vocabulary("reclassering", "nl"), easy_read=True)
    assert lines[0] == statement.rstrip(".") + "."
    assert item.easy_text is not None
    assert "{" not in text.text
    scale = [point.label["nl"] for point in easy.scale.points]
    assert [line.rstrip(".") for line in lines[1 : 1 + len(scale)]] == scale
    assert len(lines) == 1 + len(scale) + 1  # and "don't know"
    assert "/" not in text.text  # read out as "slash" otherwise
    assert text.voice == "nl"


def _vocabulary(domain: str, language: str) -> dict[str, str]:
    from alliantiemonitor.core.domains import default_domains

    return default_domains().vocabulary(domain, language)


def test_english_has_an_english_voice_and_wording(easy):
    item = _first_client_item(easy)
    dutch = speech_text(instrument=easy, item_id=item.id, language="nl", domain="reclassering")
    english = speech_text(instrument=easy, item_id=item.id, language="en", domain="reclassering")
    assert english.voice == "en-gb"
    assert english.text != dutch.text
    assert english.key != dutch.key


def test_the_domain_fills_in_its_own_words(instrument):
    item = next(i for i in instrument.items_for("client") if "{professional}" in i.text["nl"])
    texts = {
        domain: speech_text(instrument=instrument, item_id=item.id, language="nl", domain=domain)
        for domain in ("reclassering", "jeugdbescherming")
    }
    assert "reclasseringswerker" in texts["reclassering"].text
    assert "reclasseringswerker" not in texts["jeugdbescherming"].text
    assert texts["reclassering"].key != texts["jeugdbescherming"].key


@pytest.mark.parametrize(
    ("item_id", "language", "domain"),
    [
        ("no_such_item", "nl", "reclassering"),
        ("p_direction_1", "nl", "reclassering"),  # the professional's statement
        ("c_direction_1", "de", "reclassering"),  # no such language (nor voice)
        ("c_direction_1", "nl", "no_such_domain"),
    ],
)
def test_anything_but_a_clients_instrument_text_has_no_audio(easy, item_id, language, domain):
    assert any(i.id == "c_direction_1" for i in easy.items_for("client"))
    with pytest.raises(KeyError):
        speech_text(instrument=easy, item_id=item_id, language=language, domain=domain)


def test_the_key_is_a_hash_of_the_exact_text_and_the_voice():
    text = SpeechText(text="Mijn begeleider luistert naar mij.", voice="nl")
    assert text.key == SpeechText(text=text.text, voice="nl").key
    assert text.key != SpeechText(text=text.text + " ", voice="nl").key
    assert text.key != SpeechText(text=text.text, voice="en-gb").key
    assert len(text.key) == 64
    assert text.digest == text.key[:16]
    assert speech_path(text).name == f"{text.key}.wav"


# --------------------------------------------------------------------------- the files


def test_a_file_is_made_once_as_small_16_khz_mono_wav(easy, speech_dir):
    item = _first_client_item(easy)
    text = speech_text(instrument=easy, item_id=item.id, language="nl", domain="reclassering")
    path, made = speech_file(text)
    assert made
    assert path == speech_path(text)
    assert path.is_relative_to(speech_dir)
    with wave.open(str(path), "rb") as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        assert audio.getframerate() == SAMPLE_RATE
        seconds = audio.getnframes() / SAMPLE_RATE
    assert 2 < seconds < 60
    assert path.stat().st_size < 40_000 * seconds  # 32 kB a second, and a header
    again, made_again = speech_file(text)
    assert (again, made_again) == (path, False)
    assert sorted(p.suffix for p in path.parent.iterdir()) == [".lock", ".wav"]  # no leftovers


def test_two_requests_at_once_make_the_file_once(monkeypatch, speech_dir):
    calls = []
    real = speech._speak_into

    def slow_speak(text: SpeechText, path: Any) -> None:
        calls.append(text.key)
        time.sleep(0.3)
        real(text, path)

    monkeypatch.setattr(speech, "_speak_into", slow_speak)
    text = SpeechText(text="Ik weet wat ik moet doen.", voice="nl")
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(speech_file(text))) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [text.key]
    assert sorted(made for _path, made in results) == [False, True]


def test_without_espeak_ng_nothing_is_made(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(speech, "espeak_ng", lambda: None)
    text = SpeechText(text="Ik weet wat ik moet doen.", voice="nl")
    with pytest.raises(SpeechUnavailable, match="apt-get install espeak-ng"):
        speech_file(text)
    assert not speech_path(text).exists()
    assert [p.suffix for p in speech_path(text).parent.iterdir()] == [".lock"]


# --------------------------------------------------------------------------- the command


def test_the_command_makes_an_instruments_audio_once(easy, speech_dir, capsys):
    args = ["speech_generate", "eenvoudig", "--domain", "reclassering", "--language", "nl"]
    call_command(*args)
    items = len(easy.items_for("client"))
    assert f"eenvoudig@{easy.version}: {items} made, 0 already there" in capsys.readouterr().out
    assert len(list(speech_dir.rglob("*.wav"))) == items
    call_command(*args)
    assert f"0 made, {items} already there" in capsys.readouterr().out
    texts = speech.speech_texts(easy, domains=["reclassering"], languages=["nl"])
    assert all(speech_path(text).exists() for text in texts)


@pytest.mark.parametrize(
    "args",
    [
        ["no_such_instrument"],
        ["eenvoudig@9.9.9"],
        ["eenvoudig", "--domain", "no_such_domain"],
    ],
)
def test_the_command_refuses_what_it_does_not_know(args, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError):
        call_command("speech_generate", *args)
    assert not (tmp_path / "speech").exists()
