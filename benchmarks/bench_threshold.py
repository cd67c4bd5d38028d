"""Benchmark ThresholdTunedClassifier against scikit-learn's TunedThresholdClassifierCV.

Three parts, one run:

1. quality: womens_clothing_reviews dev.csv, y = rating <= 2, TF-IDF + LogisticRegression,
   5-fold tuning on a stratified 75% split, F1 (and the constraint objectives) on the 25% held out;
2. speed: the threshold search alone on n = 1e4, 1e5, 1e6 synthetic scores, with a frozen
   estimator so that no fitting is timed (target: >= 10x faster at 1e6, objective >= sklearn's);
3. multiclass: macro-F1 before and after tuning the class offsets, amazon_uk_toy_products
   category_l1 (categories under 150 rows mapped to "other"), TF-IDF + LogisticRegression.

Run ``python benchmarks/bench_threshold.py [--quick] [--data DIR]``; it prints markdown
tables and writes ``benchmarks/results/bench_threshold.json``.
"""

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, shared_data_dir


class _ScoreEcho:
    """Fitted classifier whose positive-class probability is ``X[:, 0]``."""

    classes_ = np.array([0, 1])

    def __sklearn_is_fitted__(self):
        return True

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        p = np.asarray(X)[:, 0]
        return np.column_stack([1 - p, p])

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def __sklearn_tags__(self):
        from sklearn.base import BaseEstimator, ClassifierMixin

        class _C(ClassifierMixin, BaseEstimator):
            pass

        return _C().__sklearn_tags__()


def _machine():
    import sklearn
    import sk_textrec

    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "sk_textrec": sk_textrec.__version__,
    }


def _tfidf_lr():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(min_df=2, ngram_range=(1, 2), sublinear_tf=True),
                         LogisticRegression(C=4.0, max_iter=1000))


def bench_quality(data_dir, quick):
    import pandas as pd
    from sklearn.metrics import f1_score, precision_score, recall_score
    from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split

    from sk_textrec.model_selection import ThresholdTunedClassifier

    df = pd.read_csv(data_dir / "womens_clothing_reviews" / "dev.csv", keep_default_na=False)
    if quick:
        df = df.sample(4000, random_state=0)
    X = (df["title"].astype(str) + ". " + df["text"].astype(str)).tolist()
    y = (df["rating"] <= 2).astype(int).to_numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    rows = []

    def report(name, model, seconds):
        y_pred = model.predict(X_te)
        rows.append({
            "method": name, "threshold": float(model.best_threshold_),
            "f1": f1_score(y_te, y_pred), "precision": precision_score(y_te, y_pred),
            "recall": recall_score(y_te, y_pred), "fit_s": seconds,
        })

    start = time.perf_counter()
    base = _tfidf_lr().fit(X_tr, y_tr)
    y_pred = base.predict(X_te)
    rows.append({"method": "untuned (0.5)", "threshold": 0.5, "f1": f1_score(y_te, y_pred),
                 "precision": precision_score(y_te, y_pred), "recall": recall_score(y_te, y_pred),
                 "fit_s": time.perf_counter() - start})
    for name, model in [
        ("sklearn TunedThresholdClassifierCV f1", TunedThresholdClassifierCV(_tfidf_lr(), scoring="f1", cv=5)),
        ("ours f1", ThresholdTunedClassifier(_tfidf_lr(), objective="f1", cv=5)),
        ("ours recall @ precision>=0.6", ThresholdTunedClassifier(
            _tfidf_lr(), objective="recall", constraint={"precision": 0.6}, cv=5)),
        ("ours precision @ recall>=0.8", ThresholdTunedClassifier(
            _tfidf_lr(), objective="precision", constraint={"recall": 0.8}, cv=5)),
        ("ours cost FN=5, FP=1", ThresholdTunedClassifier(
            _tfidf_lr(), objective="cost", cost_matrix=[[0, 1], [5, 0]], cv=5)),
    ]:
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        report(name, model, time.perf_counter() - start)
    return {"n_train": len(y_tr), "n_test": len(y_te), "prevalence": float(y.mean()), "rows": rows}


def bench_speed(sizes, repeats):
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import TunedThresholdClassifierCV

    from sk_textrec.model_selection import ThresholdTunedClassifier

    rows = []
    for n in sizes:
        rng = np.random.RandomState(0)
        y = (rng.uniform(size=n) < 0.1).astype(int)
        X = (1 / (1 + np.exp(-(rng.normal(size=n) + 1.5 * y - 1)))).reshape(-1, 1)
        frozen = FrozenEstimator(_ScoreEcho())
        times = {}
        for name, make in [
            ("ours", lambda: ThresholdTunedClassifier(frozen, objective="f1")),
            ("sklearn", lambda: TunedThresholdClassifierCV(frozen, scoring="f1", cv="prefit", refit=False)),
        ]:
            best = np.inf
            for _ in range(repeats if n < 10**6 or name == "ours" else 1):
                model = make()
                start = time.perf_counter()
                model.fit(X, y)
                best = min(best, time.perf_counter() - start)
            times[name] = (best, float(model.best_score_))
        rows.append({
            "n": n, "ours_s": times["ours"][0], "sklearn_s": times["sklearn"][0],
            "speedup": times["sklearn"][0] / times["ours"][0],
            "ours_f1": times["ours"][1], "sklearn_f1": times["sklearn"][1],
        })
    return rows


def bench_multiclass(data_dir, quick):
    import pandas as pd
    from sklearn.metrics import balanced_accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from sk_textrec.model_selection import ThresholdTunedClassifier

    df = pd.read_csv(data_dir / "amazon_uk_toy_products" / "dev.csv", keep_default_na=False)
    counts = df["category_l1"].value_counts()
    y = df["category_l1"].where(df["category_l1"].map(counts) >= 150, "other").to_numpy()
    X = df["text"].astype(str).tolist()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    cv = 3 if quick else 5
    start = time.perf_counter()
    base = _tfidf_lr().fit(X_tr, y_tr)
    base_s = time.perf_counter() - start
    rows = [{"method": "untuned argmax", "macro_f1": f1_score(y_te, base.predict(X_te), average="macro"),
             "balanced_accuracy": balanced_accuracy_score(y_te, base.predict(X_te)), "fit_s": base_s}]
    for objective in ("f1", "balanced_accuracy"):
        model = ThresholdTunedClassifier(_tfidf_lr(), objective=objective, cv=cv)
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        y_pred = model.predict(X_te)
        rows.append({"method": f"offsets tuned for {objective}", "macro_f1": f1_score(y_te, y_pred, average="macro"),
                     "balanced_accuracy": balanced_accuracy_score(y_te, y_pred),
                     "fit_s": time.perf_counter() - start, "n_iter": int(model.n_iter_)})
    return {"n_classes": int(np.unique(y).size), "n_train": len(y_tr), "n_test": len(y_te), "rows": rows}


def _table(rows, columns):
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for c in columns:
            v = row.get(c, "")
            cells.append(f"{v:.4g}" if isinstance(v, float) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = shared_data_dir()
    parser.add_argument("--data", type=Path, default=Path(default_data), help="shared data folder")
    parser.add_argument("--quick", action="store_true", help="subsample the data, smaller n for speed")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "benchmarks" / "results" / "bench_threshold.json")
    args = parser.parse_args(argv)

    sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6]
    results = {"machine": _machine(), "quick": args.quick}
    results["speed"] = bench_speed(sizes, repeats=3)
    print("## Threshold search alone (frozen estimator), F1\n")
    print(_table(results["speed"], ["n", "ours_s", "sklearn_s", "speedup", "ours_f1", "sklearn_f1"]))
    last = results["speed"][-1]
    passed = last["speedup"] >= 10 and last["ours_f1"] >= last["sklearn_f1"] - 1e-12
    results["speed_target"] = {"n": last["n"], "passed": bool(passed)}
    print(f"\nTarget >= 10x faster at n={last['n']} with F1 >= sklearn's: {'PASS' if passed else 'FAIL'}\n")

    results["quality"] = bench_quality(args.data, args.quick)
    q = results["quality"]
    print(f"## Quality: womens_clothing_reviews, rating <= 2 (prevalence {q['prevalence']:.3f}), "
          f"{q['n_train']} train / {q['n_test']} held out\n")
    print(_table(q["rows"], ["method", "threshold", "f1", "precision", "recall", "fit_s"]))

    results["multiclass"] = bench_multiclass(args.data, args.quick)
    m = results["multiclass"]
    print(f"\n## Multiclass: amazon_uk_toy_products category_l1, {m['n_classes']} classes, "
          f"{m['n_train']} train / {m['n_test']} held out\n")
    print(_table(m["rows"], ["method", "macro_f1", "balanced_accuracy", "fit_s", "n_iter"]))

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print(f"\nwrote {args.output}")
    return results


if __name__ == "__main__":
    main()
