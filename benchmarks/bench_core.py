"""Benchmark the scoring core: score N synthetic responses of the ``standaard`` instrument.

Run: ``.venv/bin/python benchmarks/bench_core.py [--n 1000000] [--rater client] [--seed 1]``

Answers are uniform random integers 1–5 with about 5 % missing; the figures measure speed and
memory only (random answers say nothing about the psychometrics). When the shipped
``standaard`` file is absent, a built-in 19-item test instrument with the same shape is used.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from alliantiemonitor.core.instrument import (
    Characteristic,
    Instrument,
    Item,
    Rater,
    Scale,
    ScalePoint,
)
from alliantiemonitor.core.scoring import score_frame

MISSING_SHARE = 0.05


def builtin_instrument() -> Instrument:
    """19 items per rater (5 direction, 5 trust, 5 bond, 4 friction), item 5 reverse-keyed."""
    counts = {"direction": 5, "trust": 5, "bond": 5, "friction": 4}
    items = [
        Item(
            id=f"{prefix}_{key}_{n}",
            characteristic=key,
            rater=rater,
            mirror=f"{other}_{key}_{n}",
            text={"en": f"{key} {n}"},
            reverse=n == 5,
        )
        for key, count in counts.items()
        for n in range(1, count + 1)
        for prefix, rater, other in (("c", "client", "p"), ("p", "professional", "c"))
    ]
    return Instrument(
        id="bench",
        version="0",
        title={"en": "Benchmark"},
        languages=("en",),
        scale=Scale(tuple(ScalePoint(v, {"en": str(v)}) for v in range(1, 6)), {"en": "-"}),
        characteristics=tuple(
            Characteristic(key, {"en": key}, "negative" if key == "friction" else "positive")
            for key in counts
        ),
        items=tuple(items),
    )


def load_instrument() -> tuple[Instrument, str]:
    try:
        from alliantiemonitor.core.registry import default_registry

        return default_registry().get("standaard"), "shipped"
    except (ImportError, KeyError, OSError):
        return builtin_instrument(), "built-in fallback"


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="responses (default 1000000)")
    parser.add_argument("--rater", choices=("client", "professional"), default="client")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rater: Rater = args.rater

    instrument, origin = load_instrument()
    item_ids = [i.id for i in instrument.items_for(rater)]
    rng = np.random.default_rng(args.seed)
    answers = rng.integers(1, 6, size=(args.n, len(item_ids))).astype(np.float64)
    answers[rng.random(answers.shape) < MISSING_SHARE] = np.nan
    frame = pd.DataFrame(answers, columns=item_ids)
    del answers

    tracemalloc.start()
    started = time.perf_counter()
    scores = score_frame(instrument, frame, rater)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mib = max_rss / (1024 * 1024) if sys.platform == "darwin" else max_rss / 1024

    print(f"instrument          {instrument.ref} ({origin}), rater {rater}")
    print(f"responses (N)       {args.n:,}")
    print(f"items per response  {len(item_ids)}")
    print(f"missing answers     ~{MISSING_SHARE:.0%}")
    print(f"scoring time        {seconds:.3f} s (score_frame, wall clock)")
    print(f"responses / second  {args.n / seconds:,.0f}")
    print(f"peak memory scoring {peak / 2**20:,.1f} MiB (tracemalloc)")
    print(f"process max RSS     {rss_mib:,.1f} MiB")
    print(f"input frame         {frame.memory_usage(deep=True).sum() / 2**20:,.1f} MiB")
    print(f"scored (non-NaN)    {scores.notna().mean().round(3).to_dict()}")
    for key, value in machine().items():
        print(f"{key:<20}{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
