"""docs/threat-model.md points every control to its tests: those tests must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_the_threat_model_names_exists():
    text = (ROOT / "docs" / "threat-model.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) >= 15
    for path, function in named:
        source = ROOT / path
        assert source.is_file(), path
        if function:
            assert re.search(rf"^def {function}\(", source.read_text(), re.M), (path, function)
