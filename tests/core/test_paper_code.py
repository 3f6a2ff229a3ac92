"""The form code and its Verhoeff check digit."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliantiemonitor.core import paper_code


def test_known_check_digit():
    # The worked example of Verhoeff's scheme: 236 gets the check digit 3.
    assert paper_code.check_digit("236") == "3"
    assert paper_code.is_valid("2363")
    assert not paper_code.is_valid("2364")


def test_form_code_has_round_digits_form_digit_and_check_digit():
    round_id = uuid.UUID(int=12_345_678_901)
    client = paper_code.form_code(round_id, "client")
    professional = paper_code.form_code(round_id, "professional")

    assert client[:7] == "5678901"
    assert client[7] == "1"
    assert professional[:7] == "5678901"
    assert professional[7] == "2"
    assert paper_code.is_valid(client)
    assert paper_code.is_valid(professional)
    assert paper_code.pretty(client) == f"{client[:4]} {client[4:8]} {client[8]}"
    assert paper_code.normalise(" 5678-9011 " + client[8]) == client


@given(st.text(alphabet="0123456789", min_size=1, max_size=12), st.data())
def test_every_single_wrong_digit_is_caught(payload, data):
    code = payload + paper_code.check_digit(payload)
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    assert not paper_code.is_valid(code[:position] + wrong + code[position + 1 :])


@given(st.text(alphabet="0123456789", min_size=2, max_size=12), st.data())
def test_every_swap_of_neighbouring_digits_is_caught(payload, data):
    code = payload + paper_code.check_digit(payload)
    i = data.draw(st.integers(0, len(code) - 2))
    if code[i] == code[i + 1]:
        return
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    assert not paper_code.is_valid(swapped)


@pytest.mark.parametrize("bad", ["", "1", "12a4", "١٢٣"])
def test_no_digits_no_code(bad):
    assert not paper_code.is_valid(bad)
    if bad and not (bad.isascii() and bad.isdigit()):
        with pytest.raises(ValueError):
            paper_code.check_digit(bad)


def test_the_position_permutations_are_the_powers_of_verhoeffs_permutation():
    """Row 4 of a typed-out table was once wrong; the rows must be p¹ applied 0…7 times."""
    p = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
    row = tuple(range(10))
    for k in range(8):
        assert paper_code._P[k] == row
        row = tuple(p[d] for d in row)
    assert row == tuple(range(10))  # p has order 8: the rows repeat after eight positions


def test_every_neighbour_swap_at_every_position_is_caught_exhaustively():
    """Every pair of different digits, swapped at every place of a form code's length."""
    # Found by hypothesis in CI: 36 → 63 at the fifth and sixth digit went through.
    code = "000036000" + paper_code.check_digit("000036000")
    assert not paper_code.is_valid("000063000" + code[-1])
    for length in range(2, 11):
        for i in range(length - 1):
            for a in "0123456789":
                for b in "0123456789":
                    if a == b:
                        continue
                    payload = ["0"] * length
                    payload[i], payload[i + 1] = a, b
                    code = "".join(payload) + paper_code.check_digit("".join(payload))
                    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                    assert not paper_code.is_valid(swapped), (code, swapped)
