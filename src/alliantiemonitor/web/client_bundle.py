"""The client pages' one stylesheet and one script, built from their sources and committed.

A client opens the questionnaire on a phone, often on a slow or metered connection: the page
must weigh at most 25 KB in at most 5 requests (issue 10, ``docs/benchmarks.md``). So the client
layout loads one stylesheet instead of the Utrecht theme, sixteen components and our own files,
and the questionnaire one script instead of htmx and two small files.

The stylesheet is the sources in their old order, with comments and needless whitespace gone,
and then two kinds of dead weight dropped, both safely:

- a rule (or one selector of a list) that needs a ``utrecht-*`` class no template, script or
  module of the project names, such as the component library's ``utrecht-button--hover`` for
  its own documentation; a class written partly in template code (``utrecht-alert--{{ type }}``)
  keeps every class with that prefix, and a class inside ``:not()``/``:is()`` never drops anything;
- a custom property (design token) that nothing in the bundle reads through ``var()``, followed
  through tokens that read tokens; the theme defines some 1,500 of them.

The output is committed (``manage.py client_bundle`` writes it) so that a deployment needs no
build step, and a test rebuilds it and compares, so that a stale bundle fails CI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CSS_OUTPUT = PACKAGE_DIR / "web" / "static" / "alliantiemonitor" / "css" / "client.bundle.css"
JS_OUTPUT = PACKAGE_DIR / "measurements" / "static" / "measurements" / "js" / "fill.bundle.js"
#: The card game's page loads this one instead: the same scripts and the card game's own.
CARDS_JS_OUTPUT = JS_OUTPUT.with_name("cards.bundle.js")

#: The NL Design System components the client pages use, in the order they cascade.
UTRECHT_COMPONENTS = (
    "document",
    "paragraph",
    "heading-1",
    "heading-2",
    "link",
    "skip-link",
    "button",
    "alert",
    "form-field",
    "form-fieldset",
    "form-label",
    "form-field-description",
    "form-field-error-message",
    "radio-button",
    "checkbox",
    "textbox",
)
#: Our own stylesheets after the components, so that they win at equal specificity.
OWN_CSS = (
    "web/static/alliantiemonitor/css/tokens.css",
    "web/static/alliantiemonitor/css/client.css",
    "measurements/static/measurements/css/fill.css",
)
#: The questionnaire's scripts: autosave, and read-aloud on the one-statement (easy-read) pages.
FILL_JS = (
    "measurements/static/measurements/js/autosave.js",
    "measurements/static/measurements/js/read-aloud.js",
)
CARDS_JS = (*FILL_JS, "measurements/static/measurements/js/cards.js")
REBUILD = "manage.py client_bundle"


def css_sources() -> list[Path]:
    """The stylesheets of the client bundle, in cascade order."""
    utrecht = Path(settings.NODE_MODULES_DIR) / "@utrecht"
    return [
        utrecht / "design-tokens" / "dist" / "theme.css",
        *(utrecht / f"{name}-css" / "dist" / "index.min.css" for name in UTRECHT_COMPONENTS),
        *(PACKAGE_DIR / path for path in OWN_CSS),
    ]


def build_css() -> str:
    """Return the client stylesheet: the sources concatenated, minified and pruned."""
    parts = [minify_css(path.read_text(encoding="utf-8")) for path in css_sources()]
    rules = list(parse_rules("".join(parts)))
    rules = drop_unused_classes(rules, used_classes(_class_sources()))
    rules = drop_unused_custom_properties(rules)
    header = f"/* Built by `{REBUILD}` from the Utrecht components and our own CSS. */\n"
    return header + "".join(rule.text() for rule in rules) + "\n"


def build_js(sources: tuple[str, ...] = FILL_JS) -> str:
    """Return the questionnaire's script: its sources in order, without comment lines."""
    chunks = []
    for path in sources:
        lines = (PACKAGE_DIR / path).read_text(encoding="utf-8").splitlines()
        kept = [line.strip() for line in lines if line.strip() and not _is_comment(line)]
        chunks.append("\n".join(kept))
    names = ", ".join(Path(path).name for path in sources)
    return f"// Built by `{REBUILD}` from {names}; edit those.\n" + "\n".join(chunks) + "\n"


def outputs() -> dict[Path, str]:
    """Every built file and what it should contain."""
    return {
        CSS_OUTPUT: build_css(),
        JS_OUTPUT: build_js(),
        CARDS_JS_OUTPUT: build_js(CARDS_JS),
    }


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("//")


# --------------------------------------------------------------------------- minify


_CSS_TOKEN = re.compile(r"""/\*.*?\*/|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\s+|[^"'/\s]+|/""", re.S)
#: Whitespace means nothing after these characters, nor before the next set (not around ":"
#: or "+": `a :hover` and `calc(1px + 2px)` need theirs; nor before "(" or after ")":
#: `and (width > 0)` is no function call).
_TIGHT_AFTER = set("{};,>(")
_TIGHT_BEFORE = set("{};,>)")


def minify_css(text: str) -> str:
    """Drop comments and needless whitespace; strings stay as they are."""
    out: list[str] = []
    pending_space = False
    for match in _CSS_TOKEN.finditer(text):
        token = match.group()
        if token.startswith("/*"):
            pending_space = pending_space or bool(out)
            continue
        if token.isspace():
            pending_space = True
            continue
        if (
            pending_space
            and out
            and out[-1][-1] not in _TIGHT_AFTER
            and token[0] not in _TIGHT_BEFORE
        ):
            out.append(" ")
        pending_space = False
        out.append(token)
    return "".join(out).replace(";}", "}")


# --------------------------------------------------------------------------- parse


@dataclass
class Rule:
    """A style rule (declarations) or an at-rule (nested rules, or declarations)."""

    prelude: str
    declarations: list[str] | None = None
    children: list[Rule] | None = None

    def text(self) -> str:
        if self.children is not None:
            inner = "".join(child.text() for child in self.children)
            return f"{self.prelude}{{{inner}}}" if inner else ""
        if not self.declarations:
            return ""
        return f"{self.prelude}{{{';'.join(self.declarations)}}}"


def _split_top(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside brackets and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote and text[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()]


def _blocks(text: str) -> Iterator[tuple[str, str]]:
    """Yield (prelude, body) for each top-level block of minified CSS."""
    depth, quote, start, open_at = 0, "", 0, 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote and text[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char == "{":
            if depth == 0:
                open_at = index
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                prelude = text[start:open_at].lstrip(";")
                if ";" in prelude:
                    raise ValueError(f"a statement at-rule is not supported here: {prelude!r}")
                yield prelude, text[open_at + 1 : index]
                start = index + 1
    if text[start:].strip(" ;"):
        raise ValueError(f"CSS outside a block: {text[start : start + 80]!r}")


def parse_rules(text: str) -> Iterator[Rule]:
    """Parse minified CSS into rules; a body with blocks in it holds rules, else declarations."""
    for prelude, body in _blocks(text):
        if "{" in body:
            if not prelude.startswith("@"):
                raise ValueError(f"nested CSS is not supported here: {prelude!r}")
            yield Rule(prelude, children=list(parse_rules(body)))
        else:
            yield Rule(prelude, declarations=_split_top(body, ";"))


# --------------------------------------------------------------------------- prune classes


_CLASS_IN_SOURCE = re.compile(r"utrecht-[a-z0-9_-]*[a-z0-9_-]")
_PREFIX_IN_SOURCE = re.compile(r"(utrecht-[a-z0-9_-]*-)\{")
_CLASS_IN_SELECTOR = re.compile(r"\.(utrecht-[a-zA-Z0-9_-]+)")
_PARENTHESES = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class UsedClasses:
    names: frozenset[str]
    prefixes: tuple[str, ...]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self.names or name.startswith(self.prefixes))


def _class_sources() -> Iterator[Path]:
    """Every template, script and Python module of the project (form widgets get their classes
    in code, see ``web/templatetags/nlds.py``): what the bundle may need to style."""
    yield from sorted(PACKAGE_DIR.glob("*/templates/**/*.html"))
    yield from sorted(PACKAGE_DIR.glob("*/static/**/*.js"))
    this_module = Path(__file__).resolve()  # its docstring names classes as examples
    yield from sorted(path for path in PACKAGE_DIR.rglob("*.py") if path != this_module)


def used_classes(paths: Iterable[Path]) -> UsedClasses:
    """The ``utrecht-*`` classes named in ``paths``, and the prefixes of half-written ones."""
    names: set[str] = set()
    prefixes: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        names.update(_CLASS_IN_SOURCE.findall(text))
        prefixes.update(_PREFIX_IN_SOURCE.findall(text))
    return UsedClasses(frozenset(names), tuple(sorted(prefixes)))


def _selector_used(selector: str, used: UsedClasses) -> bool:
    # A class inside a functional pseudo-class (`:not(.x)`) may match because it is absent.
    outer = selector
    while "(" in outer:
        stripped = _PARENTHESES.sub("", outer)
        if stripped == outer:
            return True  # unbalanced: keep it, to be safe
        outer = stripped
    return all(name in used for name in _CLASS_IN_SELECTOR.findall(outer))


def drop_unused_classes(rules: list[Rule], used: UsedClasses) -> list[Rule]:
    """Drop selectors that need a class nothing uses, and rules left without selectors."""
    kept = []
    for rule in rules:
        if rule.children is not None:
            kept.append(Rule(rule.prelude, children=drop_unused_classes(rule.children, used)))
        elif rule.prelude.startswith("@"):
            kept.append(rule)
        else:
            selectors = [s for s in _split_top(rule.prelude, ",") if _selector_used(s, used)]
            if selectors:
                kept.append(Rule(",".join(selectors), declarations=rule.declarations))
    return kept


# --------------------------------------------------------------------------- prune tokens


_VAR = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)")


def _declarations(rules: Iterable[Rule]) -> Iterator[str]:
    for rule in rules:
        if rule.children is not None:
            yield from _declarations(rule.children)
        else:
            yield from rule.declarations or ()


def _custom_property(declaration: str) -> str | None:
    name = declaration.split(":", 1)[0].strip()
    return name if name.startswith("--") else None


def drop_unused_custom_properties(rules: list[Rule]) -> list[Rule]:
    """Drop custom property declarations that nothing reads, directly or through others."""
    values: dict[str, list[str]] = {}
    needed: set[str] = set()
    for declaration in _declarations(rules):
        name = _custom_property(declaration)
        if name is None:
            needed.update(_VAR.findall(declaration))
        else:
            values.setdefault(name, []).append(declaration)
    todo = list(needed)
    while todo:
        for declaration in values.get(todo.pop(), ()):
            for name in _VAR.findall(declaration.split(":", 1)[1]):
                if name not in needed:
                    needed.add(name)
                    todo.append(name)
    return _keep_properties(rules, needed)


def _keep_properties(rules: list[Rule], needed: set[str]) -> list[Rule]:
    kept = []
    for rule in rules:
        if rule.children is not None:
            kept.append(Rule(rule.prelude, children=_keep_properties(rule.children, needed)))
            continue
        declarations = [
            declaration
            for declaration in rule.declarations or ()
            if (name := _custom_property(declaration)) is None or name in needed
        ]
        kept.append(Rule(rule.prelude, declarations=declarations))
    return kept
