"""The conversation summary in Turkish, Arabic (right to left) and Polish (the PDF is parsed)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from alliantiemonitor.conversations import services as conversations
from alliantiemonitor.measurements.services import invitation_create, round_start
from tests.factories import answer_round
from tests.pdfs import ARABIC, arabic_words, flat, pdf_fonts, pdf_runs, pdf_text

pytestmark = pytest.mark.django_db

HEADINGS = ("How you both see it", "What you talked about", "What we agreed")
AGREEMENT = "We bellen elke maandag om tien uur."


def in_language(language, msgid):
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture
def talked(trajectory, professional):
    """A ``kort`` round both sides answered far apart, talked about, with an agreement."""
    round_ = round_start(trajectory=trajectory, by=professional, instrument_id="kort")
    # The client's link, made while their side is open; used to read the results back.
    _, round_.client_token = invitation_create(round=round_, kind="link", by=professional)
    answer_round(round_, "client", value=5)
    answer_round(round_, "professional", professional=professional, value=1)
    round_.refresh_from_db()
    conversation = conversations.conversation_start(round=round_, by=professional)
    conversations.agreement_add(conversation=conversation, text=AGREEMENT, by=professional)
    return round_


def _print(client, professional, round_):
    client.force_login(professional)
    response = client.get(reverse("conversations:summary", args=[round_.uuid]))
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("language", ["tr", "pl"])
def test_the_printed_summary_is_in_the_clients_language(
    client, professional, client_record, talked, language
):
    client_record.preferred_language = language
    client_record.save()
    content = _print(client, professional, talked)
    text = flat(pdf_text(content))
    instrument = talked.instrument

    for msgid in HEADINGS:
        assert in_language(language, msgid) in text
        assert msgid not in text
        assert in_language("nl", msgid) not in text
    for characteristic in instrument.characteristics:
        assert characteristic.name[language] in text
    # The statements talked about, as the client read them, with the client's answer.
    vocabulary = talked.vocabulary(language)
    first = instrument.items_for("client")[0]
    assert flat(first.display_text(language, vocabulary)) in text
    assert instrument.scale.points[-1].label[language] in text
    # Nothing quoted in Dutch: not the professional's statements, not the descriptions.
    professional_first = instrument.items_for("professional")[0]
    assert professional_first.display_text("nl", talked.vocabulary("nl"))[:30] not in text
    for characteristic in instrument.characteristics:
        if characteristic.description:
            assert characteristic.description["nl"][:30] not in text
    assert AGREEMENT in text  # what the professional wrote, as written
    assert "K.V." not in text
    note = "The statements in this language are a careful translation that has not been validated."
    assert in_language(language, note) in text
    assert all(name.startswith("DejaVu") for name in pdf_fonts(content))


def test_the_arabic_summary_runs_right_to_left(client, professional, client_record, talked):
    client_record.preferred_language = "ar"
    client_record.save()
    content = _print(client, professional, talked)
    text = pdf_text(content)
    assert len(ARABIC.findall(text)) > 200
    for characteristic in talked.instrument.characteristics:
        words = arabic_words(characteristic.name["ar"])
        assert all(word in text for word in words)
    assert all(name.startswith("DejaVu") for name in pdf_fonts(content))

    # The headings stand at the right of the page (in a left-to-right summary at the left).
    heading = arabic_words(in_language("ar", "How you both see it"))
    runs = pdf_runs(content)
    x = next(x for _p, x, _y, t in runs if all(word in t for word in heading))
    assert x > 595 / 2


def test_a_summary_in_english_keeps_the_professionals_statements(
    client, professional, client_record, talked
):
    client_record.preferred_language = "en"
    client_record.save()
    text = flat(pdf_text(_print(client, professional, talked)))
    assert "What we agreed" in text
    assert "careful translation" not in text


def test_a_preferred_language_the_variant_lacks_gives_dutch(
    client, professional, client_record, measurement_round
):
    client_record.preferred_language = "tr"
    client_record.save()
    answer_round(measurement_round, "client", value=5)
    answer_round(measurement_round, "professional", professional=professional, value=1)
    conversations.conversation_start(round=measurement_round, by=professional)
    text = flat(pdf_text(_print(client, professional, measurement_round)))
    assert "Hoe jullie het allebei zien" in text
    assert in_language("tr", "How you both see it") not in text


def _client_opens_results(client, professional, round_):
    conversations.round_mark_discussed(round=round_, by=professional)
    link = reverse("client:link", kwargs={"token": round_.client_token})
    assert client.get(link).status_code == 302


def test_the_client_downloads_it_in_their_preferred_language(
    client, professional, client_record, talked
):
    client_record.preferred_language = "tr"
    client_record.save()
    _client_opens_results(client, professional, talked)

    page = client.get(reverse("client:results"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="tr"' in page
    response = client.get(reverse("client:results_summary"), HTTP_ACCEPT_LANGUAGE="nl")
    text = flat(pdf_text(response.content))
    assert in_language("tr", "What we agreed") in text


def test_the_client_downloads_it_in_the_language_they_chose(
    client, professional, client_record, talked
):
    client_record.preferred_language = "tr"
    client_record.save()
    _client_opens_results(client, professional, talked)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    response = client.get(reverse("client:results_summary"))
    text = pdf_text(response.content)
    assert all(word in text for word in arabic_words(in_language("ar", "What we agreed")))
    assert in_language("tr", "What we agreed") not in text


def test_the_printed_summary_follows_the_language_the_client_answered_in(
    client, professional, client_record, talked
):
    """Review: the staff print used the preferred language, not the one the client filled in."""
    client_record.preferred_language = "nl"
    client_record.save()
    talked.responses.filter(rater="client").update(language="pl")
    text = flat(pdf_text(_print(client, professional, talked)))
    assert in_language("pl", HEADINGS[0]) in text
    assert in_language("nl", HEADINGS[0]) not in text
