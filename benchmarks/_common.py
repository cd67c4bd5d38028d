"""What every benchmark script shares: where the data is and what machine ran it."""

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
