"""axe-core over every page of the product, as the persona who uses it: zero WCAG 2.1 A/AA.

The pages are those of ``alliantiemonitor/pages.py`` (every URL has an entry there); their
URLs are built by the authorisation matrix's rules from its synthetic world, built here in the
live server's database. One browser, one context per persona, each logged in once; then the
error pages, which have no URL of their own.
"""

from __future__ import annotations

from typing import Any

import pytest

from alliantiemonitor.pages import PAGES
from tests.e2e.conftest import axe_violations, log_in
from tests.permissions.test_matrix import _ROUTES, RULES, _url
from tests.permissions.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True)

#: Pages that, in the matrix's world, send their persona on: axe checks where they land.
#: The world's client has no study question open and nothing submitted; the professional's
#: answers of the discussed round were sent long ago; an invitation's secret is shown only
#: right after it is made.
LANDS_ELSEWHERE = {
    "measurements:invitation_show",
    "client:confirm",
    "client:done",
    "client:results",
    "client:research",
    "client:research_questionnaire",
    "measurements:fill_confirm",
    "admin:password_change_done",
}
#: Pages whose status is not 200 for their persona in the world.
STATUS = {"route:admin/(?P<url>.*)$": 404, "client:research_withdraw": 404}
#: Pages with another presentation behind a query (the card game): checked in both; the
#: questionnaires are then set back to the list, the presentation being kept per session.
VARIANTS = {
    "client:fill": ("?weergave=kaarten", "?weergave=lijst"),
    "measurements:fill": ("?weergave=kaarten", "?weergave=lijst"),
    "conversations:joint": ("?weergave=kaarten", None),
}


class Personas:
    """One browser context per persona, logged in on first use."""

    def __init__(self, browser: Any, live_server: Any, world: World) -> None:
        self.browser, self.live_server, self.world = browser, live_server, world
        self.pages: dict[str, Any] = {}
        self.problems: list[str] = []

    def page(self, persona: str) -> Any:
        if persona not in self.pages:
            context = self.browser.new_context(
                locale="nl-NL", viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(90_000)
            page = context.new_page()
            if persona == "client":
                page.goto(f"{self.live_server.url}/m/{self.world.client_token}/")
            elif persona != "anonymous":
                self.log_in(page, self.world.users[persona])
            self.pages[persona] = page
        return self.pages[persona]

    def log_in(self, page: Any, user: Any) -> None:
        """Log in through the forms; the first time, also check the second-factor step."""
        first = not self.pages

        def at_code_step(page: Any) -> None:
            if first:
                self.check(page, "second_factor_verify")

        log_in(page, self.live_server, user, at_code_step)

    def check(self, page: Any, what: str) -> None:
        self.problems += [f"{what} ({page.url}): {line}" for line in axe_violations(page)]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def test_every_page_has_no_wcag_violations(browser, live_server):
    world = build_world()
    admin_rows(world)
    personas = Personas(browser, live_server, world)
    wrong: list[str] = []
    try:
        for key, persona in sorted(PAGES.items(), key=lambda item: item[1]):
            if persona.startswith("skip: "):
                continue
            page = personas.page(persona)
            path = _url(world, _ROUTES[key], RULES[key], world.own)
            response = page.goto(f"{live_server.url}{path}")
            status = response.status if response is not None else 0
            if status != STATUS.get(key, 200):
                wrong.append(f"{key}: {persona} got {status} for {path}")
            landed = page.url.removeprefix(live_server.url).split("?")[0]
            if landed != path and key not in LANDS_ELSEWHERE:
                wrong.append(f"{key}: {persona} asked for {path}, landed on {landed}")
            personas.check(page, key)
            if key in VARIANTS:
                query, back = VARIANTS[key]
                page.goto(f"{live_server.url}{path}{query}")
                personas.check(page, f"{key} {query}")
                if back:
                    page.goto(f"{live_server.url}{path}{back}")
        error_pages(personas, live_server)
    finally:
        personas.close()
    assert not wrong + personas.problems, "\n".join(wrong + personas.problems)


def admin_rows(world: World) -> None:
    """One row of each admin model the matrix's world leaves empty, for its change form."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from alliantiemonitor.jobs.models import PeriodicRun, Worker
    from alliantiemonitor.scheduling.models import Delivery, OrganisationSchedule

    Group.objects.create(name="Leesrechten")
    request = {"user_agent": "Chromium", "http_accept": "text/html", "path_info": "/inloggen/"}
    AccessAttempt.objects.create(
        username="iemand", get_data="", post_data="", failures_since_start=1, **request
    )
    AccessFailureLog.objects.create(username="iemand", **request)
    OrganisationSchedule.objects.create(
        organisation=world.own.organisation, sender_name="Team Noord", message_text="Tot snel."
    )
    Delivery.objects.create(kind="invitation", key="invitation/voorbeeld/1")
    PeriodicRun.objects.create(name="voorbeeld", slot=1, due_at=timezone.now())
    Worker.objects.create(worker_id="voorbeeld-1", hostname="werker", pid=1)


def error_pages(personas: Personas, live_server: Any) -> None:
    """The error pages: 404, 403, 405, a refused CSRF token, 500 and 503."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.views.csrf import csrf_failure

    page = personas.page("anonymous")
    for path, status in (("/geen-pagina/", 404), ("/m/start/", 403), ("/uitloggen/", 405)):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == status, path
        personas.check(page, f"error {status}")
    # The pages of a refused CSRF token, an unexpected error and an unreachable database, as
    # their handlers render them (no view fails on purpose); served under the live server's
    # address so that the stylesheets load as on any page.
    request = RequestFactory().post("/inloggen/")
    bodies = {
        403: csrf_failure(request, reason="CSRF token missing.").content.decode(),
        500: render_to_string("500.html"),
        503: render_to_string("503.html"),
    }
    for status, body in bodies.items():
        url = f"{live_server.url}/fout-{status}/"
        page.route(url, serve(status, body))
        page.goto(url)
        personas.check(page, f"error page {status}")


def serve(status: int, body: str) -> Any:
    """A route handler that answers with ``body`` and ``status``."""
    return lambda route, _request: route.fulfill(
        status=status, body=body, content_type="text/html; charset=utf-8"
    )
