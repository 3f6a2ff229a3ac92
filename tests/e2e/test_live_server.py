"""The browser tests' server answers pages that load at the same time, as a browser loads them.

With SQLite in memory, Django's test server shares one database connection between all its
request threads, so two requests that each append an audit event at once interleave their
transactions on that one connection (a page's htmx fragments load together). The tests'
server runs one request at a time instead (``tests/e2e/conftest.py``).
"""

from __future__ import annotations

import sys

import pytest

from tests.e2e.conftest import log_in, open_client_questionnaire

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_audited_pages_loading_at_once_all_answer(
    new_page, live_server, professional, trajectory
):
    # Switch threads often, as a busy machine does, so that requests overlap.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        _load_at_once(new_page, live_server, professional, trajectory)
    finally:
        sys.setswitchinterval(interval)


def _load_at_once(new_page, live_server, professional, trajectory) -> None:  # type: ignore[no-untyped-def]
    page = new_page(locale="nl-NL")
    log_in(page, live_server, professional)
    # The trajectory page's two fragments, each audited, many times over.
    addresses = [
        f"/verloop/{trajectory.uuid}/tijdlijn/",
        f"/onderzoek/traject/{trajectory.uuid}/",
        f"/clienten/{trajectory.uuid}/",
    ] * 30
    statuses = page.evaluate(
        "addresses => Promise.all(addresses.map(a => fetch(a).then(r => r.status)))", addresses
    )
    assert statuses == [200] * len(addresses)


def test_many_answers_saved_at_once_all_answer(new_page, live_server, professional, trajectory):
    """Saving answers writes in a transaction (with its audit event); many saves at once."""
    client = open_client_questionnaire(new_page, live_server, professional, trajectory)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        statuses = client.evaluate(
            """() => {
                const form = document.querySelector("form.am-fill-form");
                const radios = [...form.querySelectorAll("input[type=radio]")];
                return Promise.all(radios.map(radio => {
                    const data = new FormData(form);
                    data.set(radio.name, radio.value);
                    const address = form.getAttribute("action") || location.href;
                    return fetch(address, {method: "POST", body: data}).then(r => r.status);
                }));
            }"""
        )
    finally:
        sys.setswitchinterval(interval)
    assert len(statuses) >= 5
    assert set(statuses) <= {200, 302}, statuses
