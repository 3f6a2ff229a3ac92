"""Read-aloud audio that this server makes itself, offline, from instrument text only.

A client whose device has no local voice for the page's language still hears a statement and
its answer options: ``espeak-ng`` (a Debian package, no network) speaks them into a small WAV
file. Rules:

- Only instrument text is ever spoken: an item's wording (the easy-read form where the client
  reads that), filled in with the domain's words, and the scale's labels. The text is looked up
  here from the instrument id, version, domain, language and item id; nothing a request sends
  is spoken, so no personal data can reach the audio or its cache.
- The cache key is a hash of the exact text, the voice and the audio format. A changed text or
  voice is a different file: stale audio cannot be served.
- A file is made on first request, under a lock so that two requests for the same text make
  it once, and written under a temporary name first, so that a reader never sees half a file.
  ``manage.py speech_generate`` makes every file of an instrument ahead of time.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from django.conf import settings
from scipy.signal import resample_poly

from alliantiemonitor.core.domains import default_domains
from alliantiemonitor.core.instrument import Instrument, pick_language
from alliantiemonitor.measurements.models import MeasurementRound

#: The espeak-ng voice per instrument language. A language without a voice gets no audio.
VOICES: Final = {"nl": "nl", "en": "en-gb"}
#: Words per minute: a little slower than espeak-ng's 175, for clients who read with effort.
WORDS_PER_MINUTE: Final = 150
#: 16 kHz mono, 16-bit: clear enough for speech, a third smaller than espeak-ng's 22,050 Hz.
SAMPLE_RATE: Final = 16_000
#: Part of every cache key: a change to how audio is made (rate, speed, engine) gets new files.
AUDIO_FORMAT: Final = f"espeak-ng;{WORDS_PER_MINUTE}wpm;{SAMPLE_RATE}Hz;mono;s16;wav"
#: Who reads the statements aloud: the client (the professional reads theirs on a staff page).
RATER: Final = "client"
#: Seconds espeak-ng may take for one statement before the request gives up.
TIMEOUT: Final = 60
_SLASH: Final = re.compile(r"\s*/\s*")


class SpeechUnavailable(Exception):
    """espeak-ng is not installed here, or it failed to speak the text."""


@dataclass(frozen=True)
class SpeechText:
    """What one read-aloud file says, and in which voice."""

    text: str
    voice: str

    @property
    def key(self) -> str:
        """The cache key: a hash of the exact text, the voice and the audio format."""
        material = "\n".join((AUDIO_FORMAT, self.voice, self.text))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    @property
    def digest(self) -> str:
        """The short form of :attr:`key` that read-aloud addresses carry."""
        return self.key[:16]


def speech_text(*, instrument: Instrument, item_id: str, language: str, domain: str) -> SpeechText:
    """The statement ``item_id`` and its answer options as the client reads them.

    Raises ``KeyError`` for an item the client does not answer in ``instrument``, a language
    the instrument or the voices lack, or an unknown domain.
    """
    if language not in instrument.languages or language not in VOICES:
        raise KeyError(f"no voice for language '{language}' in {instrument.ref}")
    items = {item.id: item for item in instrument.items_for(RATER)}
    item = items[item_id]
    vocabulary = default_domains().vocabulary(domain, language)
    statement = item.display_text(language, vocabulary, easy_read=instrument.easy_read)
    options = [pick_language(point.label, language) for point in instrument.scale.points]
    options.append(pick_language(instrument.scale.not_answered_label_for(RATER), language))
    # One sentence per line: espeak-ng pauses after each, so the options are heard apart. A
    # slash between words ("don't know / rather not say") is read out as "slash": pause instead.
    lines = [_SLASH.sub(", ", line).strip().rstrip(".") for line in (statement, *options)]
    text = "\n".join(line + "." for line in lines if line)
    return SpeechText(text=text, voice=VOICES[language])


def speech_address_parts(
    measurement_round: MeasurementRound, item_id: str, language: str
) -> dict[str, str]:
    """The parts of the audio address of the client's statement ``item_id`` of a round.

    Raises ``KeyError`` when there is no audio for it (see :func:`speech_text`).
    """
    text = speech_text(
        instrument=measurement_round.instrument,
        item_id=item_id,
        language=language,
        domain=measurement_round.domain,
    )
    return {
        "instrument": measurement_round.instrument_id,
        "version": measurement_round.instrument_version,
        "domain": measurement_round.domain,
        "language": language,
        "item": item_id,
        "digest": text.digest,
    }


def speech_texts(
    instrument: Instrument,
    *,
    domains: Collection[str] | None = None,
    languages: Collection[str] | None = None,
) -> Iterator[SpeechText]:
    """Every text of ``instrument`` that a client may hear: each item, domain and language.

    ``domains`` and ``languages`` narrow it down (default: all). Raises ``KeyError`` for an
    unknown domain.
    """
    for domain in default_domains().domains if domains is None else domains:
        for language in instrument.languages:
            if language not in VOICES or (languages is not None and language not in languages):
                continue
            for item in instrument.items_for(RATER):
                yield speech_text(
                    instrument=instrument, item_id=item.id, language=language, domain=domain
                )


def speech_folder() -> Path:
    """Where the audio lives: ``speech/`` in the data folder."""
    return Path(settings.DATA_DIR) / "speech"


def speech_path(text: SpeechText) -> Path:
    """The file for ``text`` (which may not exist yet)."""
    key = text.key
    return speech_folder() / key[:2] / f"{key}.wav"


def speech_file(text: SpeechText) -> tuple[Path, bool]:
    """The audio file for ``text``, made now when it is not there yet; and whether it was made.

    Raises :class:`SpeechUnavailable` when espeak-ng is missing or fails.
    """
    path = speech_path(text)
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        # Another process may be making this very file: wait for it, then use its file.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path, False
        _speak_into(text, path)
    return path, True


def espeak_ng() -> str | None:
    """The espeak-ng program, or ``None`` when it is not installed."""
    return shutil.which("espeak-ng")


def _speak_into(text: SpeechText, path: Path) -> None:
    program = espeak_ng()
    if program is None:
        raise SpeechUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        raw = Path(folder) / "espeak.wav"
        try:
            # The text goes in on stdin, never as an argument, and as plain text (no -m for
            # SSML): whatever the wording, it cannot turn into an option or markup.
            subprocess.run(  # noqa: S603 - a fixed program, no shell, text on stdin
                [program, "-v", text.voice, "-s", str(WORDS_PER_MINUTE), "-w", str(raw), "--stdin"],
                input=text.text.encode("utf-8"),
                check=True,
                capture_output=True,
                timeout=TIMEOUT,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SpeechUnavailable(f"espeak-ng failed: {exc}") from exc
        small = Path(folder) / "speech.wav"
        _write_16k_mono(raw, small)
        os.replace(small, path)


def _write_16k_mono(source: Path, target: Path) -> None:
    """Resample espeak-ng's 16-bit mono WAV to :data:`SAMPLE_RATE`."""
    with wave.open(str(source), "rb") as reader:
        rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
        frames = reader.readframes(reader.getnframes())
    if width != 2 or channels != 1:
        raise SpeechUnavailable(f"espeak-ng gave {channels} channels of {width * 8} bits")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    if rate != SAMPLE_RATE:
        divisor = np.gcd(rate, SAMPLE_RATE)
        samples = resample_poly(samples, SAMPLE_RATE // divisor, rate // divisor)
    pcm = np.clip(np.rint(samples), -32768, 32767).astype("<i2")
    with wave.open(str(target), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(pcm.tobytes())


def speech_generate_instrument(
    instrument: Instrument,
    *,
    domains: Collection[str] | None = None,
    languages: Collection[str] | None = None,
) -> tuple[int, int]:
    """Make every read-aloud file of ``instrument`` that is missing: (made, already there).

    ``domains`` and ``languages`` narrow it down (see :func:`speech_texts`). Safe to run twice
    and beside the web server: existing files are kept, and the lock keeps two makers of one
    file apart. Raises :class:`SpeechUnavailable` when espeak-ng is missing or fails.
    """
    made = kept = 0
    for text in speech_texts(instrument, domains=domains, languages=languages):
        _path, new = speech_file(text)
        made, kept = made + new, kept + (not new)
    return made, kept
