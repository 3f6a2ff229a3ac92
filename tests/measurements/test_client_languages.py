"""Five client languages: the choice on the first screen, Arabic right to left, answers kept
across a switch, staff pages in Dutch or English, and the client's language on the joint view."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alliantiemonitor.measurements.constants import Rater
from alliantiemonitor.measurements.exceptions import InvalidAnswers
from alliantiemonitor.measurements.services import (
    invitation_create,
    response_save_answers,
    response_submit,
    round_start,
)
from alliantiemonitor.scheduling.mail import client_language
from alliantiemonitor.scheduling.services import client_contact_set
from tests.factories import answer_round, discuss_round, full_answers
from tests.measurements.test_views_fill import _client_session

pytestmark = pytest.mark.django_db

FILL = "/m/invullen/"


@pytest.fixture
def easy_round(trajectory, professional):
    return round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")


def _choose(django_client: Any, language: str, next_url: str) -> None:
    answer = django_client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert answer.status_code == 302


def test_the_first_screen_offers_the_instruments_languages(client, easy_round, professional):
    _client_session(client, easy_round, professional)

    text = client.get(reverse("client:start")).content.decode()

    assert "In welke taal wil je lezen?" in text
    for code, name in (("tr", "Türkçe"), ("ar", "العربيّة"), ("pl", "polski"), ("en", "English")):
        assert f'value="{code}" lang="{code}"' in text
        assert name.capitalize() in text or name in text
    assert 'value="nl" lang="nl" dir="ltr" class="utrecht-button utrecht-button--primary' in text


def test_an_instrument_without_the_language_is_not_offered(client, measurement_round, professional):
    _client_session(client, measurement_round, professional)  # standaard: nl and en only

    text = client.get(reverse("client:start")).content.decode()

    assert 'value="en"' in text
    assert 'value="tr"' not in text
    assert 'value="ar"' not in text


def test_arabic_is_right_to_left_with_arabic_statements(client, easy_round, professional):
    _client_session(client, easy_round, professional)
    _choose(client, "ar", reverse("client:start"))

    start = client.get(reverse("client:start"))
    page = client.get(FILL).content.decode()

    assert start["Content-Language"] == "ar"
    assert '<html lang="ar" dir="rtl"' in start.content.decode()
    assert "قبل أن تبدأ" in start.content.decode()  # "Before you start"
    # The first easy-read statement with the Arabic domain word of reclassering.
    assert "يشرح لي مسؤول المراقبة الشروط جيدًا." in page
    assert "لا أوافق أبدًا" in page  # the scale's first label


def test_switching_language_keeps_the_saved_answers(client, easy_round, professional):
    _client_session(client, easy_round, professional)
    items = easy_round.instrument.items_for("client")
    client.post(f"{FILL}?vraag=1", {f"answer-{items[0].id}": "4", "action": "next"})
    response = easy_round.responses.current().by_rater(Rater.CLIENT).get()
    assert response.language == "nl"

    _choose(client, "pl", f"{FILL}?vraag=1")
    again = client.get(f"{FILL}?vraag=1").content.decode()
    client.post(f"{FILL}?vraag=2", {f"answer-{items[1].id}": "2", "action": "next"})

    assert f'name="answer-{items[0].id}" value="4" checked' in again
    assert "Zdecydowanie się nie zgadzam" in again
    response.refresh_from_db()
    assert response.answers == {items[0].id: 4, items[1].id: 2}
    assert response.language == "pl"


def test_a_preferred_language_the_instrument_lacks_falls_back(
    client, measurement_round, professional, client_record
):
    client_record.preferred_language = "tr"
    client_record.save()
    _client_session(client, measurement_round, professional)  # standaard: no Turkish

    assert client.get(reverse("client:start"))["Content-Language"] == "nl"


def test_a_preferred_client_language_is_spoken(client, easy_round, professional, client_record):
    client_record.preferred_language = "tr"
    client_record.save()
    _client_session(client, easy_round, professional)

    page = client.get(reverse("client:start"))

    assert page["Content-Language"] == "tr"
    assert "Başlamadan önce" in page.content.decode()


def test_staff_pages_stay_in_a_staff_language(client, professional, settings):
    client.force_login(professional)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    page = client.get(reverse("home"), follow=True)
    text = page.content.decode()

    assert page["Content-Language"] == "nl"
    assert 'name="language" value="en"' in text
    assert 'value="ar"' not in text
    assert 'value="tr"' not in text


def test_a_language_the_instrument_does_not_offer_is_refused(measurement_round):
    with pytest.raises(InvalidAnswers) as refused:
        response_save_answers(
            round=measurement_round,
            rater="client",
            answers={"c_direction_1": 3},
            mode="own_device",
            language="tr",
        )

    assert refused.value.problems == ["language 'tr' is not one of nl, en"]
    assert not measurement_round.responses.exists()


def test_the_joint_view_notes_the_clients_language(client, easy_round, professional):
    response_save_answers(
        round=easy_round,
        rater="client",
        answers=full_answers(easy_round.instrument, "client"),
        mode="own_device",
        language="ar",
    )
    response_submit(round=easy_round, rater="client")
    answer_round(easy_round, "professional", professional=professional)
    client.force_login(professional)

    text = client.get(
        reverse("conversations:joint", args=[easy_round.uuid]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()

    assert "De cliënt vulde de vragenlijst in in het Arabisch." in text
    assert "niet gevalideerd" in text
    # The statements themselves are in the professional's language.
    assert "Ik vertrouw mijn reclasseringswerker." in text


@pytest.mark.parametrize(
    ("preferred", "mail_language"), [("tr", "tr"), ("ar", "ar"), ("pl", "pl"), ("en", "en")]
)
def test_e_mails_are_in_the_clients_language(client_record, professional, preferred, mail_language):
    """The client catalogues hold the e-mails too (tests/scheduling/test_client_languages.py
    checks their text)."""
    client_record.preferred_language = preferred
    client_record.save()
    contact = client_contact_set(
        client=client_record, by=professional, email="kv.synthetisch@example.net", consent=True
    )

    assert client_language(contact) == mail_language


def test_the_clients_results_page_speaks_the_clients_language(client, easy_round, professional):
    _invitation, token = invitation_create(round=easy_round, kind="link", by=professional)
    discuss_round(easy_round, professional)
    client.get(reverse("client:link", kwargs={"token": token}))
    _choose(client, "tr", reverse("client:results"))

    text = client.get(reverse("client:results")).content.decode()

    assert "Puanlarınız yan yana" in text  # "Your scores side by side"
    assert "Güven" in text  # the characteristic "trust", from the instrument
    assert "Bence denetimli serbestlik görevlisi güvenebileceğim biri." in text
