"""Grid searches with and without the encoder caches, and on a two-worker Dask cluster.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_search_cache.py                 # 3,000 reviews, MiniLM
    .venv/bin/python benchmarks/bench_search_cache.py --only dask-frozen
    .venv/bin/python benchmarks/bench_search_cache.py --quick         # smoke: tiny BERT, 200 rows

What it measures: the wall time of ``GridSearchCV`` with 4 candidates x 3
folds (12 fits and 12 scorings, plus the refit) on the first 3,000 reviews of
``womens_clothing_reviews/dev.csv`` (``recommended_ind``, whose 0 is the rare
class; scored by average precision), in one process, on the CPU:

- (a) ``make_pipeline(TextEmbedder(), LogisticRegression())`` over
  ``C in {0.01, 0.1, 1, 10}``;
- (b) ``BertClassifier(freeze="encoder", max_epochs=2)`` over
  ``loss in {cross_entropy, focal} x class_weight in {None, "balanced"}``;

each with ``cache_size=0`` (every fit encodes its texts) and with the default
in-memory cache (each distinct text encoded once; the process's cache is
emptied before the row). A row records the wall time, the number of texts the
encoder ran on, and ``mean_test_score``; the report says whether the cached
and uncached scores are identical. The Dask row runs search (b), cached, under
``joblib.parallel_backend("dask")`` on a ``LocalCluster(n_workers=2,
threads_per_worker=1)`` (each worker has its own cache) and compares it with
the one-process cached row. Cluster start-up is not timed.

Each finished row is written at once as JSON to ``--out-dir`` and skipped by
later runs (delete its file to run it again); the assembled table goes to
``benchmarks/results/bench_search_cache.json``. ``--quick`` uses the tiny test
BERT and 200 rows and writes everything to the temp folder.
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, machine_description, publish, shared_data_dir

DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results" / "search_cache"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_search_cache.json"
ROWS = ["embedder-uncached", "embedder-cached", "frozen-uncached", "frozen-cached", "dask-frozen"]
N_ROWS, QUICK_ROWS = 3000, 200


def _data(n_rows):
    import pandas as pd

    frame = pd.read_csv(shared_data_dir() / "womens_clothing_reviews" / "dev.csv",
                        keep_default_na=False).head(n_rows)
    return frame["text"].to_numpy(dtype=object), frame["recommended_ind"].to_numpy()


def _search(kind, model, cache_size):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from sk_textrec import BertClassifier, TextEmbedder, make_pipeline

    if kind == "embedder":
        estimator = make_pipeline(
            TextEmbedder(model, cache_size=cache_size, device="cpu"),
            LogisticRegression(max_iter=1000),
        )
        grid = {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]}
    else:
        estimator = BertClassifier(
            model, freeze="encoder", max_epochs=2, lr=1e-3, cache_size=cache_size,
            device="cpu", random_state=0,
        )
        grid = {"loss": ["cross_entropy", "focal"], "class_weight": [None, "balanced"]}
    return GridSearchCV(estimator, grid, cv=3, scoring="average_precision")


_ENCODED = {"texts": 0}


def _count_encoded_texts():
    """Count the texts the encoder runs on in this process (the benchmark's own spy)."""
    from sk_textrec.models._base import HFEncoderMixin

    original = HFEncoderMixin._encode_pooled

    def counting(self, texts, encoder, pooling):
        _ENCODED["texts"] += len(texts)
        return original(self, texts, encoder, pooling)

    HFEncoderMixin._encode_pooled = counting


def run_row(name, model, texts, y):
    from sk_textrec.models._encoder_cache import clear_memory_cache

    kind = "embedder" if name.startswith("embedder") else "frozen"
    search = _search(kind, model, 0 if name.endswith("uncached") else 100_000)
    clear_memory_cache()
    _ENCODED["texts"] = 0
    if name.startswith("dask"):
        import joblib
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster):
            start = time.perf_counter()
            with joblib.parallel_backend("dask"):
                search.fit(texts, y)
            seconds = time.perf_counter() - start
        encoded = None  # in the workers, not counted here
    else:
        start = time.perf_counter()
        search.fit(texts, y)
        seconds = time.perf_counter() - start
        encoded = _ENCODED["texts"]
    return {
        "row": name,
        "seconds": seconds,
        "texts_encoded": encoded,
        "distinct_texts": len(set(texts)),
        "mean_test_score": search.cv_results_["mean_test_score"].tolist(),
        "params": [repr(p) for p in search.cv_results_["params"]],
    }


def report(rows):
    lines = ["| search | row | wall time (s) | texts encoded | same scores as |",
             "|---|---|---|---|---|"]
    pairs = {"embedder-cached": "embedder-uncached", "frozen-cached": "frozen-uncached",
             "dask-frozen": "frozen-cached"}
    for name in ROWS:
        if name not in rows:
            continue
        row = rows[name]
        reference = pairs.get(name)
        same = ""
        if reference in rows:
            gap = np.max(np.abs(np.subtract(row["mean_test_score"], rows[reference]["mean_test_score"])))
            same = f"{reference}: " + ("identical" if gap == 0 else f"max difference {gap:.1e}")
        encoded = "-" if row["texts_encoded"] is None else f"{row['texts_encoded']:,}"
        search = "TextEmbedder + LogisticRegression" if "embedder" in name else "BertClassifier(freeze='encoder')"
        lines.append(f"| {search} | {name} | {row['seconds']:.1f} | {encoded} | {same} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=None, help="one JSON per finished row")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--only", type=lambda s: s.split(","), default=ROWS, help="ROW[,ROW]")
    parser.add_argument("--quick", action="store_true", help="tiny BERT, 200 rows, temp folder")
    parser.add_argument("--model", default=None, help="model folder or name (default MiniLM)")
    args = parser.parse_args()
    unknown = sorted(set(args.only) - set(ROWS))
    if unknown:
        parser.error(f"unknown rows {unknown}; the rows are {ROWS}")
    quick_dir = Path(tempfile.gettempdir()) / "sk_textrec_bench_quick"
    out_dir = args.out_dir or (quick_dir / "search_cache" if args.quick else DEFAULT_OUT_DIR)
    output = args.output or (quick_dir / "bench_search_cache.json" if args.quick else DEFAULT_OUTPUT)
    model = args.model
    if args.quick and model is None:
        from sk_textrec.utils import make_tiny_bert

        model = make_tiny_bert()
    texts, y = _data(QUICK_ROWS if args.quick else N_ROWS)
    out_dir.mkdir(parents=True, exist_ok=True)
    _count_encoded_texts()
    for name in args.only:
        path = out_dir / f"{name}.json"
        if path.exists():
            print(f"{name}: done before, skipped ({path})")
            continue
        row = run_row(name, model, texts, y)
        path.write_text(json.dumps(row, indent=2) + "\n")
        print(f"{name}: {row['seconds']:.1f} s")
    rows = {path.stem: json.loads(path.read_text()) for path in out_dir.glob("*.json")}
    payload = {
        "machine": machine_description(["sk-textrec", "torch", "scikit-learn", "dask", "distributed"]),
        "n_texts": len(texts),
        "model": "tiny test BERT" if args.quick and args.model is None else (model or "all-MiniLM-L6-v2"),
        "rows": rows,
    }
    publish(payload, report(rows), output)


if __name__ == "__main__":
    main()
