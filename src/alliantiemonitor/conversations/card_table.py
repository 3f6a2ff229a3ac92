"""The cards of both sides laid side by side: the joint view's card-game table.

A presentation of :class:`~alliantiemonitor.conversations.results.RoundResults` only (the
scores, the agenda and the blind rule are the presenter's): per characteristic, a table with
the piles (the answers) as columns and the two people as rows, each pair of statements one
numbered card in both rows, so that a pair can be traced from one row to the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from alliantiemonitor.conversations.results import Answer, PairResult, RoundResults


@dataclass(frozen=True)
class TableCard:
    number: int
    pair: PairResult


@dataclass(frozen=True)
class CardRow:
    label: str
    #: One list of cards per column, in the order of :attr:`CardTable.columns`.
    cells: tuple[tuple[TableCard, ...], ...]
    #: Whether this side sent its answers (a round can end with one side only; the other
    #: side's cards are then not laid on "no answer" but the row says nothing was sent).
    sent: bool = True


@dataclass(frozen=True)
class CardTable:
    key: str
    name: str
    #: The piles: the scale's words, then "no answer".
    columns: tuple[str, ...]
    rows: tuple[CardRow, CardRow]
    cards: tuple[TableCard, ...]


def _column(answer: Answer, values: list[int]) -> int:
    return values.index(answer.value) if answer.value in values else len(values)


def card_tables(results: RoundResults) -> list[CardTable]:
    """One table per characteristic, the cards numbered through the whole round."""
    values = [value for value, _label in results.scale_labels]
    columns = (*(label for _value, label in results.scale_labels), _("No answer"))
    tables = []
    number = 0
    for characteristic in results.characteristics:
        cards = []
        for pair in characteristic.pairs:
            number += 1
            cards.append(TableCard(number=number, pair=pair))
        rows = []
        for label, side, sent in (
            (results.client_label, "client_answer", results.client_submitted),
            (results.professional_label, "professional_answer", results.professional_submitted),
        ):
            cells: list[list[TableCard]] = [[] for _column_label in columns]
            if sent:
                for card in cards:
                    cells[_column(getattr(card.pair, side), values)].append(card)
            rows.append(CardRow(label=label, cells=tuple(tuple(cell) for cell in cells), sent=sent))
        tables.append(
            CardTable(
                key=characteristic.key,
                name=characteristic.name,
                columns=columns,
                rows=(rows[0], rows[1]),
                cards=tuple(cards),
            )
        )
    return tables
