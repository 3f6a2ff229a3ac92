"""Printing paper forms (the PDFs are parsed) and the keyboard entry screen."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from alliantiemonitor.core import paper_code
from alliantiemonitor.measurements.models import PaperEntry, Response
from alliantiemonitor.measurements.paper_forms import paper_field_name
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.measurements.services.paper import paper_form_code
from tests.factories import answer_round
from tests.pdfs import pdf_runs, pdf_text

pytestmark = pytest.mark.django_db


def form_url(round_, form):
    return reverse("measurements:paper_form", args=[round_.uuid, form])


def entry_url(round_):
    return reverse("measurements:paper_entry", args=[round_.uuid])


def test_the_client_form_has_the_code_the_statements_in_order_and_circles_in_order(
    client, professional, measurement_round, instrument
):
    client.force_login(professional)
    response = client.get(form_url(measurement_round, "client"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    code = paper_form_code(measurement_round, "client")
    assert paper_code.pretty(code) in text
    assert paper_code.is_valid(code)
    assert "K.V." not in text  # never the client's name on paper
    assert "Wie ziet je antwoorden?" in text  # the plain-words intro, in Dutch

    runs = pdf_runs(response.content)
    vocabulary = measurement_round.vocabulary("nl")
    positions = []
    for number, item in enumerate(instrument.items_for("client"), start=1):
        page, y = next((p, y) for p, _x, y, t in runs if t == f"{number}.")
        beside = [t for p, x, y2, t in runs if p == page and y2 == y and x > 50]
        assert beside
        assert item.display_text("nl", vocabulary).startswith(beside[0])
        positions.append((page, -y))
    assert positions == sorted(positions), "the statements are printed in the form's order"

    # The circles of the first statement: 1 2 3 4 5 0, left to right on one line.
    first_page, _, first_y = next((p, x, y) for p, x, y, t in runs if t == "1.")
    circles = sorted(
        (x, t)
        for p, x, y, t in runs
        if p == first_page and t in set("123450") and y < first_y and y > first_y - 60
    )
    assert [t for _x, t in circles] == ["1", "2", "3", "4", "5", "0"]


def test_the_client_form_speaks_the_clients_language(
    client, professional, measurement_round, client_record, instrument
):
    client_record.preferred_language = "en"
    client_record.save()
    client.force_login(professional)
    text = pdf_text(client.get(form_url(measurement_round, "client")).content)
    item = instrument.items_for("client")[0]
    assert item.display_text("en", measurement_round.vocabulary("en"))[:25] in text
    assert "Who sees your answers?" in text
    assert paper_code.pretty(paper_form_code(measurement_round, "client")) in text


def test_the_easy_read_form_has_the_easy_wording(client, professional, trajectory, client_record):
    client_record.easy_read = True
    client_record.save()
    round_ = round_start(trajectory=trajectory, by=professional)
    assert round_.instrument.easy_read
    client.force_login(professional)
    content = client.get(form_url(round_, "client")).content
    text = pdf_text(content)
    item = round_.instrument.items_for("client")[0]
    assert item.display_text("nl", round_.vocabulary("nl"), easy_read=True)[:20] in text
    assert "Kleur één rondje in." in text or "Colour in one circle." in text
    # The pictograms are drawn (vector graphics), not fetched: the page has drawing content.
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert b" c\n" in page.get_contents().get_data() or b" c " in page.get_contents().get_data()


def test_the_professional_form_has_its_own_code(client, professional, measurement_round):
    client.force_login(professional)
    text = pdf_text(client.get(form_url(measurement_round, "professional")).content)
    assert paper_code.pretty(paper_form_code(measurement_round, "professional")) in text


@pytest.mark.parametrize("who", ["colleague", "outsider", "team_lead"])
def test_others_cannot_print(client, request, who, measurement_round):
    client.force_login(request.getfixturevalue(who))
    assert client.get(form_url(measurement_round, "client")).status_code == 404
    assert client.get(entry_url(measurement_round)).status_code == 404


def test_an_unknown_form_is_not_found(client, professional, measurement_round):
    client.force_login(professional)
    assert client.get(form_url(measurement_round, "research")).status_code == 404


def test_entry_waits_for_the_professionals_own_side(client, professional, measurement_round):
    client.force_login(professional)
    page = client.get(entry_url(measurement_round)).content.decode()
    assert "Verstuur eerst je eigen kant" in page
    assert 'name="code"' not in page


def _keys(instrument, value="4"):
    return {paper_field_name(item.id): value for item in instrument.items_for("client")}


def test_the_whole_entry_code_keys_check_save(client, professional, measurement_round, instrument):
    answer_round(measurement_round, "professional", professional=professional, value=1)
    client.force_login(professional)
    url = entry_url(measurement_round)
    code = paper_form_code(measurement_round, "client")

    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    refused = client.post(url, {"step": "code", "code": wrong})
    assert refused.status_code == 400
    assert "digit was mistyped" in refused.content.decode() or "verkeerd" in (
        refused.content.decode()
    )

    keys_page = client.post(url, {"step": "code", "code": paper_code.pretty(code)})
    assert keys_page.status_code == 200
    body = keys_page.content.decode()
    assert 'pattern="[123450 ]"' in body
    assert "paper-entry.js" in body
    assert 'value="1"' not in body  # the professional's own answers are never shown

    keys = _keys(instrument)
    first = next(iter(keys))
    bad = client.post(url, {"step": "check", "code": code, **keys, first: "7"})
    assert bad.status_code == 400

    keys[first] = " "
    check = client.post(url, {"step": "check", "code": code, **keys})
    assert check.status_code == 200
    assert "am-paper-check__circle--on" in check.content.decode()
    assert not Response.objects.filter(round=measurement_round, rater="client").exists()

    saved = client.post(url, {"step": "save", "finish": "now", "code": code, **keys})
    assert saved.status_code == 302
    response = Response.objects.get(round=measurement_round, rater="client")
    assert response.mode == "paper_entry"
    assert response.is_submitted
    assert response.answers[first.removeprefix("p-")] is None
    assert response.paper_entry.first_by == professional

    again = client.post(url, {"step": "save", "finish": "now", "code": code, **keys})
    assert again.status_code in (200, 409)
    assert Response.objects.filter(round=measurement_round, rater="client").count() == 1


def test_saving_for_a_second_typist(client, professional, colleague, measurement_round, instrument):
    answer_round(measurement_round, "professional", professional=professional)
    client.force_login(professional)
    url = entry_url(measurement_round)
    code = paper_form_code(measurement_round, "client")
    keys = {"step": "save", "finish": "verify", "code": code, **_keys(instrument)}
    unnamed = client.post(url, keys)
    assert unnamed.status_code == 400  # who checks it is chosen, not left open
    assert not PaperEntry.objects.exists()
    client.post(url, {**keys, "verifier": str(colleague.uuid)})
    entry = PaperEntry.objects.get(round=measurement_round)
    assert (entry.state, entry.verifier) == ("awaiting_second", colleague)
    page = client.get(url).content.decode()
    assert "tweede persoon" in page or "second person" in page
