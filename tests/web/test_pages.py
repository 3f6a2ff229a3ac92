"""The list of pages for the accessibility walk covers every URL of the project."""

from __future__ import annotations

from alliantiemonitor.pages import PAGES
from tests.permissions.matrix import discover

PERSONAS = {"anonymous", "client", "professional", "team_lead", "org_admin", "researcher"}


def test_every_url_has_an_entry_in_pages():
    """A new URL without a line in ``alliantiemonitor/pages.py`` fails here: add one."""
    keys = {route.key for route in discover()}
    assert sorted(keys - set(PAGES)) == [], "URLs without an entry in alliantiemonitor/pages.py"
    assert sorted(set(PAGES) - keys) == [], "entries in pages.py for URLs that do not exist"


def test_every_entry_names_a_persona_or_why_it_is_skipped():
    wrong = {
        key: value
        for key, value in PAGES.items()
        if value not in PERSONAS | {"superuser"} and not value.startswith("skip: ")
    }
    assert wrong == {}
