"""Benchmark the research analyses on a million synthetic rounds, next to the naive way.

Run: ``.venv/bin/python benchmarks/bench_research.py [--rounds 1000000] [--seed 1]``

1. **Set-up**: the generator (``core.synth.generate``) makes enough trajectories for about
   ``--rounds`` rounds (on average 3.7 rounds each) and the submitted responses are written to
   one Parquet file (``SynthDataset.to_long``), both timed.
2. **Ours**, from the Parquet file: reliability (alpha with its interval, omega, item
   statistics per scale and rater), the characteristic scores, agreement (client versus
   professional per characteristic: r, paired difference, six ICCs, Bland–Altman), reliable
   change patterns (``growth.change_patterns``) and trajectory classes
   (``growth.trajectory_classes`` on the per-round alliance: K = 1–4, one seeded start each,
   on every trajectory from a cold start; ``--classes-warm-start N`` starts each K's EM from a
   fit to a seeded sample of N trajectories instead, ``--classes-sample N`` fits a seeded
   sample of N trajectories only, as the first version did).
3. **Naive** (a), the script a researcher writes today: per rater and scale
   ``pingouin.cronbach_alpha``, the scale scores with pandas, ``pingouin.intraclass_corr`` per
   characteristic, and a pandas ``groupby().apply()`` per trajectory and rater for reliable
   change.
4. **Floor** (b): one DuckDB aggregate scan of the same file that computes every scale's alpha
   (sample variances of the items and of their sum over the complete rows).

Each part, the set-up included, runs in a process of its own (so each has its own peak memory
and starts cold) with one BLAS thread (``OPENBLAS_NUM_THREADS=1``) and writes its results; the
parent compares them (ours against the naive script: the same alphas, the same ICCs, the same
change label for every trajectory, rater and characteristic; DuckDB's alphas as a third
opinion), prints the ratios, and exits 1 when the results differ. Times are wall clock
(``time.perf_counter``) with the CPU time (``time.process_time``) beside it; memory is the
process's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) after each
step — a high-water mark, so a step's figure is the largest the process has been so far — and,
per step, the peak of ``tracemalloc`` when ``--tracemalloc`` is given (it slows pandas and the
naive script down, so timings are taken without it by default).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from alliantiemonitor.core.instrument import RATERS, Instrument
from alliantiemonitor.core.registry import default_registry

#: Rounds per trajectory of the generator on average (rounds_min 2 .. rounds_max 6, minus the
#: trajectories that end early), measured on 20,000 trajectories: 73,610 rounds.
ROUNDS_PER_TRAJECTORY = 3.68
KEY = ["trajectory_id", "round_index"]
#: The change step's label codes written by both sides.
PATTERNS = ("stable", "improving", "deteriorating", "fluctuating", "insufficient")


def instrument() -> Instrument:
    return default_registry().get("standaard")


def item_columns(inst: Instrument) -> list[str]:
    return [item.id for rater in RATERS for item in inst.items_for(rater)]


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Steps:
    """Time and memory of each named step of one part."""

    traced: bool
    rows: list[dict[str, Any]] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.traced:
            tracemalloc.reset_peak()
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        row: dict[str, Any] = {
            "step": name,
            "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu,
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        if self.traced:
            row["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        self.rows.append(row)


# --- set-up: generate and write ----------------------------------------------------------------


def generate_parquet(rounds: int, seed: int, path: Path, steps: Steps) -> dict[str, int]:
    from alliantiemonitor.core.synth import generate

    inst = instrument()
    trajectories = max(50, round(rounds / ROUNDS_PER_TRAJECTORY))
    # The generator holds every table in memory (about 4 GiB for a million rounds); running it
    # in a process of its own keeps that out of the other parts' peak memory.
    with steps.step("generate"):
        data = generate(inst, trajectories=trajectories, seed=seed)
    with steps.step("write Parquet"):
        long = data.to_long(submitted_only=True)
        long.to_parquet(path, index=False)
    return {
        "trajectories": trajectories,
        "rounds": len(data.rounds),
        "responses": len(long),
        "parquet_bytes": path.stat().st_size,
    }


def read_items(path: Path, inst: Instrument) -> pd.DataFrame:
    return pd.read_parquet(path, columns=[*KEY, "rater", *item_columns(inst)])


# --- ours ----------------------------------------------------------------------------------------


#: Trajectory classes are fitted on a seeded random sample of this many trajectories (0: all).
CLASSES_SAMPLE = 0
#: EM for the classes starts from a fit to a seeded sample of this many (0: a cold start).
CLASSES_WARM_START = 0


def run_ours(path: Path, out: Path, steps: Steps) -> dict[str, Any]:
    # Every library is loaded before the timed steps, as the naive part loads pingouin (and with
    # it SciPy) before its own: the core imports SciPy lazily (a web page should not wait for
    # it), which would otherwise put seconds of importing into the first step.
    import scipy.optimize
    import scipy.stats  # noqa: F401

    from alliantiemonitor.core.research.agreement import agreement, join_long
    from alliantiemonitor.core.research.data import mapping_from_instrument, prepare
    from alliantiemonitor.core.research.growth import (
        change_patterns,
        references_from_instrument,
        trajectory_classes,
    )
    from alliantiemonitor.core.research.reliability import reliability
    from alliantiemonitor.core.signals import scores_from_answers

    inst = instrument()
    keys = [c.key for c in inst.characteristics]
    with steps.step("read Parquet"):
        frame = read_items(path, inst)
    alphas: dict[str, float | None] = {}
    omegas: dict[str, float | None] = {}
    with steps.step("reliability"):
        for rater in RATERS:
            mapping = mapping_from_instrument(inst, rater)
            # prepare selects the rater's rows of the mapped columns only.
            mine = (frame["rater"] == rater).to_numpy()
            prepared = prepare(frame, mapping, missing="listwise", rows=mine)
            for result in reliability(prepared):
                alphas[f"{rater}/{result.scale}"] = result.alpha
                omegas[f"{rater}/{result.scale}"] = result.omega
    with steps.step("scores"):
        scores = scores_from_answers(inst, frame)
    with steps.step("agreement"):
        # Long data: the client's and the professional's rows paired on the round's key.
        joined, pairs = join_long(scores, on=KEY, characteristics=keys)
        agreed = agreement(joined, pairs)
    with steps.step("change patterns"):
        change = change_patterns(scores, references=references_from_instrument(inst))
    with steps.step("trajectory classes"):
        positive = [c.key for c in inst.characteristics if c.polarity == "positive"]
        per_round = scores.groupby(KEY, sort=False)[positive].mean().mean(axis=1)
        per_round = per_round.rename("alliance").reset_index()
        ids = per_round["trajectory_id"].unique()
        sampled = 0 < CLASSES_SAMPLE < len(ids)
        if sampled:
            sample = np.random.default_rng(1).choice(ids, size=CLASSES_SAMPLE, replace=False)
            per_round = per_round[per_round["trajectory_id"].isin(sample)]
        classes = trajectory_classes(
            per_round,
            score="alliance",
            k_values=(1, 2, 3, 4),
            n_init=1,
            seed=1,
            warm_start_sample=CLASSES_WARM_START or None,
        )
    patterns = change.patterns
    pd.DataFrame(
        {
            "trajectory_id": patterns["trajectory"].astype(str),
            "rater": patterns["rater"].astype(str),
            "characteristic": patterns["characteristic"].astype(str),
            "pattern": patterns["pattern"].astype(str),
        }
    ).to_parquet(out / "ours_patterns.parquet", index=False)
    icc = {
        a.characteristic: {i.form: i.icc for i in a.icc if i.form in ("ICC(A,1)", "ICC(C,1)")}
        for a in agreed
    }
    return {
        "alpha": alphas,
        "omega": omegas,
        "icc": icc,
        "n_pairs": {a.characteristic: a.n for a in agreed},
        "n_series": len(patterns),
        "classes": {
            "chosen_k": classes.chosen_k,
            "sampled": sampled,
            "warm_start": CLASSES_WARM_START,
            "n": classes.n,
            "bic": classes.comparison["bic"].tolist(),
            "log_likelihood": classes.comparison["log_likelihood"].tolist(),
            "iterations": classes.comparison["iterations"].tolist(),
            "sample_iterations": classes.comparison["sample_iterations"].tolist(),
            "assigned": 0 if classes.assignments is None else len(classes.assignments),
        },
    }


# --- naive (a): what a researcher writes today -----------------------------------------------


def _reliable_course(values: list[float], s_diff: float, positive: bool) -> str:
    """Jacobson–Truax per step and first → last, written out the way a script would."""
    if len(values) < 2:
        return "insufficient"
    changes = [b - a for a, b in itertools.pairwise(values)]
    changes.append(values[-1] - values[0])
    up = down = False
    for change in changes:
        rc = change / s_diff
        if abs(rc) > 1.96:
            better = rc > 0 if positive else rc < 0
            up, down = up or better, down or not better
    if up and down:
        return "fluctuating"
    return "improving" if up else "deteriorating" if down else "stable"


def run_naive(path: Path, out: Path, steps: Steps) -> dict[str, Any]:
    import pingouin as pg

    inst = instrument()
    low, high = inst.scale.minimum, inst.scale.maximum
    with steps.step("read Parquet"):
        frame = read_items(path, inst)
    alphas: dict[str, float] = {}
    with steps.step("reliability"):
        for rater in RATERS:
            rows = frame.loc[frame["rater"] == rater, [i.id for i in inst.items_for(rater)]]
            for characteristic in inst.characteristics:
                items = inst.items_of(characteristic.key, rater)
                block = pd.DataFrame(
                    {i.id: (low + high - rows[i.id]) if i.reverse else rows[i.id] for i in items}
                )
                value, _ci = pg.cronbach_alpha(data=block, nan_policy="listwise")
                alphas[f"{rater}/{characteristic.key}"] = float(value)
    with steps.step("scores"):
        scored = frame[[*KEY, "rater"]].copy()
        for characteristic in inst.characteristics:
            parts = []
            for rater in RATERS:
                items = inst.items_of(characteristic.key, rater)
                block = pd.DataFrame(
                    {i.id: (low + high - frame[i.id]) if i.reverse else frame[i.id] for i in items}
                )
                enough = block.notna().sum(axis=1) >= math.ceil(2 * len(items) / 3)
                parts.append(block.mean(axis=1).where(enough & (frame["rater"] == rater)))
            scored[characteristic.key] = parts[0].fillna(parts[1])
    icc: dict[str, dict[str, float]] = {}
    with steps.step("agreement"):
        for characteristic in inst.characteristics:
            key = characteristic.key
            wide = scored.pivot_table(index=KEY, columns="rater", values=key).dropna()
            wide = wide.reset_index(drop=True)
            wide["target"] = np.arange(len(wide))
            long = wide.melt(id_vars="target", var_name="rater", value_name="score")
            table = pg.intraclass_corr(long, targets="target", raters="rater", ratings="score")
            by_type = table.set_index("Type")["ICC"]
            icc[key] = {form: float(by_type[form]) for form in ("ICC(A,1)", "ICC(C,1)")}
    chars = inst.characteristics
    s_diffs = {
        (c.key, rater): c.reference[rater].sd
        * math.sqrt(2)
        * math.sqrt(1 - c.reference[rater].reliability)
        for c in chars
        for rater in c.reference
    }

    keys = [c.key for c in chars]

    def classify(group: pd.DataFrame) -> list[str]:
        """The four labels of one trajectory and rater; ``group`` is in round order."""
        rater = str(group.name[1])  # type: ignore[index]  # the (trajectory, rater) key
        values = group.to_numpy()
        labels = []
        for j, c in enumerate(chars):
            series = [v for v in values[:, j].tolist() if not math.isnan(v)]
            labels.append(
                _reliable_course(series, s_diffs[(c.key, rater)], c.polarity == "positive")
            )
        return labels

    with steps.step("change patterns"):
        ordered = scored.sort_values(["trajectory_id", "rater", "round_index"])
        labels = ordered.groupby(["trajectory_id", "rater"])[keys].apply(classify)
    long_labels = pd.DataFrame(
        [
            (trajectory, rater, key, label)
            for (trajectory, rater), four in labels.items()
            for key, label in zip(keys, four, strict=True)
        ],
        columns=["trajectory_id", "rater", "characteristic", "pattern"],
    )
    long_labels.astype(str).to_parquet(out / "naive_patterns.parquet", index=False)
    return {"alpha": alphas, "icc": icc}


# --- floor (b): one DuckDB aggregate scan ----------------------------------------------------


def floor_query(path: Path, inst: Instrument) -> str:
    """Per rater and scale: alpha over the complete rows, from sample variances, in one scan."""
    low, high = inst.scale.minimum, inst.scale.maximum
    columns = []
    for rater in RATERS:
        for characteristic in inst.characteristics:
            items = inst.items_of(characteristic.key, rater)
            k = len(items)
            complete = " AND ".join(f'"{i.id}" IS NOT NULL' for i in items)
            where = f"rater = '{rater}' AND {complete}"
            terms = [f'({low + high} - "{i.id}")' if i.reverse else f'"{i.id}"' for i in items]
            item_variances = " + ".join(f"var_samp({t}) FILTER (WHERE {where})" for t in terms)
            total = f"var_samp({' + '.join(terms)}) FILTER (WHERE {where})"
            alpha = f"{k} / {k - 1} * (1 - ({item_variances}) / {total})"
            columns.append(f'{alpha} AS "{rater}/{characteristic.key}"')
    source = str(path).replace("'", "''")
    # Column names come from the instrument file, the path from the caller: no user input.
    return f"SELECT {', '.join(columns)} FROM read_parquet('{source}')"  # noqa: S608


def run_floor(path: Path, out: Path, steps: Steps) -> dict[str, Any]:
    import duckdb

    inst = instrument()
    connection = duckdb.connect()
    query = floor_query(path, inst)
    with steps.step("DuckDB scan (alpha)"):
        row = connection.execute(query).fetchone()
        assert row is not None
        names = [d[0] for d in connection.description]
    return {"alpha": dict(zip(names, map(float, row), strict=True))}


PARTS: dict[str, Callable[[Path, Path, Steps], dict[str, Any]]] = {
    "ours": run_ours,
    "naive": run_naive,
    "floor": run_floor,
}


# --- the parent: run each part in a process of its own, compare, print ----------------------


def run_part(part: str, parquet: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--part", part, "--parquet", str(parquet)]
    command += ["--out", str(out), "--rounds", str(args.rounds), "--seed", str(args.seed)]
    command += ["--classes-sample", str(args.classes_sample)]
    command += ["--classes-warm-start", str(args.classes_warm_start)]
    command += ["--tracemalloc"] if args.tracemalloc else []
    # One BLAS thread per part: on a machine shared with other work, OpenBLAS's threads for
    # short vectors made the mixture's EM steps (dot products) about 2.7 times slower in CPU.
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    subprocess.run(command, check=True, env=environment)  # noqa: S603 - our own script
    result: dict[str, Any] = json.loads((out / f"{part}.json").read_text())
    return result


def child(part: str, parquet: Path, out: Path, args: argparse.Namespace) -> int:
    global CLASSES_SAMPLE, CLASSES_WARM_START  # settings of a one-off process
    CLASSES_SAMPLE, CLASSES_WARM_START = args.classes_sample, args.classes_warm_start
    if args.tracemalloc:
        tracemalloc.start()
    steps = Steps(traced=args.tracemalloc)
    began = time.perf_counter()
    if part == "generate":
        results: dict[str, Any] = generate_parquet(args.rounds, args.seed, parquet, steps)
    else:
        results = PARTS[part](parquet, out, steps)
    payload = {
        "part": part,
        "steps": steps.rows,
        # The steps alone; the elapsed time also counts importing the libraries.
        "total_seconds": sum(row["seconds"] for row in steps.rows),
        "elapsed_seconds": time.perf_counter() - began,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "results": results,
    }
    (out / f"{part}.json").write_text(json.dumps(payload))
    return 0


def compare(
    ours: dict[str, Any], naive: dict[str, Any], floor: dict[str, Any], out: Path
) -> dict[str, Any]:
    """How far the parts' results are apart: alphas, ICCs, and every change label."""
    alpha_ours = ours["results"]["alpha"]
    alpha_naive = naive["results"]["alpha"]
    alpha_floor = floor["results"]["alpha"]
    alpha_naive_diff = max(abs(alpha_ours[k] - alpha_naive[k]) for k in alpha_ours)
    alpha_floor_diff = max(abs(alpha_ours[k] - alpha_floor[k]) for k in alpha_ours)
    icc_diff = max(
        abs(ours["results"]["icc"][c][form] - naive["results"]["icc"][c][form])
        for c in ours["results"]["icc"]
        for form in ("ICC(A,1)", "ICC(C,1)")
    )
    key = ["trajectory_id", "rater", "characteristic"]
    mine = pd.read_parquet(out / "ours_patterns.parquet")
    theirs = pd.read_parquet(out / "naive_patterns.parquet")
    merged = mine.merge(theirs, on=key, how="outer", suffixes=("_ours", "_naive"))
    differ = int((merged["pattern_ours"] != merged["pattern_naive"]).sum())
    return {
        "alpha_max_abs_diff_naive": alpha_naive_diff,
        "alpha_max_abs_diff_duckdb": alpha_floor_diff,
        "icc_max_abs_diff_naive": icc_diff,
        "change_labels": len(merged),
        "change_labels_differ": differ,
    }


def seconds(part: dict[str, Any], *names: str, cpu: bool = False) -> float:
    """Wall (or, with ``cpu``, CPU) seconds of the named steps of one part."""
    field = "cpu_seconds" if cpu else "seconds"
    return sum(row[field] for row in part["steps"] if row["step"] in names)


def ours_steps(part: dict[str, Any]) -> list[str]:
    return [row["step"] for row in part["steps"]]


def print_part(title: str, part: dict[str, Any]) -> None:
    print(f"{title}:")
    for row in part["steps"]:
        traced = (
            f", tracemalloc peak {row['traced_peak_mib']:,.0f} MiB"
            if "traced_peak_mib" in row
            else ""
        )
        print(
            f"  step {row['step']}: {row['seconds']:.2f} s (CPU {row['cpu_seconds']:.2f} s), "
            f"max RSS {row['max_rss_mib']:,.0f} MiB{traced}"
        )
    print(f"  total: {part['total_seconds']:.2f} s, max RSS {part['max_rss_mib']:,.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parquet", type=Path, help="use this file instead of generating one")
    parser.add_argument("--out", type=Path, help="directory for the parts' results")
    parser.add_argument(
        "--part", choices=["generate", *sorted(PARTS)], help="run one part only (internal)"
    )
    parser.add_argument(
        "--classes-sample",
        type=int,
        default=CLASSES_SAMPLE,
        help="fit the trajectory classes on a seeded sample of this many trajectories (0: all)",
    )
    parser.add_argument(
        "--classes-warm-start",
        type=int,
        default=CLASSES_WARM_START,
        help="start the classes' EM from a fit to a seeded sample of this many (0: cold)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="per-step tracemalloc peaks")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args()
    if args.rounds < 200:
        parser.error("--rounds must be at least 200")
    if args.part:
        if args.parquet is None or args.out is None:
            parser.error("--part needs --parquet and --out")
        return child(args.part, args.parquet, args.out, args)

    with tempfile.TemporaryDirectory(prefix="bench-research-") as scratch:
        out = args.out or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        if args.parquet is None:
            parquet = out / "rounds.parquet"
            generated = run_part("generate", parquet, out, args)
            size, setup_rows = generated["results"], generated["steps"]
        else:
            parquet = args.parquet
            size, setup_rows = {"parquet_bytes": parquet.stat().st_size}, []
        parts = {name: run_part(name, parquet, out, args) for name in PARTS}
        checks = compare(parts["ours"], parts["naive"], parts["floor"], out)

    ours, naive, floor = parts["ours"], parts["naive"], parts["floor"]
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, NumPy {np.__version__}, pandas {pd.__version__}"
    )
    print(
        "data: "
        + ", ".join(f"{key} {value:,}" for key, value in size.items())
        + f"; load average {os.getloadavg()[0]:.1f}"
    )
    for row in setup_rows:
        print(f"setup {row['step']}: {row['seconds']:.2f} s, max RSS {row['max_rss_mib']:,.0f} MiB")
    print_part("ours (from Parquet)", ours)
    print_part("naive (a): pingouin loops and groupby-apply", naive)
    print_part("floor (b): DuckDB", floor)
    compared = ("reliability", "scores", "agreement", "change patterns")
    reads = ("read Parquet", "reliability")
    floor_step = "DuckDB scan (alpha)"
    ratios: dict[str, float] = {}
    # Wall clock and CPU time: on a machine shared with other work the wall clock includes
    # waiting for a core, the CPU time does not.
    for kind, cpu in (("wall", False), ("cpu", True)):
        ratios |= {
            f"{kind}_naive_over_ours_reliability": seconds(naive, "reliability", cpu=cpu)
            / seconds(ours, "reliability", cpu=cpu),
            f"{kind}_naive_over_ours_agreement": seconds(naive, "scores", "agreement", cpu=cpu)
            / seconds(ours, "scores", "agreement", cpu=cpu),
            f"{kind}_naive_over_ours_change": seconds(naive, "change patterns", cpu=cpu)
            / seconds(ours, "change patterns", cpu=cpu),
            f"{kind}_naive_over_ours_compared_steps": seconds(naive, *compared, cpu=cpu)
            / seconds(ours, *compared, cpu=cpu),
            f"{kind}_ours_reliability_over_floor": seconds(ours, *reads, cpu=cpu)
            / seconds(floor, floor_step, cpu=cpu),
            f"{kind}_ours_total_over_floor": seconds(ours, *ours_steps(ours), cpu=cpu)
            / seconds(floor, floor_step, cpu=cpu),
        }
    whole = seconds({"steps": setup_rows}, "write Parquet") + ours["total_seconds"]
    whole_cpu = seconds({"steps": setup_rows}, "write Parquet", cpu=True) + seconds(
        ours, *ours_steps(ours), cpu=True
    )
    for kind in ("wall", "cpu"):
        print(f"ratios ({'wall clock' if kind == 'wall' else 'CPU time'}):")
        print(
            f"  naive / ours, reliability: {ratios[f'{kind}_naive_over_ours_reliability']:.1f}x; "
            f"scores + agreement: {ratios[f'{kind}_naive_over_ours_agreement']:.1f}x; "
            f"change patterns: {ratios[f'{kind}_naive_over_ours_change']:.1f}x; "
            "the four steps both do: "
            f"{ratios[f'{kind}_naive_over_ours_compared_steps']:.1f}x (goal >= 10x)"
        )
        print(
            "  ours / floor, read + reliability: "
            f"{ratios[f'{kind}_ours_reliability_over_floor']:.1f}x (goal <= 5x); "
            f"every analysis: {ratios[f'{kind}_ours_total_over_floor']:.1f}x"
        )
    written = "write Parquet + " if setup_rows else "(given --parquet: nothing written) "
    print(
        f"whole run ({written}every analysis): {whole:.2f} s, CPU {whole_cpu:.2f} s (goal < 60 s)"
    )
    print(
        "results: alpha |ours - pingouin| <= "
        f"{checks['alpha_max_abs_diff_naive']:.1e}, |ours - DuckDB| <= "
        f"{checks['alpha_max_abs_diff_duckdb']:.1e}; ICC |ours - pingouin| <= "
        f"{checks['icc_max_abs_diff_naive']:.1e}; change labels differing: "
        f"{checks['change_labels_differ']:,} of {checks['change_labels']:,}"
    )
    classes = ours["results"]["classes"]
    print(
        f"trajectory classes: K = {classes['chosen_k']} chosen by BIC from 1-4 (one start each) "
        f"on {classes['n']:,} trajectories"
        + (" (a seeded sample)" if classes["sampled"] else " (all)")
        + f", {classes['assigned']:,} assigned; EM steps per K on all of them "
        + ", ".join(map(str, classes["iterations"]))
        + (
            " after " + ", ".join(map(str, classes["sample_iterations"])) + " on the warm-start"
            f" sample of {classes['warm_start']:,}"
            if classes["warm_start"]
            else " (cold start)"
        )
    )
    same = (
        checks["change_labels_differ"] == 0
        and max(checks["alpha_max_abs_diff_naive"], checks["alpha_max_abs_diff_duckdb"]) < 1e-9
        and checks["icc_max_abs_diff_naive"] < 1e-9
    )
    if not same:
        print("RESULTS DIFFER: ours and the naive script or DuckDB do not agree", file=sys.stderr)
    if args.json:
        figures = {
            "size": size,
            "setup": setup_rows,
            "parts": parts,
            "ratios": ratios,
            "whole_run_seconds": whole,
            "whole_run_cpu_seconds": whole_cpu,
            "checks": checks,
        }
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
