"""The study report's words: one table English → Dutch, and how a page picks from it."""

from __future__ import annotations

import pytest

from alliantiemonitor.core.research.report_text import (
    ANALYSIS_REASONS,
    DUTCH,
    characteristic_names,
    check_language,
    fields_of,
    knows,
    lookup,
    text,
)


@pytest.mark.parametrize("english", sorted(DUTCH))
def test_every_text_has_a_dutch_one_with_the_same_fields(english: str) -> None:
    dutch = DUTCH[english]
    assert dutch.strip()
    assert dutch == dutch.strip() or english != english.strip()
    assert fields_of(dutch) == fields_of(english)


def test_the_dutch_speaks_to_the_reader_informally() -> None:
    for dutch in DUTCH.values():
        assert " u " not in f" {dutch.lower()} "
        assert " uw " not in f" {dutch.lower()} "


def test_text_fills_in_fields_after_translating() -> None:
    key = "Items of {scale} ({who})"
    assert text(key, "en", scale="Trust", who="client") == "Items of Trust (client)"
    assert text(key, "nl", scale="Vertrouwen", who="cliënt") == "Items van Vertrouwen (cliënt)"
    # Braces without fields stay as they are.
    assert text("Study report", "nl") == "Onderzoeksrapport"


def test_a_text_missing_from_the_table_fails_in_dutch() -> None:
    assert text("Not in the table", "en") == "Not in the table"
    with pytest.raises(KeyError):
        text("Not in the table", "nl")


def test_only_dutch_and_english() -> None:
    assert check_language("nl") == "nl"
    assert check_language("en") == "en"
    with pytest.raises(ValueError, match="nl or en"):
        check_language("de")
    with pytest.raises(ValueError, match="nl or en"):
        text("Study report", "fr")


def test_lookup_translates_known_values_and_keeps_the_rest() -> None:
    assert lookup("client", "nl") == "cliënt"
    assert lookup("improving", "nl") == "verbeterend"
    assert lookup("jeugdreclassering", "nl") == "jeugdreclassering"
    assert lookup("client", "en") == "client"
    assert lookup(None, "nl") == "None"


def test_lookup_translates_the_reports_wrapped_and_column_reasons() -> None:
    assert lookup("could not be estimated: no complete rows", "nl") == (
        "kon niet worden geschat: geen volledige rijen"
    )
    # The inner reason of a wrapped one that the table lacks stays English, and is not known.
    unknown = "the data could not be analysed: client: c_trust_1 is odd"
    assert lookup(unknown, "nl") == (
        "de gegevens konden niet worden geanalyseerd: cliënt: c_trust_1 is odd"
    )
    assert not knows(unknown)
    assert lookup("the data have no column(s) round_index", "nl") == (
        "de gegevens hebben geen kolom(men) round_index"
    )
    assert lookup("the data have no column(s) round_index", "en") == (
        "the data have no column(s) round_index"
    )


def test_characteristic_names_in_the_language_else_dutch() -> None:
    names = {"trust": {"nl": "Vertrouwen", "en": "Trust"}, "bond": {"nl": "Binding"}}
    assert characteristic_names(names, "nl") == {"trust": "Vertrouwen", "bond": "Binding"}
    assert characteristic_names(names, "en") == {"trust": "Trust", "bond": "Binding"}
    assert characteristic_names(None, "en") == {}


def test_reasons_from_the_analyses_are_dutch_with_their_variable_parts_kept() -> None:
    assert lookup("could not be estimated: 2 complete rows; alpha needs at least 3", "nl") == (
        "kon niet worden geschat: 2 volledige rijen; α heeft er minstens 3 nodig"
    )
    assert lookup("group 'jeugd' has 3 complete row(s), 19 items", "nl") == (
        "groep 'jeugd' heeft 3 volledige rij(en), 19 items"
    )
    # Problems joined by "; ", each with its rater, as a study's report lists them.
    joined = (
        "the data could not be analysed: client: column c_trust_3: is constant (every answer "
        "is 4); a constant item carries no information; professional: column p_bond_1: has no "
        "answers"
    )
    assert knows(joined)
    assert lookup(joined, "nl") == (
        "de gegevens konden niet worden geanalyseerd: cliënt: kolom c_trust_3: is constant "
        "(elk antwoord is 4); een constant item draagt geen informatie; professional: kolom "
        "p_bond_1: heeft geen antwoorden"
    )
    assert lookup(joined, "en") == joined
    assert not knows("column c_trust_3: is odd")


@pytest.mark.parametrize("template", ANALYSIS_REASONS)
def test_every_reason_pattern_has_a_dutch_text_and_matches_itself_filled_in(
    template: str,
) -> None:
    assert template in DUTCH
    filled = template.format(**dict.fromkeys(fields_of(template), "no events"))
    assert knows(filled)
    assert lookup(filled, "nl") != filled


def test_invariance_reasons_name_the_group_and_translate_the_inner_problem() -> None:
    one = (
        "group column 'domain' has 1 group(s) among the complete rows; invariance needs at "
        "least two"
    )
    assert lookup(one, "nl") == (
        "groepskolom 'domain' heeft 1 groep(en) onder de volledige rijen; meetinvariantie "
        "heeft er minstens twee nodig"
    )
    singular = "group 'reclassering': item(s) without variance in these rows: c_trust_1"
    assert lookup(singular, "nl") == (
        "groep 'reclassering': item(s) zonder variantie in deze rijen: c_trust_1"
    )
    # A group's value is shown as the page shows it elsewhere.
    assert lookup("group 'False' has 3 complete row(s), 19 items", "nl") == (
        "groep 'nee' heeft 3 volledige rij(en), 19 items"
    )
