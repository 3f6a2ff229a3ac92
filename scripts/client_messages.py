"""The interface strings a client sees, and the client-language catalogues that translate them.

Turkish, Arabic and Polish are client languages only (docs/languages.md): their catalogues hold
exactly the strings of the pages and modules listed in CLIENT_SOURCES, no more (a string that
no client page uses any longer is stale) and no less (tests/test_translations.py checks both).

    python scripts/client_messages.py          # update locale/{tr,ar,pl} from CLIENT_SOURCES

Then translate the new entries, remove every "#, fuzzy" flag and run `make compilemessages`.
Needs GNU gettext (xgettext, msgmerge, msgattrib) and Django settings (SECRET_KEY set).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "src" / "alliantiemonitor"
CLIENT_LANGUAGE_CODES = ("tr", "ar", "pl")

#: Everything a client can see, relative to the package: templates (folders or files) and the
#: Python modules whose strings reach a client page (form errors, messages, labels).
CLIENT_SOURCES = (
    "web/templates/web/client_base.html",
    "web/templates/web/error.html",
    "web/templates/web/includes",
    "measurements/templates/measurements/fill",
    "measurements/templates/measurements/client",
    "measurements/templates/measurements/includes/language_choice.html",
    "research/templates/research/client",
    "conversations/templates/conversations/client",
    # The client's results page shares the joint view's partials and its presenter.
    "conversations/templates/conversations/_results.html",
    "conversations/templates/conversations/_scores.html",
    "conversations/templates/conversations/_pairs.html",
    "conversations/templates/conversations/_pair_list.html",
    "conversations/templates/conversations/_agenda.html",
    "conversations/templates/conversations/_agreements_list.html",
    "conversations/results.py",
    "conversations/client_views.py",
    "scheduling/templates/scheduling/unsubscribe.html",
    "scheduling/templates/scheduling/unsubscribe_invalid.html",
    # What reaches a client outside the web pages: the e-mails and the PDFs they take home.
    "scheduling/templates/scheduling/mail/invitation.txt",
    "scheduling/templates/scheduling/mail/reminder.txt",
    "measurements/templates/measurements/paper/form_pdf.html",
    "conversations/templates/conversations/summary_pdf.html",
    # The instrument's name in words ("…, version 1.0.0"), at the top of the paper form.
    "common/formatting.py",
    "measurements/views/fill.py",
    "measurements/views/client_entry.py",
    "measurements/forms.py",
    "research/views/client.py",
)

_KEYWORDS = (
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
)


def client_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """Every file named by CLIENT_SOURCES; a missing one is an error, not a silent gap."""
    files: list[Path] = []
    for source in CLIENT_SOURCES:
        path = package_dir / source
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".html", ".txt")))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"CLIENT_SOURCES names {source}, which does not exist")
    return files


def extract_pot(output: Path, package_dir: Path = PACKAGE_DIR) -> None:
    """Write the client strings as a gettext template (.pot), as makemessages would."""
    from django.utils.translation.template import templatize

    with tempfile.TemporaryDirectory() as tmp:
        inputs: list[str] = []
        for number, path in enumerate(client_files(package_dir)):
            if path.suffix == ".py":
                inputs.append(str(path))
                continue
            converted = Path(tmp) / f"{number}.py"
            converted.write_text(
                templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8"
            )
            inputs.append(str(converted))
        subprocess.run(
            [
                "xgettext",
                "--language=Python",
                "--from-code=UTF-8",
                "--no-location",
                "--no-wrap",
                "--sort-output",
                # Not --omit-header: without the header's charset xgettext drops every
                # non-ASCII character of an msgid (“curly quotes”), and the page's string no
                # longer matches the catalogue's.
                *_KEYWORDS,
                f"--output={output}",
                *inputs,
            ],
            check=True,
            # xgettext warns about every curly quote in an msgid; the catalogues are UTF-8.
            stderr=subprocess.DEVNULL,
        )


_HEADER = """msgid ""
msgstr ""
"Project-Id-Version: Alliantiemonitor\\n"
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural}\\n"

"""
PLURAL_FORMS = {
    "tr": "nplurals=2; plural=(n != 1);",
    "ar": (
        "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
        "n%100>=11 ? 4 : 5;"
    ),
    "pl": (
        "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
    ),
}


def update_catalogues(package_dir: Path = PACKAGE_DIR) -> None:
    """Bring locale/{tr,ar,pl}/LC_MESSAGES/django.po in line with the client strings."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "client.pot"
        extract_pot(pot, package_dir)
        for language in CLIENT_LANGUAGE_CODES:
            po = package_dir / "locale" / language / "LC_MESSAGES" / "django.po"
            if not po.exists():
                po.parent.mkdir(parents=True, exist_ok=True)
                header = _HEADER.format(language=language, plural=PLURAL_FORMS[language])
                # The template's own header entry (up to the first blank line) is replaced.
                entries = pot.read_text(encoding="utf-8").split("\n\n", 1)[1]
                po.write_text(header + entries, encoding="utf-8")
                continue
            subprocess.run(
                [
                    "msgmerge",
                    "--quiet",
                    "--no-wrap",
                    "--no-location",
                    "-U",
                    "--backup=none",
                    str(po),
                    str(pot),
                ],
                check=True,
            )
            subprocess.run(
                ["msgattrib", "--no-obsolete", "--no-wrap", "-o", str(po), str(po)], check=True
            )


if __name__ == "__main__":
    if shutil.which("xgettext") is None:
        sys.exit("GNU gettext is needed (xgettext, msgmerge, msgattrib)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliantiemonitor.settings")
    import django

    django.setup()
    update_catalogues()
