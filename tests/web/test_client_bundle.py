"""The client pages' one stylesheet and one script: built from their sources, committed fresh."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from alliantiemonitor.measurements.templatetags.pictograms import pictogram
from alliantiemonitor.web import client_bundle
from alliantiemonitor.web.client_bundle import (
    UsedClasses,
    drop_unused_classes,
    drop_unused_custom_properties,
    minify_css,
    parse_rules,
)


def _css(rules) -> str:  # type: ignore[no-untyped-def]
    return "".join(rule.text() for rule in rules)


@pytest.mark.parametrize("path", sorted(client_bundle.outputs(), key=str))
def test_the_committed_bundle_is_what_the_sources_build(path):
    expected = client_bundle.outputs()[path]
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.name} is stale: run `python manage.py client_bundle` and commit what it writes"
    )


def test_the_command_checks_and_writes(tmp_path, monkeypatch):
    out = StringIO()
    call_command("client_bundle", "--check", stdout=out)
    assert "up to date" in out.getvalue()
    stale = tmp_path / "client.bundle.css"
    stale.write_text("old", encoding="utf-8")
    monkeypatch.setattr(client_bundle, "PACKAGE_DIR", tmp_path)
    monkeypatch.setattr(
        "alliantiemonitor.web.management.commands.client_bundle.PACKAGE_DIR", tmp_path
    )
    monkeypatch.setattr(
        "alliantiemonitor.web.management.commands.client_bundle.outputs",
        lambda: {stale: "new"},
    )
    with pytest.raises(CommandError, match="stale"):
        call_command("client_bundle", "--check", stdout=StringIO())
    assert stale.read_text(encoding="utf-8") == "old"
    call_command("client_bundle", stdout=StringIO())
    assert stale.read_text(encoding="utf-8") == "new"


def test_the_stylesheet_is_small_and_keeps_focus_and_the_tokens_it_reads():
    css = client_bundle.build_css()
    assert len(gzip.compress(css.encode())) < 9 * 1024
    assert ":focus-visible{outline: 3px solid var(--am-color-focus)" in css
    assert "--am-color-focus: #0b57d0" in css
    assert ".utrecht-button--primary-action" in css
    assert ".utrecht-skip-link--visible-on-focus" in css
    assert ".am-choice:has(:checked)" in css
    # Classes that only code puts on form widgets (web/templatetags/nlds.py) are styled too.
    assert ".utrecht-textbox--html-input" in css
    assert ".utrecht-checkbox--html-input" in css
    # The library's own documentation states and tokens that nothing reads are gone.
    assert ".utrecht-button--hover" not in css
    assert "--utrecht-table-" not in css
    assert "/*" not in css.split("\n", 1)[1]


def test_minify_keeps_what_whitespace_means():
    css = """/* a comment */
    .a :hover ,  .b > .c {
      width: calc(1px + 2px);
      content: "  two  spaces /* not a comment */ ";
      margin: var( --x , 0 ) ;
    }
    @media (max-width: 30rem) and (orientation: portrait) { .d { color: red; } }
    """
    assert minify_css(css) == (
        '.a :hover,.b>.c{width: calc(1px + 2px);content: "  two  spaces /* not a comment */ ";'
        "margin: var(--x,0)}"
        "@media (max-width: 30rem) and (orientation: portrait){.d{color: red}}"
    )


def test_rules_for_classes_nothing_uses_are_dropped_safely():
    css = minify_css(
        ".utrecht-x,.utrecht-gone{color:red}"
        ".utrecht-gone:hover{color:blue}"
        ".utrecht-x:not(.utrecht-gone){color:green}"
        ".utrecht-alert--error{color:red}"
        "@media print{.utrecht-gone{color:red}.utrecht-x{color:black}}"
        "p{margin:0}"
    )
    used = UsedClasses(frozenset({"utrecht-x"}), ("utrecht-alert--",))
    assert _css(drop_unused_classes(list(parse_rules(css)), used)) == (
        ".utrecht-x{color:red}"
        ".utrecht-x:not(.utrecht-gone){color:green}"
        ".utrecht-alert--error{color:red}"
        "@media print{.utrecht-x{color:black}}"
        "p{margin:0}"
    )


def test_used_classes_reads_names_and_half_written_names(tmp_path):
    template = tmp_path / "t.html"
    template.write_text(
        '<div class="utrecht-alert utrecht-alert--{{ type }} utrecht-button--primary-action">',
        encoding="utf-8",
    )
    used = client_bundle.used_classes([template])
    assert "utrecht-alert" in used
    assert "utrecht-button--primary-action" in used
    assert "utrecht-alert--warning" in used  # written in template code
    assert "utrecht-button--secondary-action" not in used


def test_custom_properties_are_kept_when_read_directly_or_through_others():
    css = minify_css(
        ".t{--a: 1px;--b: var(--a);--c: var(--d);--d: 2px;--unused: 3px;--chain: var(--unused2)}"
        ".t{--unused2: 4px}"
        ".x{margin:var(--b)}"
        "@media print{.y{padding:var(--c,0)}}"
    )
    assert _css(drop_unused_custom_properties(list(parse_rules(css)))) == (
        ".t{--a: 1px;--b: var(--a);--c: var(--d);--d: 2px}"
        ".x{margin:var(--b)}"
        "@media print{.y{padding:var(--c,0)}}"
    )


def test_the_script_bundle_is_autosave_then_read_aloud():
    js = client_bundle.build_js()
    assert js.index("data-autosave") < js.index("speechSynthesis")
    assert "HX-Request" in js
    assert "X-CSRFToken" in js


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (make installs it)")
def test_the_script_bundle_is_valid_javascript(tmp_path):
    script = tmp_path / "fill.bundle.js"
    script.write_text(client_bundle.build_js(), encoding="utf-8")
    node = shutil.which("node") or "node"
    result = subprocess.run(
        [node, "--check", str(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_pictograms_are_inline_decoration():
    svg = str(pictogram("face-1", "am-choice__face", 36))
    assert svg.startswith('<svg class="am-choice__face" width="36" height="36" aria-hidden="true"')
    assert svg.count(" width=") == 1  # the file's own 64 px size is gone
    assert svg.endswith("</svg>")
    for unknown in ("nope", "../settings", "face-1.svg"):
        assert str(pictogram(unknown, "x", 36)) == ""
