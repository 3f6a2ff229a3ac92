"""Benchmark the research export: N synthetic rounds (two responses each) to CSV, Parquet, .sav.

Run: ``.venv/bin/python benchmarks/bench_export.py [--rounds 1000000] [--format csv,parquet]``

A child process first writes the generator's long table to a Parquet file (in pieces, so the
generator's own memory does not count); this process then exports it chunk by chunk and prints
the time and its peak resident memory (``ru_maxrss``, which includes the ~150 MB that Python,
pandas and pyarrow take before the first row).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import pyarrow as pa
import pyarrow.parquet as pq

from alliantiemonitor.core.research.export import DEFAULT_CHUNK_ROWS

#: Rounds per trajectory average about 3.6 in the generator.
ROUNDS_PER_TRAJECTORY = 3.6
PIECE_TRAJECTORIES = 25_000


def generate_input(path: Path, rounds: int, seed: int) -> None:
    """Write about ``rounds`` rounds of the generator's long table to ``path``."""
    from alliantiemonitor.core.registry import default_registry
    from alliantiemonitor.core.synth import generate

    instrument = default_registry().get("standaard")
    writer: pq.ParquetWriter | None = None
    written = 0
    piece = 0
    while written < rounds:
        wanted = min(PIECE_TRAJECTORIES, int((rounds - written) / ROUNDS_PER_TRAJECTORY) + 1)
        long = generate(instrument, trajectories=wanted, seed=seed + piece).to_long()
        # Every piece numbers from 1 again; a piece prefix keeps identifiers unique.
        for column in ("response_id", "trajectory_id", "client_id", "professional_id"):
            long[column] = f"{piece:03d}-" + long[column].astype(str)
        table = pa.Table.from_pandas(long, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(str(path), table.schema)
        writer.write_table(table)
        written += len(long.drop_duplicates(["trajectory_id", "round_index"]))
        piece += 1
    assert writer is not None
    writer.close()
    print(f"input: {written} rounds in {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1_000_000)
    parser.add_argument("--format", default="csv,parquet")
    parser.add_argument("--layout", default="long")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--input", type=Path, help="reuse this input file")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate_input(args.generate_only, args.rounds, args.seed)
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    data = args.input or work / "input.parquet"
    if args.input is None:
        subprocess.run(  # noqa: S603 - our own script, with our own arguments
            [sys.executable, __file__, "--rounds", str(args.rounds), "--generate-only", str(data)],
            check=True,
        )
    from alliantiemonitor.cli.export import read_chunks
    from alliantiemonitor.core.registry import default_registry
    from alliantiemonitor.core.research.export import ExportOptions, export_research_data

    instrument = default_registry().get("standaard")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    formats = tuple(args.format.split(","))
    started = time.perf_counter()
    result = export_research_data(
        read_chunks(data, args.chunk_rows),
        secret=b"benchmark-secret-of-enough-length-000",
        out=work / "export",
        options=ExportOptions(layout=args.layout, formats=formats),  # type: ignore[arg-type]
        instrument=instrument,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = result.codebook["rows"]
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.0f} MB" for p in result.files.values())
    print(
        f"{rows['input']} rows in, {rows['output']} out ({args.layout}, {args.format}): "
        f"{seconds:.1f} s, peak RSS {peak:.0f} MB (after imports {before:.0f} MB); {sizes}"
    )
    print(f"files in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
