"""Speed of MMRReranker (MMR and greedy DPP) against pyversity and a plain Python MMR loop.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_rerank.py --setup-compare   # once: pyversity into a temp folder
    .venv/bin/python benchmarks/bench_rerank.py                   # the reported numbers (~1 min)

For each number of candidates (``--n-candidates``, default 100, 1,000, 10,000) and list
length (``--k``, default 10 and 50), with random embeddings of ``--dim`` (384, MiniLM's size;
absolute values of Gaussian draws, so that every cosine similarity is >= 0, as between
sentence embeddings of one domain, and pyversity's clipping of similarities at 0 changes
nothing) and uniform relevance scores, it times one query's re-ranking, median of
``--repeats`` runs after a warm-up:

- ``MMRReranker.predict`` with ``strategy="mmr"`` and ``"dpp"`` (input validation included;
  ``fit`` is not timed), ``relevance_weight=0.5``;
- pyversity 0.2.0's ``mmr`` and ``dpp`` with ``diversity=0.5`` (the same trade-off; its MMR
  chooses the same lists, which the output checks; its DPP weighs relevance by z-scores, so
  its lists differ from ours by design);
- a plain MMR loop: per step, a Python loop over the remaining candidates (up to 1,000).

Then a batch: ``--n-queries`` (100) queries over the same 1,000 candidates, top 50, which
MMRReranker re-ranks in one vectorised call and pyversity one query at a time.

pyversity is not a dependency: ``--setup-compare`` installs it with ``pip install --no-deps
--target`` into ``--compare-dir`` (default ``$SK_TEXTREC_COMPARE_DIR`` or
``/tmp/sk_textrec_compare``); without it its rows are n/a. Prints a markdown table and writes
``benchmarks/results/bench_rerank.json`` with the machine description.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, compare_dir, machine_description, publish

DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_rerank.json"
PYVERSITY = "pyversity==0.2.0"
NAIVE_MAX_CANDIDATES = 1000
RELEVANCE_WEIGHT = 0.5


def setup_compare(target):
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(target / "pyversity_pkg"), PYVERSITY], check=True)
    print(f"installed {PYVERSITY} into {target / 'pyversity_pkg'}")


def import_pyversity(target):
    path = target / "pyversity_pkg"
    if not path.exists():
        return None, f"not installed (run with --setup-compare; looked in {path})"
    sys.path.append(str(path))
    import pyversity

    return pyversity, None


def naive_mmr(relevance, unit, k, weight):
    """MMR as written in the paper: a Python loop over candidates at each step."""
    selected = [int(np.argmax(relevance))]
    max_similarity = unit @ unit[selected[0]]
    while len(selected) < k:
        best, best_value = None, -np.inf
        chosen = set(selected)
        for item in range(relevance.size):
            if item in chosen:
                continue
            value = weight * relevance[item] - (1 - weight) * max_similarity[item]
            if value > best_value:
                best, best_value = item, value
        selected.append(best)
        max_similarity = np.maximum(max_similarity, unit @ unit[best])
    return selected


def median_seconds(function, repeats):
    function()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def run_case(n_candidates, k, dim, repeats, pyversity, seed):
    from sk_textrec.rerank import MMRReranker

    rng = np.random.RandomState(seed)
    embeddings = np.abs(rng.normal(size=(n_candidates, dim))).astype(np.float32)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    relevance = rng.rand(n_candidates)
    X = relevance[None, :]
    row = {"n_candidates": n_candidates, "k": k, "dim": dim}
    lists = {}
    for strategy in ("mmr", "dpp"):
        model = MMRReranker(embeddings, k=k, relevance_weight=RELEVANCE_WEIGHT, strategy=strategy).fit(X)
        row[f"ours_{strategy}_ms"] = 1000 * median_seconds(lambda m=model: m.predict(X), repeats)
        lists[strategy] = model.predict(X)[0].tolist()
    if pyversity is not None:
        for strategy in ("mmr", "dpp"):
            function = getattr(pyversity, strategy)
            call = lambda f=function: f(embeddings, relevance.astype(np.float32), k, 1 - RELEVANCE_WEIGHT)
            row[f"pyversity_{strategy}_ms"] = 1000 * median_seconds(call, repeats)
        theirs = pyversity.mmr(embeddings, relevance.astype(np.float32), k, 1 - RELEVANCE_WEIGHT).indices.tolist()
        row["same_mmr_lists_as_pyversity"] = theirs == lists["mmr"]
    if n_candidates <= NAIVE_MAX_CANDIDATES:
        row["naive_mmr_ms"] = 1000 * median_seconds(
            lambda: naive_mmr(relevance, unit, k, RELEVANCE_WEIGHT), max(1, repeats // 5))
        row["same_mmr_lists_as_naive"] = naive_mmr(relevance, unit, k, RELEVANCE_WEIGHT) == lists["mmr"]
    return row


def run_batch(n_queries, n_candidates, k, dim, pyversity, seed):
    from sk_textrec.rerank import MMRReranker

    rng = np.random.RandomState(seed)
    embeddings = np.abs(rng.normal(size=(n_candidates, dim))).astype(np.float32)
    X = rng.rand(n_queries, n_candidates)
    row = {"n_queries": n_queries, "n_candidates": n_candidates, "k": k}
    for strategy in ("mmr", "dpp"):
        model = MMRReranker(embeddings, k=k, relevance_weight=RELEVANCE_WEIGHT, strategy=strategy).fit(X)
        row[f"ours_{strategy}_ms"] = 1000 * median_seconds(lambda m=model: m.predict(X), 3)
        if pyversity is not None:
            function = getattr(pyversity, strategy)
            row[f"pyversity_{strategy}_ms"] = 1000 * median_seconds(
                lambda f=function: [f(embeddings, x.astype(np.float32), k, 1 - RELEVANCE_WEIGHT) for x in X], 3)
    return row


def _ms(row, key):
    return f"{row[key]:.2f}" if key in row else "n/a"


def markdown_report(payload):
    lines = [
        "One query, median ms (lower is better); `same` = the same MMR lists as pyversity / the naive loop.",
        "",
        "| candidates | k | ours MMR | ours DPP | pyversity MMR | pyversity DPP | naive MMR loop | same |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in payload["single_query"]:
        same = "/".join({True: "yes", False: "NO"}[row[key]] for key in
                        ("same_mmr_lists_as_pyversity", "same_mmr_lists_as_naive") if key in row) or "n/a"
        lines.append(f"| {row['n_candidates']} | {row['k']} | {_ms(row, 'ours_mmr_ms')} | {_ms(row, 'ours_dpp_ms')} | "
                     f"{_ms(row, 'pyversity_mmr_ms')} | {_ms(row, 'pyversity_dpp_ms')} | {_ms(row, 'naive_mmr_ms')} | "
                     f"{same} |")
    batch = payload["batch"]
    lines += ["", f"Batch: {batch['n_queries']} queries x {batch['n_candidates']} candidates, top {batch['k']}, "
              "total ms (ours: one vectorised call; pyversity: a loop over queries).", "",
              "| | MMR | DPP |", "|---|---:|---:|",
              f"| MMRReranker | {_ms(batch, 'ours_mmr_ms')} | {_ms(batch, 'ours_dpp_ms')} |",
              f"| pyversity | {_ms(batch, 'pyversity_mmr_ms')} | {_ms(batch, 'pyversity_dpp_ms')} |"]
    machine = payload["machine"]
    note = payload["pyversity_note"]
    lines += ["", f"pyversity: {machine['versions'].get('pyversity') or note}. Machine: {machine['cpu_model']}, "
              f"{machine['usable_cores']} usable cores; numpy {machine['versions']['numpy']}, {machine['date']}."]
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-candidates", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--k", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--n-queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare-dir", type=Path, default=compare_dir(),
                        help="folder of pyversity (default $SK_TEXTREC_COMPARE_DIR or sk_textrec_compare "
                        "in the temp folder)")
    parser.add_argument("--setup-compare", action="store_true", help="install pyversity, then exit")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--report", type=Path, default=None, help="print the table of a result file")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.report is not None:
        print(markdown_report(json.loads(args.report.read_text())))
        return
    if args.setup_compare:
        setup_compare(args.compare_dir)
        return
    pyversity, note = import_pyversity(args.compare_dir)
    single = [run_case(n, k, args.dim, args.repeats, pyversity, args.seed)
              for n in args.n_candidates for k in args.k if k <= n]
    batch = run_batch(args.n_queries, 1000, 50, args.dim, pyversity, args.seed)
    machine = machine_description(["sk-textrec", "numpy", "scikit-learn"])
    machine["versions"]["pyversity"] = getattr(pyversity, "__version__", None)
    payload = {"machine": machine, "pyversity_note": note, "relevance_weight": RELEVANCE_WEIGHT,
               "single_query": single, "batch": batch}
    publish(payload, markdown_report(payload), args.output)


if __name__ == "__main__":
    main()
