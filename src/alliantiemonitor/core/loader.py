"""Load and validate instrument definitions (YAML/JSON, see docs/instrument-format.md).

Validation collects every problem in a file, so a person editing an instrument sees all
mistakes at once; each :class:`Problem` names the file, the item and what is wrong.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeGuard

from alliantiemonitor.core.datafile import (
    InstrumentError,
    Problem,
    describe_type,
    read_data_file,
)
from alliantiemonitor.core.instrument import (
    CHARACTERISTIC_KEYS,
    KINDS,
    MONITOR,
    PLACEHOLDER_RE,
    QUESTIONNAIRE,
    RATERS,
    Characteristic,
    Instrument,
    Item,
    ReferenceValues,
    Scale,
    ScalePoint,
)

__all__ = [
    "PROVENANCES",
    "InstrumentError",
    "Problem",
    "instrument_to_data",
    "load_instrument",
    "parse_instrument",
    "validate_data",
    "validate_file",
    "version_key",
]

ID_RE = re.compile(r"[a-z][a-z0-9_-]*")
#: The key of a plain questionnaire's scale: it becomes part of a column name in exports.
SCALE_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
VERSION_RE = re.compile(r"\d+(\.\d+)*")
ITEM_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")

PROVENANCES = ("own-wording", "licensed", "other")
PRESENTATIONS = ("statements", "one_per_screen")
POLARITIES = ("positive", "negative")
#: Friction is the one characteristic where a higher score means a weaker alliance.
EXPECTED_POLARITY = {
    "direction": "positive",
    "trust": "positive",
    "bond": "positive",
    "friction": "negative",
}

REQUIRED_KEYS = (
    "id",
    "version",
    "title",
    "languages",
    "provenance",
    "scale",
    "characteristics",
    "items",
)
OPTIONAL_KEYS = (
    "description",
    "audience",
    "provenance_note",
    "presentation",
    "easy_read",
    "kind",
    "client_languages",
    "unvalidated_translations",
)
#: Only a plain questionnaire (``kind: questionnaire``) names its one respondent.
QUESTIONNAIRE_KEYS = ("respondent",)
SCALE_KEYS = ("points", "not_answered_label", "not_answered_label_professional")
POINT_KEYS = ("value", "label", "pictogram")
CHARACTERISTIC_FIELDS = ("key", "name", "polarity", "description", "reference")
REFERENCE_FIELDS = ("sd", "reliability")
ITEM_REQUIRED = ("id", "characteristic", "rater", "mirror", "text")
ITEM_FIELDS = (*ITEM_REQUIRED, "reverse", "easy_text", "pictogram")
#: A plain questionnaire's items: one respondent (named once, at the top), no mirror pairs.
QUESTIONNAIRE_ITEM_REQUIRED = ("id", "characteristic", "text")
QUESTIONNAIRE_ITEM_FIELDS = (*QUESTIONNAIRE_ITEM_REQUIRED, "reverse", "easy_text", "pictogram")

#: Used only when the shipped ``domains.yaml`` is absent; it normally supplies the names.
FALLBACK_PLACEHOLDERS = frozenset(
    {"professional", "client", "trajectory", "the_trajectory", "this_trajectory", "conditions"}
)


def version_key(version: str) -> tuple[int, ...]:
    """Sort key that compares versions numerically per dot-separated part (``1.10 > 1.9``)."""
    parts = [int(p) if p.isdigit() else -1 for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def default_placeholders() -> frozenset[str]:
    """The placeholder names of the shipped domain vocabulary."""
    from alliantiemonitor.core.domains import default_domains, shipped_domains_path

    if not shipped_domains_path().exists():
        return FALLBACK_PLACEHOLDERS
    try:
        return default_domains().placeholders
    except InstrumentError:
        # The system check and ``instruments validate`` report the broken vocabulary itself;
        # instrument files can still be checked against the agreed names meanwhile.
        return FALLBACK_PLACEHOLDERS


def load_instrument(path: str | Path, *, placeholders: Collection[str] | None = None) -> Instrument:
    """Read, validate and return the instrument in ``path``.

    Raises :class:`InstrumentError` listing every problem when the file is unreadable or invalid.
    ``placeholders`` are the allowed ``{name}`` placeholders in item texts; by default the names
    of the shipped domain vocabulary.
    """
    data, problems = read_data_file(path)
    if problems:
        raise InstrumentError(problems)
    return parse_instrument(data, source=str(path), placeholders=placeholders)


def parse_instrument(
    data: object, *, source: str, placeholders: Collection[str] | None = None
) -> Instrument:
    """Validate plain data (as read from YAML/JSON) and turn it into an :class:`Instrument`.

    ``source`` names the origin in problems (usually the file path). Raises
    :class:`InstrumentError` with every problem when the data is not a valid instrument.
    """
    problems = validate_data(data, source=source, placeholders=placeholders)
    if problems:
        raise InstrumentError(problems)
    assert isinstance(data, Mapping)
    return _build(data, source)


def validate_file(
    path: str | Path, *, placeholders: Collection[str] | None = None
) -> list[Problem]:
    """Every problem in the instrument file ``path``; an empty list means it is valid."""
    data, problems = read_data_file(path)
    if problems:
        return problems
    return validate_data(data, source=str(path), placeholders=placeholders)


def validate_data(
    data: object, *, source: str, placeholders: Collection[str] | None = None
) -> list[Problem]:
    """Every problem in instrument ``data``; an empty list means it is valid."""
    names = frozenset(placeholders) if placeholders is not None else default_placeholders()
    kind = data.get("kind", MONITOR) if isinstance(data, Mapping) else MONITOR
    checker = (
        _QuestionnaireChecker(source, names) if kind == QUESTIONNAIRE else _Checker(source, names)
    )
    checker.check(data)
    return checker.problems


class _Checker:
    """Walk the data of a monitor instrument once and collect every problem."""

    top_level_keys: tuple[str, ...] = REQUIRED_KEYS + OPTIONAL_KEYS
    item_required: tuple[str, ...] = ITEM_REQUIRED
    item_fields: tuple[str, ...] = ITEM_FIELDS

    def __init__(self, source: str, placeholders: frozenset[str]) -> None:
        self.source = source
        self.placeholders = placeholders
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ()
        #: Languages that only the texts a client reads need (``client_languages``).
        self.client_languages: tuple[str, ...] = ()

    def add(self, message: str, item: str | None = None) -> None:
        self.problems.append(Problem(self.source, item, message))

    # -- generic helpers ------------------------------------------------------------------

    def unknown_keys(
        self, data: Mapping[Any, Any], known: Iterable[str], where: str, item: str | None = None
    ) -> None:
        known = tuple(known)
        for key in data:
            if key in known:
                continue
            hint = difflib.get_close_matches(str(key), known, n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(known)}"
            self.add(f"{where}unknown key '{key}' ({suggestion})", item)

    def translated(
        self,
        value: object,
        what: str,
        item: str | None = None,
        *,
        check_placeholders: bool = False,
        client_side: bool = False,
    ) -> None:
        """Check a translated text; ``client_side``: a client reads it, so it needs every
        client language too (a partial translation would show a client a mix of languages)."""
        if isinstance(value, Mapping) and not value:
            self.add(f"{what} is empty; give a text per language, like {{nl: …, en: …}}", item)
            return
        if not isinstance(value, Mapping):
            self.add(
                f"{what} must be a mapping from language code to text, like {{nl: …, en: …}}; "
                f"got {describe_type(value)}",
                item,
            )
            return
        allowed = self.languages + self.client_languages
        for language, text in value.items():
            if not isinstance(text, str) or not text.strip():
                self.add(f"{what} ({language}) must be non-empty text", item)
            elif check_placeholders:
                self.placeholder_names(text, f"{what} ({language})", item)
            if self.languages and language not in allowed:
                self.add(
                    f"{what} has language '{language}', which is not in languages "
                    f"({', '.join(allowed)})",
                    item,
                )
        for language in self.languages:
            if language not in value:
                self.add(f"{what} lacks the '{language}' translation", item)
        if client_side:
            for language in self.client_languages:
                if language not in value:
                    self.add(
                        f"{what} lacks the '{language}' translation; '{language}' is in "
                        "client_languages, so every text a client reads needs it",
                        item,
                    )

    def placeholder_names(self, text: str, what: str, item: str | None) -> None:
        for name in PLACEHOLDER_RE.findall(text):
            if name not in self.placeholders:
                known = ", ".join(f"{{{n}}}" for n in sorted(self.placeholders))
                self.add(f"{what} uses unknown placeholder '{{{name}}}' (known: {known})", item)
        if re.search(r"[{}]", PLACEHOLDER_RE.sub("", text)):
            self.add(
                f"{what} has a brace that is not part of a placeholder; "
                "placeholders are lower-case names in braces, like {professional}",
                item,
            )

    def choice(self, data: Mapping[str, Any], key: str, options: Iterable[str], where: str) -> None:
        options = tuple(options)
        if key in data and data[key] not in options:
            self.add(
                f"{where}{key} must be one of {', '.join(options)}; got {data[key]!r}",
            )

    # -- the top level --------------------------------------------------------------------

    def check(self, data: object) -> None:
        if not isinstance(data, Mapping):
            self.add(
                "the top level must be a mapping with keys such as id, version and items; "
                f"got {describe_type(data)}"
            )
            return
        self.check_top_level_keys(data)
        for key in REQUIRED_KEYS:
            if key not in data:
                self.add(f"missing required key '{key}'")
        self.choice(data, "kind", KINDS, "")

        self.check_id_version(data)
        self.check_languages(data.get("languages"))
        self.check_client_languages(data)
        if "title" in data:
            self.translated(data["title"], "title", client_side=True)
        for key in ("description", "audience", "provenance_note"):
            if key in data:
                self.translated(data[key], key)
        self.choice(data, "provenance", PROVENANCES, "")
        self.choice(data, "presentation", PRESENTATIONS, "")
        easy_read = data.get("easy_read", False)
        if not isinstance(easy_read, bool):
            self.add(f"easy_read must be true or false; got {easy_read!r}")
            easy_read = False
        if "scale" in data:
            self.check_scale(data["scale"])
        declared: set[str] = set()
        if "characteristics" in data:
            declared = self.check_characteristics(data["characteristics"])
        if "items" in data:
            self.check_items(data["items"], declared, easy_read=easy_read)

    def check_top_level_keys(self, data: Mapping[str, Any]) -> None:
        for key in QUESTIONNAIRE_KEYS:
            if key in data:
                self.add(
                    f"'{key}' belongs to a plain questionnaire; add kind: questionnaire "
                    "or remove it (the monitor has a client and a professional side)"
                )
        rest = {key: value for key, value in data.items() if key not in QUESTIONNAIRE_KEYS}
        self.unknown_keys(rest, self.top_level_keys, "top level: ")

    def check_id_version(self, data: Mapping[str, Any]) -> None:
        if "id" in data:
            value = data["id"]
            if not isinstance(value, str) or not ID_RE.fullmatch(value):
                self.add(
                    "id must start with a lower-case letter and hold only lower-case letters, "
                    f"digits, '-' and '_'; got {value!r}"
                )
        if "version" in data:
            version = data["version"]
            if isinstance(version, int | float) and not isinstance(version, bool):
                self.add(f'version must be text like "1.0.0" in quotes; got the number {version!r}')
            elif not isinstance(version, str) or not VERSION_RE.fullmatch(version):
                self.add(
                    f'version must be numbers separated by dots, like "1.0.0"; got {version!r}'
                )

    def check_languages(self, value: object) -> None:
        if value is None:
            return
        if not isinstance(value, list) or not value:
            self.add(
                f"languages must be a non-empty list like [nl, en]; got {describe_type(value)}"
            )
            return
        self.languages = tuple(self.language_list(value, "languages"))

    def check_client_languages(self, data: Mapping[str, Any]) -> None:
        extra = self.language_list(data.get("client_languages"), "client_languages")
        for language in extra:
            if language in self.languages:
                self.add(f"client_languages: '{language}' is already in languages; list it once")
        self.client_languages = tuple(lang for lang in extra if lang not in self.languages)
        known = self.languages + self.client_languages
        for language in self.language_list(
            data.get("unvalidated_translations"), "unvalidated_translations"
        ):
            if language not in known:
                self.add(
                    f"unvalidated_translations: '{language}' is not in languages or "
                    f"client_languages ({', '.join(known)})"
                )

    def language_list(self, value: object, key: str) -> list[str]:
        """The valid codes of an optional list of languages, reporting the rest."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(f"{key} must be a list like [tr, ar]; got {describe_type(value)}")
            return []
        valid: list[str] = []
        for language in value:
            if not isinstance(language, str) or not LANGUAGE_RE.fullmatch(language):
                self.add(f"{key}: {language!r} is not a language code like 'nl' or 'en'")
            elif language in valid:
                self.add(f"{key}: '{language}' is listed twice")
            else:
                valid.append(language)
        return valid

    # -- scale ------------------------------------------------------------------------------

    def check_scale(self, scale: object) -> None:
        if not isinstance(scale, Mapping):
            self.add(f"scale must be a mapping with points; got {describe_type(scale)}")
            return
        self.unknown_keys(scale, SCALE_KEYS, "scale: ")
        if "not_answered_label" in scale:
            self.translated(
                scale["not_answered_label"], "scale not_answered_label", client_side=True
            )
        else:
            self.add("scale: missing required key 'not_answered_label'")
        if "not_answered_label_professional" in scale:
            self.translated(
                scale["not_answered_label_professional"], "scale not_answered_label_professional"
            )
        points = scale.get("points")
        if not isinstance(points, list) or not points:
            self.add(f"scale has no points (got {describe_type(points)}); list them under points")
            return
        values: list[int] = []
        for number, point in enumerate(points, start=1):
            where = f"scale point {number}"
            if not isinstance(point, Mapping):
                self.add(f"{where} must be a mapping with value and label")
                continue
            self.unknown_keys(point, POINT_KEYS, f"{where}: ")
            value = point.get("value")
            if isinstance(value, int) and not isinstance(value, bool):
                if value in values:
                    self.add(f"scale value {value} appears more than once")
                values.append(value)
                where = f"scale point {value}"
            else:
                self.add(f"{where}: value must be a whole number; got {value!r}")
            if "label" in point:
                self.translated(point["label"], f"{where} label", client_side=True)
            else:
                self.add(f"{where}: missing label")
            if "pictogram" in point and not isinstance(point["pictogram"], str):
                self.add(f"{where}: pictogram must be text")
        distinct = sorted(set(values))
        if len(distinct) == 1:
            self.add("the scale needs at least two points")
        elif distinct and distinct[-1] - distinct[0] + 1 != len(distinct):
            shown = ", ".join(str(v) for v in distinct)
            self.add(f"scale values must be consecutive whole numbers; got {shown}")

    # -- characteristics --------------------------------------------------------------------

    def check_characteristics(self, characteristics: object) -> set[str]:
        """Check the characteristics and return the keys that are declared correctly."""
        if not isinstance(characteristics, list) or not characteristics:
            self.add(
                f"characteristics must be a non-empty list; got {describe_type(characteristics)}"
            )
            return set()
        declared: set[str] = set()
        for number, entry in enumerate(characteristics, start=1):
            if not isinstance(entry, Mapping):
                self.add(f"characteristic {number} must be a mapping with key, name and polarity")
                continue
            key = entry.get("key")
            name = f"'{key}'" if isinstance(key, str) else str(number)
            where = f"characteristic {name}: "
            self.unknown_keys(entry, CHARACTERISTIC_FIELDS, where)
            if key is None:
                self.add(f"{where}missing required key 'key'")
            elif not self.valid_characteristic_key(key):
                pass
            elif key in declared:
                self.add(f"characteristic '{key}' is declared more than once")
            else:
                declared.add(key)
            if "name" in entry:
                # The client's results page names the characteristics.
                self.translated(entry["name"], f"{where}name", client_side=True)
            else:
                self.add(f"{where}missing required key 'name'")
            if "description" in entry:
                self.translated(entry["description"], f"{where}description")
            polarity = entry.get("polarity")
            if polarity is None:
                self.add(f"{where}missing required key 'polarity'")
            elif polarity not in POLARITIES:
                self.add(f"{where}polarity must be positive or negative; got {polarity!r}")
            elif self.kind_expects_polarity and isinstance(key, str) and key in EXPECTED_POLARITY:
                expected = EXPECTED_POLARITY[key]
                if polarity != expected:
                    meaning = "higher is worse" if expected == "negative" else "higher is better"
                    self.add(f"{where}polarity must be {expected} ({meaning}); got {polarity}")
            if "reference" in entry:
                self.check_reference(entry["reference"], where)
        self.check_declared(declared)
        return declared

    #: The monitor's four characteristics have a fixed direction (friction: higher is worse).
    kind_expects_polarity = True

    def valid_characteristic_key(self, key: object) -> bool:
        if key not in CHARACTERISTIC_KEYS:
            self.add(f"unknown characteristic '{key}' (known: {', '.join(CHARACTERISTIC_KEYS)})")
            return False
        return True

    def check_declared(self, declared: set[str]) -> None:
        for key in CHARACTERISTIC_KEYS:
            if key not in declared:
                self.add(
                    f"characteristic '{key}' is missing; every instrument has "
                    f"{', '.join(CHARACTERISTIC_KEYS)}"
                )

    def check_reference(self, reference: object, where: str) -> None:
        if not isinstance(reference, Mapping):
            self.add(f"{where}reference must be a mapping from rater to {{sd, reliability}}")
            return
        for rater, values in reference.items():
            if rater not in RATERS:
                self.add(
                    f"{where}reference for unknown rater {rater!r} (known: client, professional)"
                )
                continue
            if not isinstance(values, Mapping):
                self.add(f"{where}reference {rater} must be a mapping with sd and reliability")
                continue
            self.unknown_keys(values, REFERENCE_FIELDS, f"{where}reference {rater}: ")
            sd = values.get("sd")
            if not _is_number(sd) or sd <= 0:
                self.add(f"{where}reference {rater}: sd must be a number above 0; got {sd!r}")
            reliability = values.get("reliability")
            if not _is_number(reliability) or not 0 < reliability < 1:
                self.add(
                    f"{where}reference {rater}: reliability must be a number between 0 and 1 "
                    f"(exclusive); got {reliability!r}"
                )

    # -- items ----------------------------------------------------------------------------

    def check_items(self, items: object, declared: set[str], *, easy_read: bool) -> None:
        if not isinstance(items, list) or not items:
            self.add(f"items must be a non-empty list; got {describe_type(items)}")
            return
        valid: dict[str, Mapping[str, Any]] = {}
        for number, entry in enumerate(items, start=1):
            label = f"#{number}"
            if not isinstance(entry, Mapping):
                self.add("must be a mapping with id, characteristic, rater, mirror and text", label)
                continue
            item_id = entry.get("id")
            if isinstance(item_id, str) and ITEM_ID_RE.fullmatch(item_id):
                label = item_id
            elif "id" in entry:
                self.add(f"id must be letters, digits, '_', '-' or '.'; got {item_id!r}", label)
            self.check_item_keys(entry, label)
            for key in self.item_required:
                if key not in entry:
                    self.add(f"missing required key '{key}'", label)
            if label in valid:
                self.add(f"the id '{label}' is used by more than one item", label)
            self.check_item_fields(entry, label, declared, easy_read=easy_read)
            if label == item_id and label not in valid:
                valid[label] = entry
        self.check_mirrors(valid)
        self.check_counts(valid, declared)

    def check_item_keys(self, entry: Mapping[str, Any], label: str) -> None:
        self.unknown_keys(entry, self.item_fields, "", label)

    def read_by_client(self, entry: Mapping[str, Any]) -> bool:
        return entry.get("rater") == "client"

    def check_item_fields(
        self, entry: Mapping[str, Any], label: str, declared: set[str], *, easy_read: bool
    ) -> None:
        characteristic = entry.get("characteristic")
        known = ", ".join(sorted(declared, key=self.declared_order)) or "none declared"
        if "characteristic" in entry and not isinstance(characteristic, str):
            self.add(
                f"characteristic must be the key of a characteristic ({known}); "
                f"got {describe_type(characteristic)}",
                label,
            )
        elif "characteristic" in entry and characteristic not in declared:
            self.add(f"unknown characteristic {characteristic!r} (declared: {known})", label)
        rater = entry.get("rater")
        if "rater" in entry and rater not in RATERS:
            self.add(f"rater must be client or professional; got {rater!r}", label)
        mirror = entry.get("mirror")
        if "mirror" in entry and not isinstance(mirror, str):
            self.add(f"mirror must be the id of an item; got {describe_type(mirror)}", label)
        reverse = entry.get("reverse", False)
        if not isinstance(reverse, bool):
            self.add(f"reverse must be true or false; got {reverse!r}", label)
        client_side = self.read_by_client(entry)
        for key in ("text", "easy_text"):
            if key in entry:
                self.translated(
                    entry[key], key, label, check_placeholders=True, client_side=client_side
                )
        if "easy_text" not in entry and easy_read:
            self.add("easy_text is required because the instrument has easy_read: true", label)
        if "pictogram" in entry and not isinstance(entry["pictogram"], str):
            self.add("pictogram must be text", label)

    @staticmethod
    def declared_order(key: str) -> tuple[int, str]:
        order = CHARACTERISTIC_KEYS.index(key) if key in CHARACTERISTIC_KEYS else 99
        return order, key

    def check_mirrors(self, items: Mapping[str, Mapping[str, Any]]) -> None:
        for item_id, entry in items.items():
            mirror_id = entry.get("mirror")
            if not isinstance(mirror_id, str):
                continue
            if mirror_id == item_id:
                self.add("mirror points to the item itself", item_id)
                continue
            mirror = items.get(mirror_id)
            if mirror is None:
                self.add(f"mirror '{mirror_id}' does not exist", item_id)
                continue
            rater, mirror_rater = entry.get("rater"), mirror.get("rater")
            if rater in RATERS and rater == mirror_rater:
                self.add(
                    f"mirror '{mirror_id}' is also a {rater} item; "
                    "it must belong to the other rater",
                    item_id,
                )
            ours, theirs = entry.get("characteristic"), mirror.get("characteristic")
            if ours in CHARACTERISTIC_KEYS and theirs in CHARACTERISTIC_KEYS and ours != theirs:
                self.add(
                    f"mirror '{mirror_id}' belongs to characteristic '{theirs}', not '{ours}'",
                    item_id,
                )
            back = mirror.get("mirror")
            if isinstance(back, str) and back != item_id:
                self.add(
                    f"mirror '{mirror_id}' does not point back (its mirror is '{back}')", item_id
                )

    def check_counts(self, items: Mapping[str, Mapping[str, Any]], declared: set[str]) -> None:
        for key in CHARACTERISTIC_KEYS:
            if key not in declared:
                continue
            for rater in RATERS:
                count = sum(
                    1
                    for entry in items.values()
                    if entry.get("characteristic") == key and entry.get("rater") == rater
                )
                if count < 2:
                    self.add(
                        f"characteristic '{key}' has {count} {rater} item(s); "
                        "at least two per rater are needed for a score"
                    )


class _QuestionnaireChecker(_Checker):
    """A plain questionnaire: one respondent, its own scales (any keys), no mirror pairs.

    The file format is the monitor's: the ``characteristics`` are the questionnaire's scales and
    each item names its scale under ``characteristic``. Everything else is checked as for the
    monitor (languages, answer scale, texts, placeholders, reverse keying).
    """

    top_level_keys = REQUIRED_KEYS + OPTIONAL_KEYS + QUESTIONNAIRE_KEYS
    item_required = QUESTIONNAIRE_ITEM_REQUIRED
    item_fields = QUESTIONNAIRE_ITEM_FIELDS
    kind_expects_polarity = False

    def check_top_level_keys(self, data: Mapping[str, Any]) -> None:
        self.unknown_keys(data, self.top_level_keys, "top level: ")
        respondent = data.get("respondent", "client")
        self.respondent = respondent
        if respondent not in RATERS:
            self.add(f"respondent must be client or professional; got {respondent!r}")

    respondent: object = "client"

    def read_by_client(self, entry: Mapping[str, Any]) -> bool:
        return self.respondent == "client"

    def valid_characteristic_key(self, key: object) -> bool:
        if not isinstance(key, str) or not SCALE_KEY_RE.fullmatch(key):
            self.add(
                "the key of a scale must start with a lower-case letter and hold only "
                f"lower-case letters, digits and '_'; got {key!r}"
            )
            return False
        return True

    def check_declared(self, declared: set[str]) -> None:
        """Any scales will do; each needs an item (checked with the items)."""

    def check_item_keys(self, entry: Mapping[str, Any], label: str) -> None:
        for key, why in (
            ("mirror", "a plain questionnaire has no mirror pairs; remove 'mirror'"),
            (
                "rater",
                "a plain questionnaire has one respondent, named once at the top "
                "(respondent: client or professional); remove 'rater'",
            ),
        ):
            if key in entry:
                self.add(why, label)
        rest = {key: value for key, value in entry.items() if key not in ("mirror", "rater")}
        self.unknown_keys(rest, self.item_fields, "", label)

    def check_mirrors(self, items: Mapping[str, Mapping[str, Any]]) -> None:
        """No mirror pairs to check."""

    def check_counts(self, items: Mapping[str, Mapping[str, Any]], declared: set[str]) -> None:
        for key in sorted(declared):
            if not any(entry.get("characteristic") == key for entry in items.values()):
                self.add(f"scale '{key}' has no items; give it at least one item or remove it")


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- building the dataclasses from data that passed validation ---------------------------------


def _text(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}


def _build(data: Mapping[str, Any], source: str) -> Instrument:
    scale_data = data["scale"]
    points = sorted(
        (
            ScalePoint(value=p["value"], label=_text(p["label"]), pictogram=p.get("pictogram"))
            for p in scale_data["points"]
        ),
        key=lambda p: p.value,
    )
    characteristics = tuple(
        Characteristic(
            key=c["key"],
            name=_text(c["name"]),
            polarity=c["polarity"],
            description=_text(c.get("description")),
            reference={
                rater: ReferenceValues(sd=float(v["sd"]), reliability=float(v["reliability"]))
                for rater, v in (c.get("reference") or {}).items()
            },
        )
        for c in data["characteristics"]
    )
    kind = data.get("kind", MONITOR)
    respondent = data.get("respondent", "client") if kind == QUESTIONNAIRE else None
    items = tuple(
        Item(
            id=i["id"],
            characteristic=i["characteristic"],
            rater=respondent or i["rater"],
            mirror=i.get("mirror", ""),
            text=_text(i["text"]),
            reverse=i.get("reverse", False),
            easy_text=_text(i["easy_text"]) if "easy_text" in i else None,
            pictogram=i.get("pictogram"),
        )
        for i in data["items"]
    )
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=_text(data["title"]),
        languages=tuple(data["languages"]),
        client_languages=tuple(data.get("client_languages") or ()),
        unvalidated_translations=tuple(data.get("unvalidated_translations") or ()),
        scale=Scale(
            points=tuple(points),
            not_answered_label=_text(scale_data["not_answered_label"]),
            not_answered_label_professional=(
                _text(scale_data["not_answered_label_professional"])
                if "not_answered_label_professional" in scale_data
                else None
            ),
        ),
        characteristics=characteristics,
        items=items,
        description=_text(data.get("description")),
        audience=_text(data.get("audience")),
        provenance=data["provenance"],
        provenance_note=_text(data.get("provenance_note")),
        presentation=data.get("presentation", "statements"),
        easy_read=data.get("easy_read", False),
        kind=kind,
        respondent=respondent,
        source=source,
    )


def instrument_to_data(instrument: Instrument) -> dict[str, Any]:
    """The instrument as plain data in the file format; ``parse_instrument`` reads it back.

    Used for JSON dumps and for storing a snapshot of an instrument next to the answers.
    """
    data: dict[str, Any] = {
        "id": instrument.id,
        "version": instrument.version,
        "title": dict(instrument.title),
    }
    # The monitor's dump stays as it was: ``kind`` appears for a plain questionnaire only.
    if instrument.is_questionnaire:
        data["kind"] = instrument.kind
        data["respondent"] = instrument.respondent
    for key in ("description", "audience"):
        value: Mapping[str, str] = getattr(instrument, key)
        if value:
            data[key] = dict(value)
    data["languages"] = list(instrument.languages)
    # Absent unless used, so the dump of an instrument without them stays as it was.
    if instrument.client_languages:
        data["client_languages"] = list(instrument.client_languages)
    if instrument.unvalidated_translations:
        data["unvalidated_translations"] = list(instrument.unvalidated_translations)
    data["provenance"] = instrument.provenance
    if instrument.provenance_note:
        data["provenance_note"] = dict(instrument.provenance_note)
    data["presentation"] = instrument.presentation
    data["easy_read"] = instrument.easy_read
    data["scale"] = {
        "points": [
            {"value": p.value, "label": dict(p.label)}
            | ({"pictogram": p.pictogram} if p.pictogram else {})
            for p in instrument.scale.points
        ],
        "not_answered_label": dict(instrument.scale.not_answered_label),
    }
    if instrument.scale.not_answered_label_professional is not None:
        data["scale"]["not_answered_label_professional"] = dict(
            instrument.scale.not_answered_label_professional
        )
    data["characteristics"] = [_characteristic_data(c) for c in instrument.characteristics]
    data["items"] = [_item_data(i, plain=instrument.is_questionnaire) for i in instrument.items]
    return data


def _characteristic_data(characteristic: Characteristic) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": characteristic.key,
        "name": dict(characteristic.name),
        "polarity": characteristic.polarity,
    }
    if characteristic.description:
        data["description"] = dict(characteristic.description)
    if characteristic.reference:
        data["reference"] = {
            rater: {"sd": ref.sd, "reliability": ref.reliability}
            for rater, ref in characteristic.reference.items()
        }
    return data


def _item_data(item: Item, *, plain: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.id, "characteristic": item.characteristic}
    if not plain:
        data["rater"] = item.rater
        data["mirror"] = item.mirror
    data["reverse"] = item.reverse
    data["text"] = dict(item.text)
    if item.easy_text is not None:
        data["easy_text"] = dict(item.easy_text)
    if item.pictogram is not None:
        data["pictogram"] = item.pictogram
    return data
