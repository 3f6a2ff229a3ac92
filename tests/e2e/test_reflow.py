"""Nothing is cut off or overlaps at 320 CSS pixels wide (WCAG 1.4.10) or at 200 % zoom (1.4.4).

320 px is the reflow criterion's own width. 200 % zoom is what a browser's zoom does to a
1280 × 900 window: the page is laid out in 640 × 450 CSS pixels, each drawn as two device
pixels, so the viewport below is exactly the zoomed window. On both the page itself never
scrolls sideways (a wide table scrolls inside its own region) and no element that hides its
overflow has text cut off.
"""

from __future__ import annotations

from typing import Any

import pytest

from alliantiemonitor.measurements.services import invitation_create, round_start
from alliantiemonitor.trajectories.services import trajectory_start
from tests.e2e.conftest import log_in
from tests.e2e.test_page_layout import far_apart
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)

#: (name, viewport, device pixels per CSS pixel)
SIZES = (
    ("320 px", {"width": 320, "height": 640}, 1),
    ("200 %", {"width": 640, "height": 450}, 2),
)

#: Elements that hide what does not fit and whose content is wider than they are. A visually
#: hidden element (1 × 1 px, for screen readers) is meant to hide its text; so is a closed
#: ``details``.
CLIPPED = """() => {
  const hides = value => ['hidden', 'clip'].includes(value);
  const clipped = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (el.clientWidth <= 1 || el.clientHeight <= 1) continue;
    const wide = hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const tall = hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    if (wide || tall) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const size = `${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`;
      clipped.push(`${name} ${classes} (${size})`);
    }
  }
  return clipped;
}"""


def problems(page: Any, where: str) -> list[str]:
    """What does not fit on ``page`` as it is now."""
    found = []
    width = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    if width > 0:
        found.append(f"{where}: the page scrolls sideways by {width} px")
    found += [f"{where}: cut off: {element}" for element in page.evaluate(CLIPPED)]
    return found


def test_pages_fit_at_320_px_and_at_200_percent_zoom(
    browser, live_server, organisation, team, professional, trajectory, measurement_round
):
    far_apart(measurement_round, professional)
    # A client's questionnaire in both presentations: standard, and easy-read.
    links = {}
    for easy_read in (False, True):
        client = ClientFactory(organisation=organisation, easy_read=easy_read)
        started = trajectory_start(
            client=client,
            professional=professional,
            legal_frame="Toezicht",
            start_date=trajectory.start_date,
            team=team,
        )
        fresh = round_start(trajectory=started, by=professional)
        _invitation, secret = invitation_create(round=fresh, kind="link", by=professional)
        links["eenvoudig" if easy_read else "standaard"] = secret
    staff_pages = {
        "caseload": "/clienten/",
        "round": f"/metingen/{measurement_round.uuid}/",
        "joint view": f"/gesprek/{measurement_round.uuid}/",
    }
    wrong: list[str] = []
    for size, viewport, scale in SIZES:
        for who in ("professional", *links):
            # A client's link is refused in a staff member's browser: one context each.
            context = browser.new_context(
                locale="nl-NL", viewport=viewport, device_scale_factor=scale
            )
            context.set_default_timeout(90_000)
            try:
                page = context.new_page()
                if who == "professional":
                    log_in(page, live_server, professional)
                    for name, path in staff_pages.items():
                        page.goto(f"{live_server.url}{path}")
                        wrong += problems(page, f"{name} at {size}")
                    continue
                page.goto(f"{live_server.url}/m/{links[who]}/")
                wrong += problems(page, f"client intro ({who}) at {size}")
                with page.expect_navigation(wait_until="load"):
                    page.locator("main a.utrecht-button").first.click()
                wrong += problems(page, f"client questionnaire ({who}) at {size}")
                # The card game, with cards in hand, on the piles and still in the deck.
                page.goto(f"{live_server.url}/m/invullen/?weergave=kaarten")
                for pile in ("1", "4", "skip", "aside"):
                    page.locator(f'[data-pile="{pile}"] [data-pile-button]').click()
                page.wait_for_load_state("networkidle")  # the autosaves, before the next page
                wrong += problems(page, f"card game ({who}) at {size}")
            finally:
                context.close()
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_page_too_wide_and_text_cut_off(browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.set_content(
            "<main><div style='width: 400px'>wide</div>"
            "<p style='width: 100px; overflow: hidden; white-space: nowrap'>"
            "a sentence far too long for its box</p></main>"
        )
        found = problems(page, "sample")
    finally:
        context.close()
    # 400 px and the body's default margin of 8 px, in 320.
    assert found[0] == "sample: the page scrolls sideways by 88 px"
    assert len(found) == 2
    assert "cut off: p" in found[1]
