"""Screenshots of every way a client can fill in the monitor, for docs/modes.md.

Runs the app as production serves it (benchmarks/client_app.py: throw-away database, DEBUG off)
with made-up clients, and saves PNGs into docs/images/modes/:

    own-phone-standaard.png   the personal link on a phone, all statements on one page
    own-phone-kort.png        the short variant on a phone
    easy-read.png             easy-read, one statement per screen, with pictograms
    read-aloud.png            the read-aloud button, with keyboard focus on it
    language-choice.png       the first screen: choose a language
    arabic-easy-read.png      easy-read in Arabic, right to left
    hand-over-tablet.png      the professional's tablet handed over to the client
    paper-form.png            the first page of the printable client form (needs pdftoppm)

    .venv/bin/python scripts/screenshots.py      (or: make screenshots)

Phones are 390 x 844 CSS pixels, the tablet 820 x 1180, at device scale 1 to keep the files
small. Card mode has its own screenshot (docs/images/client-cards.png), made with that mode.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from client_app import (  # noqa: E402
    PASSWORD,
    SETUP,
    USERNAME,
    hand_over,
    launch_chromium,
    running_app,
)

OUT = ROOT / "docs" / "images" / "modes"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}

#: The benchmark's clients (one per variant, Dutch) plus an Arabic easy-read client.
SHOTS_SETUP = (
    SETUP
    + """
secret, path = a_round("eenvoudig", "A.R.", language="ar")
print(f"LINK arabic {secret}")
print(f"ROUND arabic {path}")
secret, path = a_round("standaard", "T.B.")
print(f"LINK tablet {secret}")
print(f"ROUND tablet {path}")
"""
)


def _save(page: Any, name: str, *, top: bool = True) -> None:
    if top:  # choosing answers scrolls; the picture shows the screen as it opens
        page.evaluate("window.scrollTo(0, 0)")
    # caret="initial": hiding the caret injects a style, which the strict CSP refuses.
    page.screenshot(path=str(OUT / f"{name}.png"), caret="initial")
    print(f"  {name}.png")


def _client_page(browser: Any, base: str, token: str, *, locale: str = "nl-NL") -> Any:
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    page.goto(f"{base}/m/{token}/", wait_until="load")
    return page


def _answer_a_few(page: Any, count: int, choice: int) -> None:
    """Answer the first ``count`` statements, so the screenshot shows chosen answers too."""
    statements = page.locator("fieldset.am-statement")
    for index in range(min(count, statements.count())):
        with page.expect_response(lambda r: r.request.method == "POST"):
            statements.nth(index).locator("label.am-choice").nth(choice).click()


def shoot(browser: Any, base: str, links: dict[str, str], rounds: dict[str, str]) -> None:
    # The first screen, with the language choice.
    page = _client_page(browser, base, links["standaard"])
    _save(page, "language-choice")
    # Own phone, the standard list: two statements answered, scrolled to the first.
    page.goto(f"{base}/m/invullen/", wait_until="load")
    _answer_a_few(page, 2, 3)
    _save(page, "own-phone-standaard")
    page.context.close()

    page = _client_page(browser, base, links["kort"])
    page.goto(f"{base}/m/invullen/", wait_until="load")
    _answer_a_few(page, 1, 4)
    _save(page, "own-phone-kort")
    page.context.close()

    # Easy-read, one statement per screen; then the read-aloud button with keyboard focus.
    page = _client_page(browser, base, links["eenvoudig"])
    page.goto(f"{base}/m/invullen/", wait_until="load")
    _answer_a_few(page, 1, 3)
    _save(page, "easy-read")
    read_aloud = page.locator("button.am-read-aloud")
    if read_aloud.is_visible():
        read_aloud.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard, so the focus ring shows
        page.evaluate("document.activeElement.scrollIntoView({block: 'center'})")
        _save(page, "read-aloud", top=False)
    else:
        print("  read-aloud.png skipped: no read-aloud button (espeak-ng not installed?)")
    page.context.close()

    page = _client_page(browser, base, links["arabic"])
    page.goto(f"{base}/m/invullen/", wait_until="load")
    _answer_a_few(page, 1, 1)
    _save(page, "arabic-easy-read")
    page.context.close()

    # The professional's tablet, handed over to the client.
    context = browser.new_context(viewport=TABLET, locale="nl-NL")
    page = context.new_page()
    hand_over(page, base, rounds["tablet"])
    page.goto(f"{base}/m/invullen/", wait_until="load")
    _answer_a_few(page, 3, 2)
    _save(page, "hand-over-tablet")
    context.close()

    # The paper form: the PDF as the professional prints it, first page as a picture.
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print(
            "  paper-form.png skipped: pdftoppm not found (Debian: apt-get install poppler-utils)"
        )
        return
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(f"{base}/inloggen/")
    round_path = rounds["standaard"].rstrip("/")
    page.locator("#id_username").fill(USERNAME)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    pdf = page.request.get(f"{base}{round_path}/papier/client.pdf")
    content_type, body = pdf.headers.get("content-type"), pdf.body()
    context.close()
    if content_type != "application/pdf":
        print(f"  paper-form.png skipped: no PDF ({pdf.status} {content_type})")
        return
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "form.pdf"
        source.write_bytes(body)
        subprocess.run(  # noqa: S603 (a fixed local tool)
            [pdftoppm, "-png", "-r", "60", "-singlefile", str(source), str(OUT / "paper-form")],
            check=True,
        )
    print("  paper-form.png")


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with running_app(SHOTS_SETUP) as app, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        print(f"Screenshots into {OUT.relative_to(ROOT)}/")
        shoot(browser, app.base, app.values("LINK"), app.values("ROUND"))
        browser.close()
    for png in sorted(OUT.glob("*.png")):
        print(f"  {png.stat().st_size / 1024:6.1f} KB  {png.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
