"""Effect of sk_textrec's rebalancing samplers on a rare-class text task.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_rebalancing.py          # the reported numbers
    .venv/bin/python benchmarks/bench_rebalancing.py --quick  # smoke run, ~1 min

What it measures: minority-class F1 (at the classifier's own 0.5 threshold)
and PR-AUC (average precision of the minority-class probability), mean and
standard deviation over the folds of ``StratifiedKFold(5, shuffle=True,
random_state=0)``, of one text classifier trained with different ways of
handling the imbalance. Task: the shared ``womens_clothing_reviews/dev.csv``
(``../shared/data`` beside the checkout, ``$SK_TEXTREC_DATA_DIR``, or
``--data``), y = ``rating <= 2`` (about 10.5% positives), from the review text.

The classifier is always the same: TF-IDF of word 1-2-grams and of
``char_wb`` 2-5-grams (``sublinear_tf``, ``min_df=2``; a ``FeatureUnion``)
followed by ``LogisticRegression(max_iter=5000)``. The configurations:

- no resampling;
- ``class_weight="balanced"`` in the logistic regression;
- ``RandomTextOverSampler`` (copies of minority rows);
- ``AugmentationOverSampler`` with each augmenter: synonym replacement from
  WordNet and from embedding neighbours, random insertion, swap and deletion
  (EDA, ``p=0.1``) and character noise (``p=0.05``);
- cleaning: ``NearDuplicateUnderSampler`` then ``LabelNoiseUnderSampler``.

Over-samplers bring the minority class to ``--sampling-strategy`` (default
"auto": as many rows as the majority). Every sampler is a step of an
``imblearn.pipeline.Pipeline``, so it runs on the training folds only and the
test folds are untouched. Back-translation and masked-LM substitution need a
translation model and a trained fill-mask model, which cannot be downloaded
here: they are listed as n/a with that reason (``--masked-lm MODEL`` and
``--translation-models FWD,BWD`` run them where such models exist locally).

(configuration, fold) pairs run in parallel over ``--n-jobs`` processes
(default 2). The table is printed in markdown; everything, with a description
of the machine, is written as JSON to
``benchmarks/results/bench_rebalancing.json``. ``--report FILE`` prints the
table of an existing result file.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, cpu_model, publish, shared_data_dir, usable_cores

DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_rebalancing.json"
DATA_RELATIVE = Path("womens_clothing_reviews") / "dev.csv"
N_FOLDS = 5
CV_SEED = 0


# --------------------------------------------------------------------------- data


def default_data_path():
    """``$SK_TEXTREC_DATA_DIR`` or ``../shared/data`` beside the checkout, + dev.csv."""
    return shared_data_dir() / DATA_RELATIVE


def load_task(path, n_rows, seed):
    """Review texts and y = rating <= 2; a stratified subsample when ``n_rows`` is set."""
    import pandas as pd

    frame = pd.read_csv(path, keep_default_na=False)
    X = frame["text"].astype(str).to_numpy(dtype=object)
    y = (frame["rating"].astype(int) <= 2).astype(int).to_numpy()
    subsample = "all rows"
    if n_rows is not None and n_rows < len(y):
        subsample = f"stratified subsample of {n_rows:,} of its {len(y):,} rows, seed {seed}"
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(np.arange(len(y)), train_size=n_rows, stratify=y,
                                   random_state=seed)
        keep = np.sort(keep)
        X, y = X[keep], y[keep]
    return X, y, subsample


# ---------------------------------------------------------------- configurations


def vectorizer(char_ngram_range):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngram_range,
                                 sublinear_tf=True, min_df=2)),
    ])


def classifier(class_weight=None):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=5000, class_weight=class_weight)


def configurations(args):
    """name -> (description, factory of the sampler steps, LR class_weight) or n/a reason."""
    from sk_textrec.augmentation import (
        BackTranslation,
        CharacterNoise,
        EmbeddingNeighbourSynonyms,
        MaskedLMSubstitution,
        RandomDeletion,
        RandomInsertion,
        RandomSwap,
        SynonymReplacement,
        WordNetSynonyms,
    )
    from sk_textrec.over_sampling import AugmentationOverSampler, RandomTextOverSampler
    from sk_textrec.under_sampling import LabelNoiseUnderSampler, NearDuplicateUnderSampler

    strategy, seed = args.sampling_strategy, args.seed

    def augmented(make_augmenter):
        return lambda: [AugmentationOverSampler(make_augmenter(), sampling_strategy=strategy,
                                                random_state=seed)]

    def cleaning():
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        # The label-noise finder's own out-of-fold model: word TF-IDF only, to
        # keep its 5 inner fits per training fold cheap.
        finder = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
            LogisticRegression(class_weight="balanced", max_iter=5000))
        return [NearDuplicateUnderSampler(random_state=seed),
                LabelNoiseUnderSampler(estimator=finder, random_state=seed)]

    ratio = "the majority's count" if strategy == "auto" else f"sampling_strategy={strategy}"
    configs = {
        "none": ("no resampling", lambda: [], None),
        "class_weight": ('LogisticRegression(class_weight="balanced")', lambda: [], "balanced"),
        "random_over": (f"RandomTextOverSampler (minority copied up to {ratio})",
                        lambda: [RandomTextOverSampler(sampling_strategy=strategy,
                                                       random_state=seed)], None),
        "aug_synonym_wordnet": (
            "AugmentationOverSampler(SynonymReplacement(p=0.1, synonyms=WordNetSynonyms()))",
            augmented(lambda: SynonymReplacement(p=0.1, synonyms=WordNetSynonyms())), None),
        "aug_synonym_embedding": (
            "AugmentationOverSampler(SynonymReplacement(p=0.1, "
            "synonyms=EmbeddingNeighbourSynonyms()))",
            augmented(lambda: SynonymReplacement(p=0.1, synonyms=EmbeddingNeighbourSynonyms())),
            None),
        "aug_random_insertion": (
            "AugmentationOverSampler(RandomInsertion(p=0.1, synonyms=WordNetSynonyms()))",
            augmented(lambda: RandomInsertion(p=0.1, synonyms=WordNetSynonyms())), None),
        "aug_random_swap": ("AugmentationOverSampler(RandomSwap(p=0.1))",
                            augmented(lambda: RandomSwap(p=0.1)), None),
        "aug_random_deletion": ("AugmentationOverSampler(RandomDeletion(p=0.1))",
                                augmented(lambda: RandomDeletion(p=0.1)), None),
        "aug_char_noise": ("AugmentationOverSampler(CharacterNoise(p=0.05))",
                           augmented(lambda: CharacterNoise(p=0.05)), None),
    }
    if args.translation_models:
        forward, backward = args.translation_models.split(",")
        configs["aug_back_translation"] = (
            f"AugmentationOverSampler(BackTranslation({forward}, {backward}))",
            augmented(lambda: BackTranslation(forward_model=forward, backward_model=backward,
                                              device="cpu")), None)
    else:
        configs["aug_back_translation"] = (
            "AugmentationOverSampler(BackTranslation())",
            "n/a: needs a pair of translation models (e.g. Helsinki-NLP/opus-mt-en-de and "
            "-de-en), which cannot be downloaded here; none is installed (--translation-models)")
    if args.masked_lm:
        configs["aug_masked_lm"] = (
            f"AugmentationOverSampler(MaskedLMSubstitution({args.masked_lm}))",
            augmented(lambda: MaskedLMSubstitution(args.masked_lm, device="cpu")), None)
    else:
        configs["aug_masked_lm"] = (
            "AugmentationOverSampler(MaskedLMSubstitution())",
            "n/a: needs a trained fill-mask model (e.g. distilroberta-base), which cannot be "
            "downloaded here; the packaged MiniLM has no trained masked-LM head, so its "
            "substitutions would be random words (--masked-lm)")
    configs["clean"] = (
        "NearDuplicateUnderSampler() then LabelNoiseUnderSampler(estimator=word TF-IDF + "
        'LogisticRegression(class_weight="balanced"), cv=5, max_remove_fraction=0.1)',
        cleaning, None)
    return configs


def build_pipeline(samplers, class_weight, args):
    from imblearn.pipeline import make_pipeline

    return make_pipeline(*samplers, vectorizer(tuple(args.char_ngram_range)),
                         classifier(class_weight))


# ------------------------------------------------------------------- one fold


def run_fold(name, fold, train, test, X, y, args):
    """Fit one configuration on one training fold; score it on the test fold."""
    from sklearn.metrics import average_precision_score, f1_score

    warnings.filterwarnings("ignore", category=UserWarning)  # plain-copy notices: recorded
    _, factory, class_weight = configurations(args)[name]
    pipeline = build_pipeline(factory(), class_weight, args)
    start = time.perf_counter()
    pipeline.fit(X[train], y[train])
    fit_seconds = time.perf_counter() - start
    proba = pipeline.predict_proba(X[test])[:, 1]
    result = {
        "config": name,
        "fold": fold,
        "f1": float(f1_score(y[test], (proba >= 0.5).astype(int))),
        "pr_auc": float(average_precision_score(y[test], proba)),
        "fit_seconds": fit_seconds,
        "n_train": int(len(train)),
        "n_train_positive": int(y[train].sum()),
    }
    # What the samplers did: the rows the vectorizer was fitted on, and details.
    n_rows, n_pos = len(train), int(y[train].sum())
    y_cur = y[train]
    for _, step in pipeline.steps[:-2]:
        if hasattr(step, "sample_indices_"):
            if hasattr(step, "n_plain_copies_"):
                result["n_plain_copies"] = int(step.n_plain_copies_)
                result["n_augmented"] = int(step.augmented_mask_.sum())
            if hasattr(step, "n_removed_"):
                result["n_near_duplicates_removed"] = int(step.n_removed_)
                result["n_label_conflict_groups"] = len(step.conflicts_)
            if hasattr(step, "label_issues_"):
                kept = np.zeros(len(step.label_issues_), dtype=bool)
                kept[step.sample_indices_] = True
                result["n_label_noise_removed"] = int((~kept).sum())
            y_cur = y_cur[step.sample_indices_]
            n_rows, n_pos = len(y_cur), int(y_cur.sum())
    result["n_fit_rows"] = n_rows
    result["n_fit_positive"] = n_pos
    return result


# ------------------------------------------------------------------ environment


def machine_description(n_jobs):
    from importlib.metadata import version

    versions = {}
    for name, dist in (("sk_textrec", "sk-textrec"), ("scikit-learn", "scikit-learn"),
                       ("imbalanced-learn", "imbalanced-learn"), ("cleanlab", "cleanlab"),
                       ("nltk", "nltk"), ("numpy", "numpy"), ("torch", "torch"),
                       ("transformers", "transformers")):
        try:
            versions[name] = version(dist)
        except Exception:  # noqa: BLE001 - not installed
            versions[name] = None
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "n_jobs": n_jobs,
        "versions": versions,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


# ----------------------------------------------------------------------- report


SHORT_LABELS = {
    "none": "no resampling",
    "class_weight": 'class_weight="balanced"',
    "random_over": "RandomTextOverSampler",
    "aug_synonym_wordnet": "Augmentation: synonyms, WordNet",
    "aug_synonym_embedding": "Augmentation: synonyms, embedding neighbours",
    "aug_random_insertion": "Augmentation: random insertion",
    "aug_random_swap": "Augmentation: random swap",
    "aug_random_deletion": "Augmentation: random deletion",
    "aug_char_noise": "Augmentation: character noise",
    "aug_back_translation": "Augmentation: back-translation",
    "aug_masked_lm": "Augmentation: masked-LM substitution",
    "clean": "near-duplicate + label-noise cleaning",
}
PAIRED_BASELINE = "random_over"


def _paired(row, base, metric):
    """Mean ± std over folds of row - base (same folds), and folds where row is better."""
    diff = np.array([f[metric] for f in row["folds"]]) - np.array([f[metric] for f in base["folds"]])
    return f"{diff.mean():+.3f} ± {diff.std():.3f} ({int((diff > 0).sum())}/{len(diff)})"


def markdown_report(payload):
    summary, machine, rows = payload["summary"], payload["machine"], payload["configs"]
    ok = [r for r in rows if r["status"] == "ok"]
    best_f1 = max((r["f1_mean"] for r in ok), default=None)
    best_ap = max((r["pr_auc_mean"] for r in ok), default=None)
    base = next((r for r in ok if r["config"] == PAIRED_BASELINE), None)
    table = [
        "| configuration | minority F1 | PR-AUC | ΔF1 vs random copies | ΔPR-AUC vs random "
        "copies | training rows (minority) | fit s / fold |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        label = SHORT_LABELS.get(r["config"], r["config"])
        if r["status"] != "ok":
            table.append(f"| {label} | n/a | n/a | | | | |")
            continue
        f1 = f"{r['f1_mean']:.3f} ± {r['f1_std']:.3f}"
        ap = f"{r['pr_auc_mean']:.3f} ± {r['pr_auc_std']:.3f}"
        if r["f1_mean"] == best_f1:
            f1 = f"**{f1}**"
        if r["pr_auc_mean"] == best_ap:
            ap = f"**{ap}**"
        if base is None or r is base:
            d_f1 = d_ap = "-"
        else:
            d_f1, d_ap = _paired(r, base, "f1"), _paired(r, base, "pr_auc")
        table.append(
            f"| {label} | {f1} | {ap} | {d_f1} | {d_ap} | {r['fit_rows_mean']:,.0f} "
            f"({r['fit_positive_mean']:,.0f}) | {r['fit_seconds_mean']:.0f} |")
    details = []
    for r in rows:
        label = SHORT_LABELS.get(r["config"], r["config"])
        if r["status"] != "ok":
            details.append(f"  - {label}: {r['status']}")
        else:
            notes = f": {r['notes']}" if r.get("notes") else ""
            details.append(f"  - {label}: {r['label']}{notes}")
    versions = machine["versions"]
    lines = [
        *table,
        "",
        f"- {summary['n_rows']:,} reviews of {summary['data_source']} ({summary['subsample']}), "
        f"y = rating <= 2 ({summary['positive_share']:.1%} positives); "
        f"StratifiedKFold({N_FOLDS}, shuffle=True, random_state={CV_SEED}); mean ± std over "
        "the folds; best of each column in bold",
        f"- classifier: TF-IDF word (1, 2) + char_wb {tuple(summary['char_ngram_range'])} "
        "(sublinear_tf, min_df=2) -> LogisticRegression(max_iter=5000); F1 at its 0.5 "
        "threshold; Δ columns: paired difference to RandomTextOverSampler on the same folds, "
        "mean ± std (folds where this configuration is higher); samplers inside an imblearn "
        "Pipeline (training folds only); "
        f"over-samplers' sampling_strategy={summary['sampling_strategy']!r}, random_state="
        f"{summary['seed']}",
        "- training rows: what the vectorizer was fitted on after the samplers (fold mean); "
        "the configurations:",
        *details,
        f"- {machine['cpu_model']}, {machine['usable_cores']} usable cores, {machine['n_jobs']} "
        f"parallel jobs, {summary['total_seconds'] / 60:.1f} min in all; sk_textrec "
        f"{versions.get('sk_textrec')}, scikit-learn {versions.get('scikit-learn')}, "
        f"imbalanced-learn {versions.get('imbalanced-learn')}, cleanlab "
        f"{versions.get('cleanlab')}, {machine['date']}",
    ]
    return "\n".join(lines)


def summarise(name, label, folds):
    f1 = np.array([f["f1"] for f in folds])
    ap = np.array([f["pr_auc"] for f in folds])
    row = {
        "config": name,
        "label": label,
        "status": "ok",
        "f1_mean": float(f1.mean()), "f1_std": float(f1.std()),
        "pr_auc_mean": float(ap.mean()), "pr_auc_std": float(ap.std()),
        "fit_seconds_mean": float(np.mean([f["fit_seconds"] for f in folds])),
        "fit_rows_mean": float(np.mean([f["n_fit_rows"] for f in folds])),
        "fit_positive_mean": float(np.mean([f["n_fit_positive"] for f in folds])),
        "folds": folds,
    }
    notes = []
    if any("n_plain_copies" in f for f in folds):
        copies = np.mean([f["n_plain_copies"] for f in folds])
        added = np.mean([f["n_fit_rows"] - f["n_train"] for f in folds])
        notes.append(f"{added:,.0f} new minority rows per fold, {copies:,.1f} of them plain "
                     "copies (augmenter left the text unchanged)")
    if any("n_near_duplicates_removed" in f for f in folds):
        notes.append(
            f"{np.mean([f['n_near_duplicates_removed'] for f in folds]):,.1f} near-duplicate "
            f"rows and {np.mean([f['n_label_noise_removed'] for f in folds]):,.1f} likely "
            "mislabelled rows removed per fold; "
            f"{np.mean([f['n_train_positive'] - f['n_fit_positive'] for f in folds]):,.1f} "
            "of the removed rows were minority rows")
    row["notes"] = "; ".join(notes)
    return row


# ------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-rows", type=int, default=None,
                        help="stratified subsample of dev.csv (default: all rows)")
    parser.add_argument("--configs", default=None,
                        help="comma-separated subset of the configurations (default: all)")
    parser.add_argument("--sampling-strategy", default="auto",
                        help="over-samplers' sampling_strategy: 'auto' or a float ratio")
    parser.add_argument("--char-ngram-range", type=int, nargs=2, default=(2, 5))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0,
                        help="random_state of the samplers and of the subsample")
    parser.add_argument("--masked-lm", default=None,
                        help="a local fill-mask model: adds MaskedLMSubstitution")
    parser.add_argument("--translation-models", default=None,
                        help="FORWARD,BACKWARD local translation models: adds BackTranslation")
    parser.add_argument("--data", type=Path, default=None,
                        help="CSV with 'text' and 'rating' columns (default: womens_clothing_"
                        "reviews/dev.csv under $SK_TEXTREC_DATA_DIR or ../shared/data)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2,000 rows, char_wb (3, 4), four configurations")
    parser.add_argument("--report", type=Path, default=None,
                        help="print the table of an existing result JSON and exit")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"result JSON (default {DEFAULT_OUTPUT.relative_to(REPO_ROOT)}; "
                        "--quick: bench_rebalancing.quick.json in the temp folder)")
    args = parser.parse_args(argv)
    if args.sampling_strategy != "auto":
        args.sampling_strategy = float(args.sampling_strategy)
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.report is not None:
        print(markdown_report(json.loads(args.report.read_text())))
        return
    if args.quick:
        args.n_rows = args.n_rows or 2000
        args.char_ngram_range = (3, 4)
        args.configs = args.configs or "none,random_over,aug_random_swap,clean"
    if args.output is None:
        args.output = (Path(tempfile.gettempdir()) / "bench_rebalancing.quick.json"
                       if args.quick else DEFAULT_OUTPUT)
    data_path = args.data or default_data_path()
    if not data_path.is_file():
        sys.exit(f"{data_path}: no such file (use --data or SK_TEXTREC_DATA_DIR)")

    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    X, y, subsample = load_task(data_path, args.n_rows, args.seed)
    configs = configurations(args)
    names = list(configs) if args.configs is None else args.configs.split(",")
    unknown = set(names) - set(configs)
    if unknown:
        sys.exit(f"unknown configurations {sorted(unknown)}; choose from {', '.join(configs)}")
    runnable = [n for n in names if not isinstance(configs[n][1], str)]
    folds = list(StratifiedKFold(N_FOLDS, shuffle=True, random_state=CV_SEED).split(X, y))
    print(f"{len(y)} texts, {y.mean():.1%} positives; {len(runnable)} configurations x "
          f"{N_FOLDS} folds on {args.n_jobs} jobs", flush=True)

    start = time.perf_counter()
    tasks = [(name, k, train, test) for name in runnable for k, (train, test) in enumerate(folds)]
    fold_results = Parallel(n_jobs=args.n_jobs, verbose=10)(
        delayed(run_fold)(name, k, train, test, X, y, args) for name, k, train, test in tasks)
    total_seconds = time.perf_counter() - start

    rows = []
    for name in names:
        label = configs[name][0]
        if isinstance(configs[name][1], str):
            rows.append({"config": name, "label": label, "status": configs[name][1]})
            continue
        rows.append(summarise(name, label, [r for r in fold_results if r["config"] == name]))
    summary = {
        "n_rows": int(len(y)),
        "positive_share": float(y.mean()),
        "data_source": f"{data_path.parent.name}/{data_path.name}",
        "subsample": subsample,
        "char_ngram_range": list(args.char_ngram_range),
        "sampling_strategy": args.sampling_strategy,
        "seed": args.seed,
        "n_folds": N_FOLDS,
        "cv_seed": CV_SEED,
        "quick": args.quick,
        "total_seconds": total_seconds,
    }
    payload = {"machine": machine_description(args.n_jobs), "summary": summary, "configs": rows}
    report = markdown_report(payload)
    publish(payload, report, args.output)


if __name__ == "__main__":
    main()
