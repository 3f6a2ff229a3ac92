"""Reading YAML/JSON data files and reporting what is wrong with them.

Instrument definitions and the domain vocabulary are data files that people edit by hand, so
every problem is reported as a :class:`Problem` that names the file, the item and what is wrong,
and validation collects all problems instead of stopping at the first.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: The instrument definitions that ship with the package. Computed from this file so the core
#: never has to import Django (or the ``alliantiemonitor.instruments`` app) to find them.
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "instruments" / "definitions"

#: File name of the domain vocabulary inside an instruments folder.
DOMAINS_FILE = "domains.yaml"

#: File name endings read as data files.
DATA_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file; ``item`` is the item id when the problem is about one."""

    file: str
    item: str | None
    message: str

    def __str__(self) -> str:
        if self.item is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}: item {self.item}: {self.message}"


class InstrumentError(Exception):
    """An instrument (or domain) file is invalid; ``problems`` lists everything that is wrong."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _StrictYamlLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses a key written twice in one mapping.

    Plain YAML keeps the last of two equal keys silently, which hides copy-paste mistakes such
    as an item with two ``text`` blocks.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} appears twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


def _reject_duplicate_json_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def read_data_file(path: str | Path) -> tuple[object, list[Problem]]:
    """Read a YAML or JSON file into plain Python data.

    Returns ``(data, problems)``; when ``problems`` is not empty the file could not be read or
    parsed and ``data`` is ``None``. ``.json`` files are read as JSON, everything else as YAML.
    """
    name = str(path)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, None, "the file does not exist")]
    except UnicodeDecodeError:
        return None, [Problem(name, None, "the file is not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(name, None, f"cannot read the file: {exc.strerror or exc}")]

    if path.suffix.lower() == ".json":
        try:
            data: object = json.loads(text, object_pairs_hook=_reject_duplicate_json_keys)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            return None, [Problem(name, None, f"{where}: not valid JSON: {exc.msg}")]
        except ValueError as exc:
            return None, [Problem(name, None, f"not valid JSON: {exc}")]
    else:
        try:
            data = yaml.load(text, Loader=_StrictYamlLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            return None, [Problem(name, None, _describe_yaml_error(exc))]
        except yaml.YAMLError as exc:
            return None, [Problem(name, None, f"not valid YAML: {exc}")]
    if data is None:
        return None, [Problem(name, None, "the file is empty")]
    return data, []


def _describe_yaml_error(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    what = " ".join(part for part in (exc.context, exc.problem) if part) or "syntax error"
    if mark is None:
        return f"not valid YAML: {what}"
    return f"line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {what}"


def describe_type(value: object) -> str:
    """Name the kind of ``value`` the way a person editing YAML would call it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
