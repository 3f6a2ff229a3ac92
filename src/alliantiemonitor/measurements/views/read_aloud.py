"""The read-aloud audio of one statement, for a device without a local voice.

The address names the instrument, version, domain, language and item, plus the short hash of
the text it speaks (:attr:`~alliantiemonitor.measurements.speech.SpeechText.digest`), so an
address always means the same sound and browsers may keep it. The text itself is looked up
here; nothing in the request is spoken. Anything that does not match an installed instrument's
text (an unknown item, a changed version or hash, a language without a voice) is a 404, and
nothing is made for it.

Who may listen: a client session for a round of that instrument, version and domain (a round
shows its statements in either language, so both are open), and logged-in staff, who choose
the instruments. It is instrument text, not client data: nothing is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.measurements.client_session import (
    client_session_get,
    staff_user_outside_handover,
)
from alliantiemonitor.measurements.speech import (
    SpeechText,
    SpeechUnavailable,
    speech_file,
    speech_text,
)

#: A year: the address carries the hash of the text, so its sound never changes. ``private``:
#: the answer depends on the session, so no shared cache keeps it.
CACHE_CONTROL = "private, max-age=31536000, immutable"


def _requested_text(**kwargs: Any) -> SpeechText:
    """The text the address names, or ``Http404``."""
    try:
        instrument = get_registry().get(kwargs["instrument"], version=kwargs["version"])
        text = speech_text(
            instrument=instrument,
            item_id=kwargs["item"],
            language=kwargs["language"],
            domain=kwargs["domain"],
        )
    except KeyError as exc:
        raise Http404("no such read-aloud text") from exc
    if text.digest != kwargs["digest"]:
        raise Http404("no such read-aloud text")
    return text


@require_http_methods(["GET"])
def read_aloud(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Serve (and make on first request) the audio of one statement and its answer options."""
    staff = staff_user_outside_handover(request)
    access = client_session_get(request) if staff is None else None
    if staff is None and access is None:
        return HttpResponse(status=403)
    text = _requested_text(**kwargs)
    if access is not None:
        measurement_round = access.round
        pinned = (
            measurement_round.instrument_id,
            measurement_round.instrument_version,
            measurement_round.domain,
        )
        if pinned != (kwargs["instrument"], kwargs["version"], kwargs["domain"]):
            raise Http404("not this client's instrument")
    try:
        path, _made = speech_file(text)
    except SpeechUnavailable:
        # The page falls back to saying so; a retry later may find espeak-ng installed.
        return HttpResponse(status=503)
    response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["Cache-Control"] = CACHE_CONTROL
    return response
