"""The client's paper form in Turkish, Arabic (right to left) and Polish: the PDFs are parsed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from alliantiemonitor.measurements.paper import paper_form_html
from alliantiemonitor.measurements.services import round_start
from tests.pdfs import ARABIC, arabic_words, circle_row, flat, pdf_fonts, pdf_runs, pdf_text

pytestmark = pytest.mark.django_db

#: The plain-words introduction of the (not easy-read) client form, as msgids.
INTRO = (
    "What is this for?",
    "Who sees your answers?",
    "Not used against you",
    "How to fill in",
    "Form code",
    "Form for the client",
)
#: The letters of each language that a Latin font without them would lose.
SPECIAL_LETTERS = {"tr": "ğşıİçöü", "pl": "ąęłżźśćńó"}


@pytest.fixture
def kort(trajectory, professional):
    return round_start(trajectory=trajectory, by=professional, instrument_id="kort")


def form_pdf(client, round_, **query):
    response = client.get(reverse("measurements:paper_form", args=[round_.uuid, "client"]), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def in_language(language, msgid):
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.mark.parametrize("language", ["tr", "ar", "pl"])
def test_the_form_is_in_the_chosen_language_with_no_dutch_or_english_left(
    client, professional, kort, language
):
    client.force_login(professional)
    content = form_pdf(client, kort, taal=language)
    text = flat(pdf_text(content))

    vocabulary = kort.vocabulary(language)
    statements = [
        item.display_text(language, vocabulary) for item in kort.instrument.items_for("client")
    ]
    labels = [point.label[language] for point in kort.instrument.scale.points]
    if language == "ar":
        assert len(ARABIC.findall(text)) > 500
        for statement in statements:
            words = arabic_words(statement)
            assert words, statement
            assert all(word in text for word in words), statement
    else:
        for statement in statements:
            assert flat(statement) in text
        for label in labels:
            assert label.split()[0] in text
    for msgid in INTRO:
        translated = in_language(language, msgid)
        assert translated not in (msgid, in_language("nl", msgid)), msgid
        if language != "ar":
            assert translated in text
        assert msgid not in text
        assert in_language("nl", msgid) not in text
    assert "versie" not in text
    assert "version" not in text
    # The instrument's own title, not the Dutch one.
    assert kort.instrument.title["nl"] not in text


@pytest.mark.parametrize("language", ["tr", "pl"])
def test_turkish_and_polish_letters_are_drawn_by_the_house_font(
    client, professional, kort, language
):
    client.force_login(professional)
    content = form_pdf(client, kort, taal=language)
    text = pdf_text(content)
    html = paper_form_html(kort, "client", language)

    letters = [letter for letter in SPECIAL_LETTERS[language] if letter in html]
    assert len(letters) >= 5, "the form's text should show the language's own letters"
    # Extraction gives a letter back only when a font had its glyph (not a blank "notdef").
    assert [letter for letter in letters if letter not in text] == []
    assert pdf_fonts(content)
    assert all(name.startswith("DejaVu") for name in pdf_fonts(content))


def test_arabic_is_right_to_left_with_arabic_glyphs(client, professional, kort):
    client.force_login(professional)
    content = form_pdf(client, kort, taal="ar")
    html = paper_form_html(kort, "client", "ar")

    assert '<html lang="ar" dir="rtl">' in html
    assert pdf_fonts(content)
    assert all(name.startswith("DejaVu") for name in pdf_fonts(content))
    assert ARABIC.search(pdf_text(content))


def _first_statement_line(runs, words):
    """(x of the statement number, x of the statement's text) on the first statement's line."""

    def is_statement(text):
        return all(word in text for word in words)

    page, y = next((p, y) for p, _x, y, t in runs if is_statement(t))
    line = [(x, t) for p, x, y2, t in runs if p == page and abs(y2 - y) < 1]
    number_x = next(x for x, t in line if t in ("1", "1."))
    text_x = next(x for x, t in line if is_statement(t))
    return number_x, text_x


def test_the_arabic_form_is_mirrored_and_the_turkish_one_is_not(client, professional, kort):
    client.force_login(professional)
    item = kort.instrument.items_for("client")[0]
    page_middle = 595 / 2

    ltr = pdf_runs(form_pdf(client, kort, taal="tr"))
    ltr_circles = circle_row(ltr)
    assert [t for _x, t in ltr_circles] == ["1", "2", "3", "4", "5", "0"]  # from the left
    tr_words = item.display_text("tr", kort.vocabulary("tr")).split()[:3]
    number_x, text_x = _first_statement_line(ltr, tr_words)
    assert number_x < text_x < page_middle  # the number, then the text, from the left

    rtl = pdf_runs(form_pdf(client, kort, taal="ar"))
    rtl_circles = circle_row(rtl)
    assert [t for _x, t in rtl_circles] == ["0", "5", "4", "3", "2", "1"]  # 1 at the right
    assert rtl_circles[-1][0] > page_middle > rtl_circles[0][0]
    ar_words = arabic_words(item.display_text("ar", kort.vocabulary("ar")))[:3]
    number_x, text_x = _first_statement_line(rtl, ar_words)
    assert number_x > page_middle
    assert number_x > text_x  # the number stands at the right, the text runs to its left


def test_the_form_code_reads_left_to_right_in_arabic(client, professional, kort):
    from alliantiemonitor.core import paper_code
    from alliantiemonitor.measurements.services.paper import paper_form_code

    client.force_login(professional)
    text = pdf_text(form_pdf(client, kort, taal="ar"))
    assert paper_code.pretty(paper_form_code(kort, "client")) in text


@pytest.mark.parametrize("language", ["tr", "ar", "pl"])
def test_an_unvalidated_translation_says_so_on_the_form(client, professional, kort, language):
    client.force_login(professional)
    note = "This form is a careful translation that has not been validated."
    html = paper_form_html(kort, "client", language)
    assert in_language(language, note) in html
    if language != "ar":
        assert in_language(language, note) in flat(pdf_text(form_pdf(client, kort, taal=language)))


def test_a_dutch_form_has_no_translation_note(kort):
    assert "careful translation" not in paper_form_html(kort, "client", "en")
    assert "zorgvuldige vertaling" not in paper_form_html(kort, "client", "nl")


def test_the_default_is_the_clients_preferred_language(client, professional, client_record, kort):
    client_record.preferred_language = "pl"
    client_record.save()
    client.force_login(professional)
    text = flat(pdf_text(form_pdf(client, kort)))
    assert in_language("pl", "Who sees your answers?") in text


def test_a_language_the_variant_lacks_gives_dutch(
    client, professional, client_record, measurement_round
):
    """``standaard`` has no Turkish: neither the choice nor the preference can ask for it."""
    client_record.preferred_language = "tr"
    client_record.save()
    client.force_login(professional)
    for query in ({}, {"taal": "tr"}, {"taal": "xx"}, {"taal": ""}):
        text = flat(pdf_text(form_pdf(client, measurement_round, **query)))
        assert "Wie ziet je antwoorden?" in text, query
        assert in_language("tr", "Who sees your answers?") not in text


def test_the_professionals_form_stays_in_the_professionals_language(
    client, professional, client_record, kort
):
    client_record.preferred_language = "ar"
    client_record.save()
    client.force_login(professional)
    response = client.get(
        reverse("measurements:paper_form", args=[kort.uuid, "professional"]), {"taal": "ar"}
    )
    text = pdf_text(response.content)
    assert not ARABIC.search(text)
    assert "Formulier voor de professional" in text


def _round_page(client, round_):
    return client.get(reverse("measurements:round_detail", args=[round_.uuid])).content.decode()


def test_the_round_page_offers_the_variants_client_languages(
    client, professional, client_record, kort
):
    client_record.preferred_language = "ar"
    client_record.save()
    client.force_login(professional)
    page = _round_page(client, kort)
    assert 'name="taal"' in page
    assert '<label class="utrecht-form-label" for="paper-language">' in page
    assert '<option value="ar" selected>Arabisch (vertaling niet gevalideerd)</option>' in page
    assert '<option value="nl">Nederlands</option>' in page
    for code in ("en", "tr", "pl"):
        assert f'<option value="{code}">' in page


def test_the_round_page_offers_no_language_the_variant_lacks(
    client, professional, client_record, measurement_round
):
    client_record.preferred_language = "tr"
    client_record.save()
    client.force_login(professional)
    page = _round_page(client, measurement_round)
    assert '<option value="nl" selected>Nederlands</option>' in page
    assert '<option value="en">' in page
    for code in ("tr", "ar", "pl"):
        assert f'<option value="{code}"' not in page


def test_the_easy_read_pictogram_stands_at_the_start_of_the_line(client, professional, trajectory):
    """Left of the statement in Turkish, right of it in Arabic: the number moves aside."""
    round_ = round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")
    client.force_login(professional)
    item = round_.instrument.items_for("client")[0]
    pictogram = 16 / 25.4 * 72  # 16 mm in points
    margin_left, margin_right = 39.7, 595.3 - 39.7

    tr_words = item.display_text("tr", round_.vocabulary("tr"), easy_read=True).split()[:3]
    number_x, text_x = _first_statement_line(
        pdf_runs(form_pdf(client, round_, taal="tr")), tr_words
    )
    assert margin_left + pictogram < number_x < text_x

    ar_text = item.display_text("ar", round_.vocabulary("ar"), easy_read=True)
    ar_runs = pdf_runs(form_pdf(client, round_, taal="ar"))
    number_x, text_x = _first_statement_line(ar_runs, arabic_words(ar_text)[:3])
    assert text_x < number_x < margin_right - pictogram
