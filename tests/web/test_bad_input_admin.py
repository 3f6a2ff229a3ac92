"""Bad input against every form of the Django admin, as the superuser who may use them.

Each model the admin registers (found in ``admin.site._registry``, so a new one is covered
without a list) has its add form and the change form of one row fetched as a browser would,
and hypothesis posts that form back with fields replaced by the hostile values of
tests/web/test_bad_input.py. The admin answers a good form with a redirect; any other answer
is a refusal, and a refusal must not be a server error, must leave every domain table as it
was and must say what is wrong (the admin's error note, or the project's error page for a
refused request such as a read-only model's add form).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.web.test_bad_input import EXAMPLES, _explains, _Forms, _snapshot, hostile_post

pytestmark = pytest.mark.django_db


def _admin_urls(superuser: Any) -> list[str]:
    """The add form of every registered model, and the change form of one of its rows."""
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        rows = model._default_manager.order_by("pk")
        if isinstance(superuser, model):
            # Not the superuser's own account: a deactivated or renamed superuser ends the run.
            rows = rows.exclude(pk=superuser.pk)
        row = rows.first()
        if row is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
    return urls


def test_every_registered_admin_form_is_reached(superuser, trajectory):
    assert len(_admin_urls(superuser)) > len(admin.site._registry)


def test_hostile_input_in_the_admin_gets_a_clear_refusal_and_changes_nothing(
    superuser,
    trajectory,  # an organisation, a team, memberships and users: rows to change
):
    browser = Client(raise_request_exception=False)
    browser.force_login(superuser)
    for url in _admin_urls(superuser):
        page = browser.get(url)
        assert page.status_code < 500, f"GET {url}: {page.status_code}"
        parser = _Forms()
        if page.status_code == 200:
            parser.feed(page.content.decode())
        forms = [
            {"sent": sent, "offered": {n: v for n, v in offered.items() if not _counts(n)}}
            for action, sent, offered in parser.forms
            if action in {"", url}
        ]
        _fuzz(browser, url, forms)


def _counts(name: str) -> bool:
    """Whether ``name`` is an inline's form count, sent back as the page gave it.

    A huge count makes Django build up to a thousand empty inline forms (its own cap, no
    error): a minute per example, for a limit Django's tests already cover.
    """
    return name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS"))


def _fuzz(browser: Client, url: str, forms: list[Any]) -> None:
    @EXAMPLES
    @given(data=st.data())
    def attempt(data: st.DataObject) -> None:
        # A read-only model's add form shows no form: hostile fields under any name then.
        post = hostile_post(data, forms[0] if forms else None)
        before = _snapshot()
        response = browser.post(url, post)
        what = f"POST {url} {post!r}"
        assert response.status_code < 500, f"{what}: {response.status_code}"
        if response.status_code != 302:
            after = _snapshot()
            changed = [label for label in before if before[label] != after[label]]
            assert changed == [], f"{what} was refused ({response.status_code}) but wrote {changed}"
            assert _explains(response), f"{what} was refused ({response.status_code}) silently"

    attempt()
