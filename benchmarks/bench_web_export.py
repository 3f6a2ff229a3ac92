"""Measure the export a researcher asks for on the web, on national-scale data in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_webexport \\
        .venv/bin/python benchmarks/bench_web_export.py --trajectories 190000

What it does:

1. loads the synthetic organisations, trajectories, rounds, responses and scores of
   ``bench_national.py`` (its loader: the domain tables of ``DATABASE_URL`` are emptied) unless
   ``--reuse`` finds them there already;
2. empties the research tables and creates one study that every organisation takes part in,
   with every trajectory enrolled and a recorded consent for each. Rows go in with ``COPY``
   (the per-row services would take hours at this size); the study keys are computed as
   ``trajectory_enrol`` computes them;
3. runs :func:`alliantiemonitor.research.outputs.build_export`, the worker's path for an
   export asked for on the study's page, in a child process, so that the loader's memory does
   not count. The child reports the wall time of the export, its peak resident memory
   (``VmHWM``) and the same before the first query (Python, Django, pandas, pyarrow).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_national  # the loader, next to this script

STUDY_NAME = "Benchmark: export op het web"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--trajectories",
        type=int,
        default=250_000,
        help="trajectories to load (250,000: about 1.3 million rounds; 190,000: about 1 million)",
    )
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--reuse", action="store_true", help="keep data already loaded")
    parser.add_argument("--layout", choices=("long", "wide"), default="long")
    parser.add_argument("--formats", default="csv,parquet", help="comma-separated: csv,parquet,sav")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--export-child", metavar="STUDY", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the study ------------------------------------------------------------------------------


def empty_research_tables() -> None:
    from django.apps import apps
    from django.db import connection

    tables = [m._meta.db_table for m in apps.get_app_config("research").get_models()]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def create_study() -> tuple[str, int]:
    """One active study with every trajectory enrolled and consenting; ``(uuid, enrolled)``."""
    from django.db import transaction
    from django.utils import timezone

    from alliantiemonitor.core.research.export import CLIENT_COLUMN
    from alliantiemonitor.core.research.pseudonym import Pseudonymiser
    from alliantiemonitor.organisations.models import Organisation
    from alliantiemonitor.research.constants import ConsentMode, StudyStatus
    from alliantiemonitor.research.keys import study_secret
    from alliantiemonitor.research.models import (
        EnrolledTrajectory,
        ResearchConsent,
        Study,
        StudyEnrolment,
    )
    from alliantiemonitor.trajectories.models import Trajectory

    now = timezone.now()
    with transaction.atomic():
        empty_research_tables()
        study = Study.objects.create(
            name=STUDY_NAME, information_text="Synthetische gegevens.", status=StudyStatus.ACTIVE
        )
        enrolments = {
            e.organisation_id: e.pk
            for e in StudyEnrolment.objects.bulk_create(
                [
                    StudyEnrolment(study=study, organisation=o, agreed_at=now)
                    for o in Organisation.objects.all()
                ]
            )
        }
        # The study key as trajectory_enrol computes it (research.keys.study_key), without a
        # query per trajectory.
        pseudonymiser = Pseudonymiser(study_secret(study))
        rows = Trajectory.objects.order_by("pk").values_list(
            "pk", "organisation_id", "client__uuid"
        )
        trajectories = list(rows.iterator(chunk_size=10_000))
        enrolled_ids = bench_national.next_ids(EnrolledTrajectory, len(trajectories))
        bench_national.copy_rows(
            EnrolledTrajectory,
            ["id", "uuid", "study_id", "enrolment_id", "trajectory_id", "study_key", "enrolled_at"],
            (
                (
                    int(enrolled_ids[i]),
                    uuid.uuid4(),
                    study.pk,
                    enrolments[organisation_id],
                    pk,
                    pseudonymiser.key(CLIENT_COLUMN, str(client)),
                    now,
                )
                for i, (pk, organisation_id, client) in enumerate(trajectories)
            ),
        )
        bench_national.copy_rows(
            ResearchConsent,
            [
                "uuid",
                "study_id",
                "enrolled_id",
                "given",
                "recorded_at",
                "information_version",
                "by_client",
                "mode",
            ],
            (
                (uuid.uuid4(), study.pk, int(e), True, now, 1, False, ConsentMode.ON_PAPER.value)
                for e in enrolled_ids
            ),
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return str(study.uuid), len(trajectories)


# --- the export (in a child process) ----------------------------------------------------------


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB.

    Linux keeps ``ru_maxrss`` across ``fork`` and ``exec``: a child of the loader starts with
    the loader's peak (about 3 GB). ``VmHWM`` is the high-water mark of the child's own memory.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_child(study_uuid: str, layout: str, formats: Sequence[str]) -> dict[str, Any]:
    """Build the export of the study as the worker does; time, memory and files."""
    from alliantiemonitor.research.models import Study
    from alliantiemonitor.research.outputs import build_export

    study = Study.objects.get(uuid=study_uuid)
    baseline = peak_rss_mb()
    options = {"layout": layout, "dates": "month", "formats": list(formats)}
    with tempfile.TemporaryDirectory(prefix="bench-web-export-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        summary = build_export(study, folder, options)
        seconds = time.perf_counter() - started
        files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    return {
        "options": options,
        "summary": summary,
        "seconds": round(seconds, 1),
        "baseline_mb": round(baseline, 1),
        "peak_mb": round(peak_rss_mb(), 1),
        "files": files,
    }


def run_export(study_uuid: str, layout: str, formats: str) -> dict[str, Any]:
    """Run :func:`export_child` in a fresh interpreter; its figures."""
    done = subprocess.run(  # noqa: S603 - our own script, with our own arguments
        [
            sys.executable,
            __file__,
            "--export-child",
            study_uuid,
            "--layout",
            layout,
            "--formats",
            formats,
        ],
        check=True,
        stdout=subprocess.PIPE,  # the figures; the child's errors go to the terminal
        text=True,
        env=os.environ.copy(),  # the same field keys: the child reads the study's secret
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bench_national.setup_django()
    formats = [f for f in args.formats.split(",") if f]
    if args.export_child:
        print(json.dumps(export_child(args.export_child, args.layout, formats)))
        return 0
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    loaded = bench_national.existing(args.trajectories) if args.reuse else None
    started = time.perf_counter()
    if loaded is None:
        loaded = bench_national.load(args.trajectories, args.seed)
        print(f"loaded {loaded['rows']} in {time.perf_counter() - started:.0f} s")
    else:
        print(f"reusing {loaded['rows']}")
    started = time.perf_counter()
    study_uuid, enrolled = create_study()
    seconds = time.perf_counter() - started
    print(f"study: {enrolled} trajectories enrolled, consenting, in {seconds:.0f} s")
    result = run_export(study_uuid, args.layout, ",".join(formats))
    rows = result["summary"]["rows"]
    print(
        f"\nexport ({args.layout}, {', '.join(formats)}, dates by month): {rows:,} rows of "
        f"{result['summary']['trajectories']:,} trajectories in {result['seconds']:.0f} s; "
        f"peak memory {result['peak_mb']:.0f} MB (of which {result['baseline_mb']:.0f} MB "
        "before the first query)"
    )
    for name, size in result["files"].items():
        print(f"  {name:<24} {size / 1e6:>9.1f} MB")
    if args.json:
        figures = {
            "date": dt.date.today().isoformat(),
            "rows": loaded["rows"],
            "enrolled": enrolled,
            **result,
        }
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
