"""Time ``python -m sk_textrec demo`` as `make demo` runs it, and keep its summary table.

The demo must finish in under 3 minutes on 2 CPU cores and show the "fast" preset
ahead of the TF-IDF baseline on the rare class's F1 and PR-AUC. Wall time depends on
what else runs on the machine, so the load average before and after and the process's
CPU time (user + system, which the load does not inflate much) are recorded too.

    .venv/bin/python benchmarks/bench_demo.py            # the demo with its defaults
    flock /work/bench.lock .venv/bin/python benchmarks/bench_demo.py   # on a shared machine
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import REPO_ROOT, machine_description, publish  # noqa: E402


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path,
                        default=REPO_ROOT / "benchmarks" / "results" / "bench_demo.json")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    # The whole demo, imports included, as `python -m sk_textrec demo` runs it.
    from sk_textrec.__main__ import main as cli

    captured = io.StringIO()
    stdout, sys.stdout = sys.stdout, captured
    try:
        status = cli(["demo"])
    finally:
        sys.stdout = stdout
    wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    output = captured.getvalue()
    print(output)
    summary = output[output.index("=== Summary"):output.index("Demo finished")].strip()
    payload = {
        "machine": machine_description(["sk-textrec", "torch", "transformers", "scikit-learn"]),
        "status": status,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "summary": summary,
    }
    report = (
        f"Demo: {wall:.0f} s wall, {cpu:.0f} s CPU on {os.cpu_count()} cores; 1-minute load "
        f"average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after.\n\n```\n{summary}\n```"
    )
    publish(payload, report, args.output)
    return status


if __name__ == "__main__":
    sys.exit(main())
