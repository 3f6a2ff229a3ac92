"""The benchmarks' COPY loader fills in Django's plain defaults (benchmarks/bench_national.py).

``COPY`` bypasses Django: a NOT NULL field added later with ``default=False`` made the web
export benchmark fail on every row (research consent's ``withdrawn_by_client``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _bench_national():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_national", BENCHMARKS / "bench_national.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_left_out_not_null_columns_get_their_plain_default():
    from alliantiemonitor.research.models import ResearchConsent

    given = ["uuid", "study_id", "enrolled_id", "given", "recorded_at", "information_version"]
    defaults = _bench_national().fixed_defaults(ResearchConsent, given)
    # Plain defaults of NOT NULL fields, and nothing nullable or given.
    assert defaults == {"by_client": False, "withdrawn_by_client": False}
    everything = _bench_national().fixed_defaults(
        ResearchConsent, [f.column for f in ResearchConsent._meta.concrete_fields]
    )
    assert everything == {}
