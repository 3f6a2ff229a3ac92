"""The joint view's cards side by side: piles as columns, both people as rows, numbered pairs."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from alliantiemonitor.conversations.card_table import card_tables
from alliantiemonitor.conversations.results import round_results
from tests.conversations.conftest import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def disagreeing(measurement_round, professional):
    """The client strongly disagrees with the first direction statement and flags a bond one."""
    answer(
        measurement_round, "client", 4, c_direction_1=1, c_direction_2=None, flagged=["c_bond_2"]
    )
    answer(measurement_round, "professional", 4, professional=professional)
    return measurement_round


def test_every_pair_lies_once_in_each_row(disagreeing):
    results = round_results(disagreeing, viewer="professional")
    tables = card_tables(results)
    assert [table.key for table in tables] == [c.key for c in results.characteristics]
    numbers = [card.number for table in tables for card in table.cards]
    assert numbers == list(range(1, len(numbers) + 1))
    for table in tables:
        assert len(table.columns) == len(results.scale_labels) + 1
        for row in table.rows:
            placed = sorted(card.number for cell in row.cells for card in cell)
            assert placed == [card.number for card in table.cards]


def test_cards_lie_on_the_pile_of_their_answer(disagreeing):
    results = round_results(disagreeing, viewer="professional")
    direction = card_tables(results)[0]
    values = [value for value, _label in results.scale_labels]
    client_row, professional_row = direction.rows
    first = direction.cards[0]
    assert first.pair.client_item == "c_direction_1"
    assert first in client_row.cells[values.index(1)]
    assert first in professional_row.cells[values.index(4)]
    # Not answered: the last column.
    second = direction.cards[1]
    assert second in client_row.cells[-1]
    assert first.pair.on_agenda


def test_joint_view_shows_the_table_folded_and_open_on_request(client, professional, disagreeing):
    client.force_login(professional)
    url = reverse("conversations:joint", args=[disagreeing.uuid])
    html = client.get(url).content.decode()
    assert 'id="cards-heading"' in html
    assert html.count('<table class="utrecht-table am-card-table">') == len(
        round_results(disagreeing, viewer="professional").characteristics
    )
    assert re.search(
        r'<details class="am-disclosure">\s*<summary[^>]*><h2[^>]*id="cards-heading"', html
    )
    assert "am-card-table__card--agenda" in html
    opened = client.get(f"{url}?weergave=kaarten").content.decode()
    assert re.search(
        r'<details class="am-disclosure" open>\s*<summary[^>]*><h2[^>]*id="cards-heading"', opened
    )


def test_no_table_before_both_are_done(client, professional, measurement_round):
    answer(measurement_round, "client", 4)
    client.force_login(professional)
    html = client.get(
        reverse("conversations:joint", args=[measurement_round.uuid])
    ).content.decode()
    assert "am-card-table" not in html


def test_a_side_that_sent_nothing_says_so_instead_of_lying_on_no_answer():
    """A round that ended with the client's answers only: the professional's row is not a row
    of cards on "no answer" (which would read as "answered 'don't know' everywhere")."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from alliantiemonitor.conversations.results import _results_of
    from alliantiemonitor.instruments.registry import get_registry

    instrument = get_registry().get("kort")
    results = _results_of(
        instrument=instrument,
        language="nl",
        vocabulary={},
        viewer="professional",
        client_answers={i.id: 3 for i in instrument.items_for("client")},
        professional_answers=None,
    )
    tables = card_tables(results)
    for table in tables:
        client_row, professional_row = table.rows
        assert client_row.sent
        assert sum(len(cell) for cell in client_row.cells) == len(table.cards)
        assert not professional_row.sent
        assert not any(professional_row.cells)
    with translation.override("nl"):
        html = render_to_string(
            "conversations/_card_tables.html", {"results": results, "card_tables": tables}
        )
    rows = re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", html, re.S)
    professional_rows = [row for row in rows if results.professional_label in row]
    assert len(professional_rows) == len(tables)
    for row in professional_rows:
        assert "Er zijn geen antwoorden verstuurd." in row
        assert "am-card-table__card" not in row
