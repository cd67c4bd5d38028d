"""What every benchmark script shares: where the data is, what machine ran it, the row options."""

import argparse
import datetime
import json
import os
import platform
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir():
    """``$SK_TEXTREC_DATA_DIR``, or ``../shared/data`` beside the checkout."""
    return Path(os.environ.get("SK_TEXTREC_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))


def compare_dir():
    """Folder of the comparison libraries that are never dependencies (nlpaug, pyversity, ...):
    ``$SK_TEXTREC_COMPARE_DIR``, or ``sk_textrec_compare`` in the temp folder."""
    return Path(os.environ.get("SK_TEXTREC_COMPARE_DIR", Path(tempfile.gettempdir()) / "sk_textrec_compare"))


def cpu_model():
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores():
    """Cores this process may run on (its affinity), else all cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def publish(payload, report, output):
    """Print the markdown ``report`` and write it with ``payload`` as JSON to ``output``."""
    print()
    print(report)
    payload["markdown"] = report
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {output}")


def machine_description(packages, **extra):
    """The CPU, cores, Python, platform, date and versions of ``packages`` (distribution names)."""
    versions = {}
    for name in packages:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": versions,
        **extra,
    }


def row_parser(doc, quick_help):
    """The options of a benchmark made of resumable rows (one JSON each), for ``doc``'s script.

    ``--data-dir``, ``--out-dir``, ``--output``, ``--only ROW[,ROW]``, ``--force``,
    ``--threads`` and ``--quick`` (``quick_help`` says what the smoke run does);
    add the script's own options, then call :func:`parse_row_args`.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--out-dir", type=Path, default=None, help="one JSON per row")
    parser.add_argument("--output", type=Path, default=None, help="the assembled JSON")
    parser.add_argument("--only", default="", help="ROW[,ROW]")
    parser.add_argument("--force", action="store_true", help="rerun finished rows")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    return parser


def parse_row_args(parser, argv, rows, name, out_dir, output, quick_rows=None):
    """Parsed options: ``rows`` (``quick_rows`` with ``--quick`` when given), ``names`` (the
    rows asked for, checked against them) and the folders.

    ``--quick`` writes under ``<temp>/sk_textrec_<name>_quick`` unless told otherwise;
    otherwise the rows go to ``out_dir`` and the assembled JSON to ``output``.
    """
    args = parser.parse_args(argv)
    rows = quick_rows if args.quick and quick_rows is not None else rows
    args.rows = rows
    args.names = [n for n in args.only.split(",") if n] or list(rows)
    unknown = sorted(set(args.names) - set(rows))
    if unknown:
        parser.error(f"unknown rows {unknown}; rows are {list(rows)}")
    if args.quick:
        quick_dir = Path(tempfile.gettempdir()) / f"sk_textrec_{name}_quick"
        out_dir, output = quick_dir / "rows", quick_dir / f"{name}.json"
    args.out_dir = args.out_dir or out_dir
    args.output = args.output or output
    args.data_dir = args.data_dir or shared_data_dir()
    return args
