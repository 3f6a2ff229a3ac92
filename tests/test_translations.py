"""The Dutch catalogue is complete, up to date with the code, and compiled."""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import alliantiemonitor

PACKAGE_DIR = Path(alliantiemonitor.__file__).resolve().parent
PO_FILE = PACKAGE_DIR / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def parse_po(path: Path) -> list[dict[str, object]]:
    """Parse a .po file into entries with msgctxt, msgid, msgid_plural, msgstr list and flags."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    field: str | None = None

    def finish() -> None:
        nonlocal current
        if "msgid" in current:
            entries.append(current)
        current = {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        if line.startswith("#,"):
            current.setdefault("flags", set()).update(  # type: ignore[union-attr]
                flag.strip() for flag in line[2:].split(",")
            )
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if field == "msgstr":
                strings = current["msgstr"]
                assert isinstance(strings, list)
                strings[-1] += value
            elif field is not None:
                current[field] = str(current[field]) + value
            continue
        keyword, _, literal = line.partition(" ")
        value = ast.literal_eval(literal)
        if keyword.startswith("msgstr"):
            current.setdefault("msgstr", [])
            strings = current["msgstr"]
            assert isinstance(strings, list)
            strings.append(value)
            field = "msgstr"
        else:
            if keyword == "msgctxt" and "msgid" in current:
                finish()
            current[keyword] = value
            field = keyword
    finish()
    return [entry for entry in entries if entry["msgid"] != ""]


def test_catalogue_exists():
    assert PO_FILE.is_file(), f"missing Dutch catalogue {PO_FILE}"
    assert MO_FILE.is_file(), f"missing compiled catalogue {MO_FILE}"


def test_every_string_is_translated():
    untranslated = [
        entry["msgid"]
        for entry in parse_po(PO_FILE)
        if not all(entry["msgstr"]) or "fuzzy" in entry.get("flags", set())
    ]
    assert untranslated == [], f"untranslated or fuzzy strings: {untranslated}"


def _require_gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} (GNU gettext) is needed in CI")
        pytest.skip(f"{name} (GNU gettext) is not installed")
    return path


def test_dutch_addresses_everyone_informally():
    """The app says "je" to professionals and clients alike; the formal "u"/"uw" crept into
    the newer pages and e-mails and made one screen switch between the two."""
    import re

    formal = re.compile(r"\b(u|uw|U|Uw|Wilt)\b")
    offending = [
        text for entry in parse_po(PO_FILE) for text in entry["msgstr"] if formal.search(text)
    ]
    assert offending == []


def test_compiled_catalogue_matches_the_po_file(tmp_path):
    msgfmt = _require_gettext_tool("msgfmt")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO_FILE)], check=True)
    with fresh.open("rb") as a, MO_FILE.open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            "django.mo is stale: run `make compilemessages`"
        )


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Extract strings from a copy of the package and compare with the committed catalogue."""
    _require_gettext_tool("xgettext")
    from django.core.management import call_command

    copy = tmp_path / "alliantiemonitor"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "definitions"),
    )
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        call_command(
            "makemessages",
            locale=["nl"],
            no_obsolete=True,
            no_location=True,
            ignore_patterns=["core/*"],
            verbosity=0,
        )
    finally:
        os.chdir(cwd)
    extracted = {
        (entry.get("msgctxt"), entry["msgid"])
        for entry in parse_po(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    }
    committed = {(entry.get("msgctxt"), entry["msgid"]) for entry in parse_po(PO_FILE)}
    missing = sorted(str(msgid) for _ctx, msgid in extracted - committed)
    assert missing == [], f"strings not in the catalogue (run `make messages`): {missing}"


# -- client languages (tr, ar, pl): exactly the strings of the client pages --------------------


def _client_messages_module():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "client_messages.py"
    spec = importlib.util.spec_from_file_location("client_messages", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CLIENT_LANGUAGE_CODES = ("tr", "ar", "pl")


@pytest.fixture(scope="module")
def client_msgids(tmp_path_factory):
    """Every (context, msgid) on the pages and in the modules a client sees."""
    _require_gettext_tool("xgettext")
    pot = tmp_path_factory.mktemp("client") / "client.pot"
    _client_messages_module().extract_pot(pot)
    return {(entry.get("msgctxt"), entry["msgid"]) for entry in parse_po(pot)}


def test_client_languages_are_the_settings_client_only_languages():
    from django.conf import settings

    assert tuple(code for code, _ in settings.CLIENT_ONLY_LANGUAGES) == CLIENT_LANGUAGE_CODES
    assert _client_messages_module().CLIENT_LANGUAGE_CODES == CLIENT_LANGUAGE_CODES


@pytest.mark.parametrize("language", CLIENT_LANGUAGE_CODES)
def test_client_catalogue_translates_every_client_string(language, client_msgids):
    po = PACKAGE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = {(entry.get("msgctxt"), entry["msgid"]): entry for entry in parse_po(po)}

    missing = sorted(str(msgid) for ctx, msgid in client_msgids - set(entries))
    untranslated = sorted(
        str(key[1])
        for key, entry in entries.items()
        if not all(entry["msgstr"]) or "fuzzy" in entry.get("flags", set())
    )
    stale = sorted(str(msgid) for ctx, msgid in set(entries) - client_msgids)

    hint = "run `python scripts/client_messages.py`, translate, then `make compilemessages`"
    assert missing == [], f"{language}: client strings not in the catalogue ({hint}): {missing}"
    assert untranslated == [], f"{language}: untranslated or fuzzy: {untranslated}"
    assert stale == [], f"{language}: strings no client page uses any more ({hint}): {stale}"


@pytest.mark.parametrize("language", CLIENT_LANGUAGE_CODES)
def test_client_catalogue_is_compiled(language, tmp_path):
    msgfmt = _require_gettext_tool("msgfmt")
    po = PACKAGE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(po)], check=True)
    with fresh.open("rb") as a, po.with_suffix(".mo").open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            f"{language}/django.mo is stale: run `make compilemessages`"
        )


def test_client_sources_name_the_client_templates():
    """A new client template under a listed folder is covered; a renamed file fails loudly."""
    module = _client_messages_module()
    files = {path.relative_to(PACKAGE_DIR).as_posix() for path in module.client_files()}

    assert "measurements/templates/measurements/fill/client_start.html" in files
    assert "measurements/templates/measurements/includes/language_choice.html" in files
    assert "web/templates/web/client_base.html" in files


def test_client_strings_keep_their_curly_quotes(client_msgids):
    """xgettext drops every non-ASCII character of an msgid when the template has no header
    (--omit-header): the catalogues then held "choose %(skip_label)s." while the page asks for
    "choose “%(skip_label)s”.", and Turkish, Arabic and Polish readers got the Dutch text."""
    msgid = "You may skip any statement: choose “%(skip_label)s”."
    assert (None, msgid) in client_msgids


@pytest.mark.parametrize("language", CLIENT_LANGUAGE_CODES)
def test_a_client_string_with_curly_quotes_is_translated_at_run_time(language):
    from django.utils import translation

    msgid = "You may skip any statement: choose “%(skip_label)s”."
    with translation.override("nl"):
        dutch = translation.gettext(msgid)
    with translation.override(language):
        # Django falls back to the default language's catalogue (Dutch) for a missing string.
        assert translation.gettext(msgid) not in (msgid, dutch)
