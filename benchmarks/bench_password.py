"""Benchmark password hashing: Django's Argon2 defaults against the fitted parameters.

Run: ``.venv/bin/python benchmarks/bench_password.py [--rounds 20] [--parallel 2]``

Prints the wall time per hash of one login at a time (median and 95th percentile), and the
logins per second that ``--parallel`` processes manage together (a burst of logins on a
server with that many cores). The choice is documented in docs/security.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from django.conf import settings

if not settings.configured:
    settings.configure()

from django.contrib.auth.hashers import Argon2PasswordHasher

from alliantiemonitor.accounts.hashers import FittedArgon2PasswordHasher

PASSWORD = "een-lang-synthetisch-wachtwoord"  # noqa: S105 (synthetic)
HASHERS = {"old (Django default)": Argon2PasswordHasher, "new (fitted)": FittedArgon2PasswordHasher}


def _hash_times(hasher_class: type[Argon2PasswordHasher], rounds: int) -> list[float]:
    hasher = hasher_class()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        hasher.encode(PASSWORD, hasher.salt())
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=2)
    options = parser.parse_args()

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        f"{'parameters':<22} {'m (MiB)':>8} {'t':>3} {'p':>3} {'median ms':>10} "
        f"{'p95 ms':>8} {f'logins/s ({options.parallel} procs)':>22}"
    )
    for label, hasher_class in HASHERS.items():
        _hash_times(hasher_class, 2)  # warm up (library load, first allocation)
        times = sorted(_hash_times(hasher_class, options.rounds))
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        with ProcessPoolExecutor(options.parallel) as pool:
            started = time.perf_counter()
            list(
                pool.map(
                    _hash_times,
                    [hasher_class] * options.parallel,
                    [options.rounds] * options.parallel,
                )
            )
            elapsed = time.perf_counter() - started
        rate = options.parallel * options.rounds / elapsed
        print(
            f"{label:<22} {hasher_class.memory_cost / 1024:>8.0f} {hasher_class.time_cost:>3} "
            f"{hasher_class.parallelism:>3} {statistics.median(times) * 1000:>10.1f} "
            f"{p95 * 1000:>8.1f} {rate:>22.1f}"
        )


if __name__ == "__main__":
    main()
