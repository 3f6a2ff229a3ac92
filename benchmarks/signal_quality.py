"""Detection quality of the signals on the generator's truth, with a held-out seed.

Run: ``.venv/bin/python benchmarks/signal_quality.py [--trajectories 50000] [--seed 20251130]``

The default seed was not used while the rules and their defaults were built (development seeds
were 7, 101 and 102). Prints every figure of docs/signals.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.signal_quality import measure

HELD_OUT_SEED = 20251130


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trajectories", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    args = parser.parse_args()
    quality = measure(
        default_registry().get("standaard"), trajectories=args.trajectories, seed=args.seed
    )
    print(f"seed {quality.seed}, {quality.trajectories:,} trajectories, instrument standaard")
    print("\n".join(quality.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
