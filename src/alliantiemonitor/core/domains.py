"""The domain vocabulary: the words that fill an item's ``{placeholders}`` per domain.

Item texts are written once ("Mijn {professional} …"); each domain (reclassering,
schuldhulpverlening, …) supplies its own role nouns and phrases per language. The vocabulary is
data, ``domains.yaml`` next to the instrument definitions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliantiemonitor.core.datafile import (
    DOMAINS_FILE,
    SHIPPED_DIR,
    InstrumentError,
    Problem,
    describe_type,
    read_data_file,
)

__all__ = [
    "DomainCatalogue",
    "default_domains",
    "load_domains",
    "parse_domains",
    "shipped_domains_path",
    "validate_domains_data",
    "validate_domains_file",
]

_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_TOP_KEYS = ("placeholders", "domains")
_DOMAIN_KEYS = ("name", "description", "vocabulary")


@dataclass(frozen=True)
class DomainCatalogue:
    """The placeholder names and, per domain and language, the words that fill them."""

    placeholders: frozenset[str]
    domains: tuple[str, ...]
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    descriptions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source: str = field(default="", compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language that the vocabulary covers, sorted."""
        found = {lang for vocab in self.vocabularies.values() for lang in vocab}
        return tuple(sorted(found))

    def _known(self, domain: str) -> None:
        if domain not in self.domains:
            raise KeyError(f"unknown domain '{domain}' (known: {', '.join(self.domains)})")

    def name(self, domain: str, language: str) -> str:
        """The domain's display name in ``language`` (Dutch when that language is missing)."""
        self._known(domain)
        names = self.names[domain]
        return names.get(language) or names.get("nl") or domain

    def description(self, domain: str, language: str) -> str:
        """The domain's description in ``language`` (Dutch when missing; empty when none)."""
        self._known(domain)
        texts = self.descriptions.get(domain, {})
        return texts.get(language) or texts.get("nl") or ""

    def vocabulary(self, domain: str, language: str) -> dict[str, str]:
        """Placeholder → word for ``domain`` in ``language`` (Dutch when that language is missing).

        Raises ``KeyError`` for an unknown domain.
        """
        self._known(domain)
        per_language = self.vocabularies[domain]
        words = per_language.get(language) or per_language.get("nl") or {}
        return dict(words)


def shipped_domains_path() -> Path:
    """Where the shipped ``domains.yaml`` lives."""
    return SHIPPED_DIR / DOMAINS_FILE


@functools.cache
def default_domains() -> DomainCatalogue:
    """The shipped domain vocabulary, loaded once per process.

    Raises :class:`InstrumentError` when the shipped file is missing or invalid.
    """
    return load_domains(shipped_domains_path())


def load_domains(path: str | Path) -> DomainCatalogue:
    """Read and validate a domain vocabulary file; raise :class:`InstrumentError` when invalid."""
    data, problems = read_data_file(path)
    if problems:
        raise InstrumentError(problems)
    return parse_domains(data, source=str(path))


def validate_domains_file(path: str | Path) -> list[Problem]:
    """Every problem in the domain vocabulary file ``path``; empty when it is valid."""
    data, problems = read_data_file(path)
    if problems:
        return problems
    return validate_domains_data(data, source=str(path))


def parse_domains(data: object, *, source: str) -> DomainCatalogue:
    """Validate domain vocabulary data and return the catalogue; raise when it is invalid."""
    problems = validate_domains_data(data, source=source)
    if problems:
        raise InstrumentError(problems)
    assert isinstance(data, Mapping)
    domains: Mapping[str, Mapping[str, Any]] = data["domains"]
    return DomainCatalogue(
        placeholders=frozenset(data["placeholders"]),
        domains=tuple(domains),
        names={key: _strings(d["name"]) for key, d in domains.items()},
        descriptions={key: _strings(d.get("description") or {}) for key, d in domains.items()},
        vocabularies={
            key: {
                str(lang): {str(k): str(v) for k, v in words.items()}
                for lang, words in d["vocabulary"].items()
            }
            for key, d in domains.items()
        },
        source=source,
    )


def _strings(value: Mapping[Any, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()}


def validate_domains_data(data: object, *, source: str) -> list[Problem]:
    """Every problem in domain vocabulary ``data``.

    Checks that every domain has a name and every placeholder in every language that the file
    uses anywhere, so a text never shows a raw ``{placeholder}`` in one language only.
    """
    problems: list[Problem] = []

    def add(message: str) -> None:
        problems.append(Problem(source, None, message))

    if not isinstance(data, Mapping):
        add(
            "the top level must be a mapping with placeholders and domains; "
            f"got {describe_type(data)}"
        )
        return problems
    for key in data:
        if key not in _TOP_KEYS:
            add(f"top level: unknown key '{key}' (known: {', '.join(_TOP_KEYS)})")

    placeholders: list[str] = []
    raw = data.get("placeholders")
    if not isinstance(raw, list) or not raw:
        add(f"placeholders must be a non-empty list of names; got {describe_type(raw)}")
    else:
        for name in raw:
            if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
                add(f"placeholders: {name!r} is not a lower-case name like 'professional'")
            elif name in placeholders:
                add(f"placeholders: '{name}' is listed twice")
            else:
                placeholders.append(name)

    domains = data.get("domains")
    if not isinstance(domains, Mapping) or not domains:
        add(f"domains must be a non-empty mapping of domain keys; got {describe_type(domains)}")
        return problems

    languages = sorted(
        {
            str(lang)
            for d in domains.values()
            if isinstance(d, Mapping)
            for part in ("name", "vocabulary")
            if isinstance(d.get(part), Mapping)
            for lang in d[part]
        }
    )
    for key, domain in domains.items():
        where = f"domain '{key}'"
        if not isinstance(key, str) or not _NAME_RE.fullmatch(key):
            add(f"{where}: the key must be a lower-case name like 'reclassering'")
        if not isinstance(domain, Mapping):
            add(f"{where} must be a mapping with name and vocabulary")
            continue
        for field_name in domain:
            if field_name not in _DOMAIN_KEYS:
                add(f"{where}: unknown key '{field_name}' (known: {', '.join(_DOMAIN_KEYS)})")
        name = domain.get("name")
        if not isinstance(name, Mapping):
            add(f"{where}: name must be a mapping from language code to text")
        else:
            for lang in languages:
                if not isinstance(name.get(lang), str) or not name[lang].strip():
                    add(f"{where}: name lacks the '{lang}' translation")
        description = domain.get("description")
        if description is not None and not (
            isinstance(description, Mapping)
            and all(isinstance(text, str) for text in description.values())
        ):
            add(f"{where}: description must be a mapping from language code to text")
        vocabulary = domain.get("vocabulary")
        if not isinstance(vocabulary, Mapping):
            add(f"{where}: vocabulary must be a mapping from language code to words")
            continue
        for lang in languages:
            words = vocabulary.get(lang)
            if not isinstance(words, Mapping):
                add(f"{where}: vocabulary lacks the '{lang}' language")
                continue
            for placeholder in placeholders:
                word = words.get(placeholder)
                if not isinstance(word, str) or not word.strip():
                    add(f"{where}: vocabulary ({lang}) lacks the placeholder '{placeholder}'")
            for extra in words:
                if extra not in placeholders:
                    add(
                        f"{where}: vocabulary ({lang}) has '{extra}', "
                        "which is not listed under placeholders"
                    )
    return problems
