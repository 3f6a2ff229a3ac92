"""Benchmark the signals core: ``detect_signals`` over N synthetic trajectories.

Run: ``.venv/bin/python benchmarks/bench_signals.py [--trajectories 250000] [--seed 1]``

The scores table (one row per trajectory, round and rater) is built directly with NumPy —
random levels, a small share of trajectories drifting down, 5 % missing scores — so that the
figures measure speed and memory only. Beside the full function it times a plain NumPy floor:
the same running least-squares sums for one pooled series, without reshaping or output.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from alliantiemonitor.core.signals import detect_signals

KEYS = ("direction", "trust", "bond", "friction")


def build(trajectories: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_rounds = rng.integers(2, 7, size=trajectories)
    traj = np.repeat(np.arange(trajectories), n_rounds)
    position = np.arange(len(traj)) - np.repeat(np.cumsum(n_rounds) - n_rounds, n_rounds)
    drift = np.where(rng.random(trajectories) < 0.1, -0.2, 0.0)[traj]
    rows = len(traj) * 2
    level = rng.normal(3.8, 0.6, size=(trajectories, 4))[np.repeat(traj, 2)]
    scores = level + np.repeat(drift * position, 2)[:, None] + rng.normal(0, 0.4, (rows, 4))
    scores[rng.random((rows, 4)) < 0.05] = np.nan
    ids = np.char.add("T", np.arange(trajectories).astype(str)).astype(object)
    frame = pd.DataFrame(
        {
            "trajectory_id": ids[np.repeat(traj, 2)],
            "round_index": np.repeat(position + 1, 2),
            "round_date": pd.Timestamp("2025-01-06")
            + pd.to_timedelta(np.repeat(position * 91, 2), unit="D"),
            "rater": np.tile(np.array(["client", "professional"], dtype=object), len(traj)),
            "professional_id": "P1",
            "after_handover": False,
            "submitted": True,
        }
    )
    for j, key in enumerate(KEYS):
        frame[key] = scores[:, j]
    return frame


def numpy_floor(frame: pd.DataFrame) -> float:
    """Running least-squares slope of one pooled series per trajectory: the arithmetic alone."""
    client = frame["rater"].to_numpy() == "client"
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = np.nanmean(frame.loc[client, list(KEYS)].to_numpy(), axis=1)
    t = frame.loc[client, "round_index"].to_numpy(np.float64)
    start = t == 1
    began = time.perf_counter()
    group = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    sums = []
    for x in (np.ones_like(t), t, t * t, y, t * y):
        total = np.cumsum(x)
        sums.append(total - np.concatenate([[0.0], total])[first][group])
    n, s_t, s_tt, s_y, s_ty = sums
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = n * s_tt - s_t * s_t
        z = (n * s_ty - s_t * s_y) / np.sqrt(n * denom)
    _ = (z > 2.0).sum()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trajectories", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    frame = build(args.trajectories, args.seed)
    rounds = len(frame) // 2
    floor = numpy_floor(frame)
    tracemalloc.start()
    began = time.perf_counter()
    cpu_began = time.process_time()
    signals = detect_signals(frame)
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"trajectories: {args.trajectories:,}  rounds: {rounds:,}  rows: {len(frame):,}")
    print(f"detect_signals: {elapsed:.2f} s, peak {peak / 2**20:,.0f} MiB (tracemalloc)")
    # On a shared machine the wall clock includes waiting for a core; the CPU time does not.
    print(f"detect_signals CPU time (user + system): {cpu:.2f} s")
    print(f"NumPy floor (one pooled trend): {floor:.3f} s")
    print(f"signals raised: {len(signals):,}; process max RSS {rss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
