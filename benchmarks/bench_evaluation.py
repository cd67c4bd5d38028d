"""Worked example of sk_textrec's evaluation tools on real reviews: fairness, long tail, diversity.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_evaluation.py          # the reported numbers (~20 min on 2 cores, +6 the first time)
    .venv/bin/python benchmarks/bench_evaluation.py --quick  # smoke run: 3,000 rows, no fine-tuning

Data: the shared ``womens_clothing_reviews/dev.csv`` (``../shared/data`` beside the checkout,
``$SK_TEXTREC_DATA_DIR`` or ``--data``). Task: y = ``rating <= 2`` (10.5% of reviews) from the
review text. One split for everything, ``cold_start_split(items=clothing_id, cold_size=0.2,
test_size=0.25)``: 20% of the products are held out entirely (cold), and 25% of the other
products' reviews are test rows (warm), each of those products keeping a training review.

Models, each with its decision threshold tuned for minority F1 on its training rows
(``ThresholdTunedClassifier``):

- item history: the product's smoothed share of low ratings among its training reviews
  (an m-estimate towards the overall share, m=10): what a recommender without text knows;
- TF-IDF word 1-2-grams + ``char_wb`` 2-5-grams + ``LogisticRegression(class_weight="balanced")``;
- MiniLM embeddings (``TextEmbedder``, frozen all-MiniLM-L6-v2) + the same logistic regression;
- ``BertClassifier`` fine-tuned (all-MiniLM-L6-v2, 1 epoch on ``--bert-rows`` training reviews;
  its threshold is tuned on a held-out 20% of them).

Three reports, on the test rows:

1. fairness: ``group_classification_report`` by reviewer age band and by department
   (TPR, FPR, precision, selection rate per group; the largest gaps = equal opportunity,
   demographic parity);
2. long tail and cold start: ``popularity_buckets(test items, reference=training items)`` --
   head (most popular 20% of products), torso, tail (least popular 50%), cold (unseen) -- and
   the average precision and F1 of each model per bucket;
3. diversity vs relevance: one query per department; the candidates are the test products,
   their relevance the mean ``P(department | review)`` of a TF-IDF department classifier over
   the product's test reviews, and a product is relevant when it belongs to that department.
   ``MMRReranker`` (MMR and DPP, similarity = cosine of the product's mean MiniLM embedding)
   builds top-10 lists for ``relevance_weight`` 0, 0.1, ..., 1; NDCG@10 is plotted against
   intra-list diversity (from the embeddings, and from ``class_name`` categories).

Prints markdown tables, writes everything with the machine description to
``benchmarks/results/bench_evaluation.json`` and the plots to ``docs/img/evaluation_*.png``.
``--report FILE`` prints the tables of an existing result file and redraws its plots.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from _common import REPO_ROOT, machine_description, publish, shared_data_dir, usable_cores

DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_evaluation.json"
DEFAULT_IMG_DIR = REPO_ROOT / "docs" / "img"
DATA_RELATIVE = Path("womens_clothing_reviews") / "dev.csv"
AGE_BANDS = [(18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 120)]
BUCKETS = ["head", "torso", "tail", "cold"]
WEIGHTS = [round(w, 1) for w in np.linspace(0, 1, 11)]
K = 10


# --------------------------------------------------------------------------- data


def load_reviews(path, n_rows, seed):
    """The reviews with y = rating <= 2, age bands and departments; a subsample if ``n_rows``."""
    import pandas as pd

    frame = pd.read_csv(path, keep_default_na=False)
    if n_rows is not None and n_rows < len(frame):
        frame = frame.sample(n=n_rows, random_state=seed)
    frame = frame.reset_index(drop=True)
    frame["y"] = (frame["rating"].astype(int) <= 2).astype(int)
    frame["age_band"] = [next(f"{lo}-{hi}" if hi < 120 else f"{lo}+" for lo, hi in AGE_BANDS if lo <= a <= hi)
                         for a in frame["age"].astype(int)]
    frame["department_name"] = frame["department_name"].replace("", "(missing)")
    return frame


# --------------------------------------------------------------------------- models


class ItemHistoryClassifier(ClassifierMixin, BaseEstimator):
    """P(low rating) of a product from its training reviews: an m-estimate towards the prior.

    ``X`` is a column of product ids; products without training reviews get the prior.
    A scikit-learn classifier, so that ThresholdTunedClassifier tunes its threshold out
    of fold like the text models'.
    """

    def __init__(self, m=10.0):
        self.m = m

    def fit(self, X, y):
        items, y = np.asarray(X).ravel(), np.asarray(y)
        self.classes_ = np.array([0, 1])
        self.prior_ = y.mean()
        self.rates_ = {item: (y[items == item].sum() + self.m * self.prior_) / ((items == item).sum() + self.m)
                       for item in np.unique(items)}
        return self

    def predict_proba(self, X):
        p = np.array([self.rates_.get(item, self.prior_) for item in np.asarray(X).ravel()])
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


def tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
    ])


def balanced_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(class_weight="balanced", max_iter=5000)


def tuned(estimator, seed, cv=5, refit=True):
    from sk_textrec.model_selection import ThresholdTunedClassifier

    return ThresholdTunedClassifier(estimator, objective="f1", cv=cv, refit=refit, random_state=seed)


def embed(texts, cache_dir):
    """Unit MiniLM sentence embeddings of ``texts`` (cached across runs in ``cache_dir``)."""
    from sk_textrec import TextEmbedder

    embedder = TextEmbedder(memory=cache_dir, batch_size=64)
    return embedder.fit_transform(list(texts))


def fit_models(train, args, train_embeddings):
    """name -> (fitted model, function from a frame of rows to the model's input)."""
    from sklearn.pipeline import make_pipeline

    models = {}
    timings = {}
    start = time.perf_counter()
    models["item history"] = (tuned(ItemHistoryClassifier(), args.seed).fit(
        train[["clothing_id"]].to_numpy(), train["y"]), lambda rows: rows[["clothing_id"]].to_numpy())
    timings["item history"] = time.perf_counter() - start

    start = time.perf_counter()
    text_model = tuned(make_pipeline(tfidf(), balanced_logistic_regression()), args.seed)
    models["TF-IDF + LR"] = (text_model.fit(train["text"].tolist(), train["y"]), lambda rows: rows["text"].tolist())
    timings["TF-IDF + LR"] = time.perf_counter() - start

    start = time.perf_counter()
    embedding_model = tuned(balanced_logistic_regression(), args.seed).fit(train_embeddings, train["y"])
    models["MiniLM embeddings + LR"] = (embedding_model, lambda rows: np.vstack(rows["embedding"].to_numpy()))
    timings["MiniLM embeddings + LR"] = time.perf_counter() - start

    if args.bert_rows:
        from sklearn.model_selection import train_test_split

        from sk_textrec import BertClassifier

        start = time.perf_counter()
        rows = train if args.bert_rows >= len(train) else train_test_split(
            train, train_size=args.bert_rows, stratify=train["y"], random_state=args.seed)[0]
        bert = BertClassifier(max_epochs=args.bert_epochs, batch_size=16, lr=5e-5, random_state=args.seed,
                              verbose=1)
        models["BertClassifier (fine-tuned)"] = (
            tuned(bert, args.seed, cv=0.2, refit=False).fit(rows["text"].tolist(), rows["y"]),
            lambda rows: rows["text"].tolist())
        timings["BertClassifier (fine-tuned)"] = time.perf_counter() - start
    return models, timings


# --------------------------------------------------------------------------- reports


def evaluate(models, test):
    """Per model: scores, decisions and the overall, group and bucket reports."""
    from sk_textrec.metrics import group_classification_report, imbalance_report

    results = {}
    for name, (model, inputs) in models.items():
        start = time.perf_counter()
        scores = model.predict_proba(inputs(test))[:, 1]
        seconds = time.perf_counter() - start
        # ThresholdTunedClassifier.predict's rule for a binary target tuned on
        # predict_proba; applied here to the scores at hand rather than scoring
        # the test rows (a BERT forward pass over all of them) a second time.
        if model.response_method_ != "predict_proba" or model.pos_label_ != model.classes_[1]:
            raise RuntimeError(f"{name}: the decision rule below assumes thresholds on predict_proba[:, 1].")
        decisions = model.classes_[(scores >= model.best_threshold_).astype(int)]
        overall = imbalance_report(test["y"], decisions, y_score=scores, output_dict=True)
        results[name] = {
            "threshold": float(model.best_threshold_),
            "predict_seconds": seconds,
            "overall": {"f1": overall["1"]["f1-score"], "precision": overall["1"]["precision"],
                        "recall": overall["1"]["recall"], "average_precision": overall["average_precision"],
                        "roc_auc": overall["roc_auc"], "balanced_accuracy": overall["balanced_accuracy"],
                        "g_mean": overall["g_mean"],
                        "expected_calibration_error": overall["expected_calibration_error"]},
            **{f"by_{column}": group_classification_report(test["y"], decisions, groups=test[column],
                                                           y_score=scores, output_dict=True)
               for column in ("age_band", "department_name", "bucket", "warm_or_cold")},
        }
    return results


def item_table(test, test_embeddings, department_proba, departments):
    """One row per test product: department, class, mean embedding and mean department scores."""
    items = np.unique(test["clothing_id"])
    index = {item: i for i, item in enumerate(items)}
    rows = test["clothing_id"].map(index).to_numpy()
    counts = np.bincount(rows, minlength=items.size)[:, None]
    embedding = np.zeros((items.size, test_embeddings.shape[1]))
    np.add.at(embedding, rows, test_embeddings)
    relevance = np.zeros((items.size, len(departments)))
    np.add.at(relevance, rows, department_proba)
    first = test.groupby("clothing_id").first().loc[items]
    return {
        "items": items,
        "department": first["department_name"].to_numpy(),
        "class_name": first["class_name"].replace("", "(missing)").to_numpy(),
        "embedding": embedding / counts,
        "relevance": (relevance / counts).T,  # (n_departments, n_items)
    }


def diversity_sweep(train, test, test_embeddings, train_popularity):
    """NDCG@10 and diversity of MMR and DPP lists per department query, for each relevance_weight."""
    from sklearn.pipeline import make_pipeline

    from sk_textrec.metrics import (
        intra_list_diversity_score,
        ndcg_at_k_score,
        novelty_score,
        tail_share_score,
    )
    from sk_textrec.rerank import MMRReranker

    known = train["department_name"] != "(missing)"
    department_model = make_pipeline(tfidf(), balanced_logistic_regression())
    department_model.fit(train.loc[known, "text"].tolist(), train.loc[known, "department_name"])
    departments = department_model.classes_
    catalogue = item_table(test, test_embeddings, department_model.predict_proba(test["text"].tolist()),
                           departments)
    truth = (catalogue["department"][None, :] == departments[:, None]).astype(float)
    relevant = [set(np.flatnonzero(row).tolist()) for row in truth]
    popularity = np.array([train_popularity.get(item, 0) for item in catalogue["items"]])
    rows = []
    for strategy in ("mmr", "dpp"):
        for weight in WEIGHTS:
            reranker = MMRReranker(catalogue["embedding"], k=K, relevance_weight=weight, strategy=strategy)
            reranker.fit(catalogue["relevance"])
            start = time.perf_counter()
            lists = reranker.predict(catalogue["relevance"])
            seconds = time.perf_counter() - start
            rows.append({
                "strategy": strategy, "relevance_weight": weight, "seconds": seconds,
                "ndcg@10": ndcg_at_k_score(lists, relevant, k=K),
                "ild_embedding@10": intra_list_diversity_score(lists, item_features=catalogue["embedding"]),
                "ild_class@10": intra_list_diversity_score(lists, item_features=catalogue["class_name"],
                                                           similarity="category"),
                "novelty@10": novelty_score(lists, item_popularity=popularity),
                "tail_share@10": tail_share_score(lists, item_popularity=popularity),
            })
    return {"departments": departments.tolist(), "n_items": int(catalogue["items"].size),
            "n_relevant": [len(r) for r in relevant], "rows": rows}


# --------------------------------------------------------------------------- plots


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _grouped_bars(ax, categories, series, tick_labels):
    """One bar per (category, series) pair, the series side by side; NaN bars are left out."""
    width = 0.8 / len(series)
    for j, (label, values) in enumerate(series.items()):
        ax.bar(np.arange(len(categories)) + (j - (len(series) - 1) / 2) * width, values, width, label=label)
    ax.set_xticks(np.arange(len(categories)), tick_labels, fontsize=8)
    ax.set_ylim(0, 1)


def _save(fig, title, path):
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def plot_groups(results, img_dir):
    """TPR per age band and per department of each text model."""
    fig, axes = _pyplot().subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [6, 7]})
    names = [name for name in results if name != "item history"]
    for ax, column, title in ((axes[0], "by_age_band", "Reviewer age band"),
                              (axes[1], "by_department_name", "Department")):
        groups = [g for g in results[names[0]][column]["groups"] if g != "(missing)"]
        groups = sorted(groups) if column == "by_age_band" else groups
        series = {f"{name} (TPR gap {results[name][column]['difference']['tpr']:.2f})":
                  [results[name][column]["groups"][g]["tpr"] for g in groups] for name in names}
        positives = [results[names[0]][column]["groups"][g]["positives"] for g in groups]
        _grouped_bars(ax, groups, series, [f"{g}\n({p:.0f} pos.)" for g, p in zip(groups, positives)])
        ax.set_ylabel("true-positive rate (recall of 1-2 star reviews)")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="lower left")
    return _save(fig, "Equal opportunity: recall of low ratings per group (test rows, tuned thresholds)",
                 img_dir / "evaluation_fairness.png")


def plot_buckets(results, img_dir):
    """Average precision and F1 per popularity bucket of every model."""
    fig, axes = _pyplot().subplots(1, 2, figsize=(12, 4))
    first = next(iter(results.values()))["by_bucket"]["groups"]
    ticks = [f"{b}\n{first[b]['support']:.0f} rows, {first[b]['positives']:.0f} pos." if b in first else b
             for b in BUCKETS]
    for ax, measure, label in ((axes[0], "average_precision", "average precision (PR-AUC)"),
                               (axes[1], "f1-score", "F1 at the tuned threshold")):
        series = {name: [result["by_bucket"]["groups"].get(b, {}).get(measure, np.nan) for b in BUCKETS]
                  for name, result in results.items()}
        _grouped_bars(ax, BUCKETS, series, ticks)
        ax.set_ylabel(label)
    axes[0].legend(fontsize=7)
    return _save(fig, "Low ratings per product popularity bucket: text models work for cold products",
                 img_dir / "evaluation_long_tail.png")


def plot_diversity(sweep, img_dir):
    """NDCG@10 against intra-list diversity along the relevance_weight sweep, MMR and DPP."""
    fig, axes = _pyplot().subplots(1, 2, figsize=(12, 4.2))
    for ax, measure, label in ((axes[0], "ild_embedding@10", "intra-list diversity (MiniLM cosine)"),
                               (axes[1], "ild_class@10", "intra-list diversity (class_name)")):
        for strategy, marker in (("mmr", "o"), ("dpp", "s")):
            rows = [r for r in sweep["rows"] if r["strategy"] == strategy]
            ax.plot([r[measure] for r in rows], [r["ndcg@10"] for r in rows], marker=marker,
                    label=strategy.upper())
            for r in rows:
                if r["relevance_weight"] in (0.0, 0.5, 0.8, 1.0):
                    ax.annotate(f"{r['relevance_weight']:g}", (r[measure], r["ndcg@10"]), fontsize=7,
                                textcoords="offset points", xytext=(4, 4))
        ax.set_xlabel(label)
        ax.set_ylabel("NDCG@10")
        ax.legend()
    return _save(fig, "Top-10 products per department query: relevance vs diversity as relevance_weight goes "
                      "1 -> 0", img_dir / "evaluation_diversity.png")


def draw_plots(payload, img_dir):
    """Draw the three figures of a result payload into ``img_dir``; return their paths."""
    img_dir.mkdir(parents=True, exist_ok=True)
    paths = (plot_groups(payload["models"], img_dir), plot_buckets(payload["models"], img_dir),
             plot_diversity(payload["diversity"], img_dir))
    return [str(p.relative_to(REPO_ROOT)) if p.is_relative_to(REPO_ROOT) else str(p) for p in paths]


# --------------------------------------------------------------------------- tables


def _fmt(value, digits=3):
    return "n/a" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.{digits}f}"


def markdown_report(payload):
    results, sweep, split = payload["models"], payload["diversity"], payload["split"]
    lines = [
        f"Split: {split['train_rows']} training reviews, {split['test_rows']} test reviews "
        f"({split['cold_test_rows']} reviews of {split['cold_items']} cold products, {split['warm_test_rows']} warm "
        "reviews); "
        f"{split['test_positive_share']:.1%} of test reviews are 1-2 stars.",
        "",
        "| model | F1 | precision | recall | PR-AUC | ROC-AUC | ECE | fit s | predict_proba s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        o = result["overall"]
        lines.append(f"| {name} | {_fmt(o['f1'])} | {_fmt(o['precision'])} | {_fmt(o['recall'])} | "
                     f"{_fmt(o['average_precision'])} | {_fmt(o['roc_auc'])} | "
                     f"{_fmt(o['expected_calibration_error'])} | {payload['fit_seconds'][name]:.0f} | "
                     f"{result['predict_seconds']:.1f} |")
    for column, title in (("by_age_band", "age band"), ("by_department_name", "department")):
        first_groups = next(iter(results.values()))[column]["groups"]
        groups = sorted(first_groups) if column == "by_age_band" else list(first_groups)
        lines += ["", f"Fairness by {title}: TPR per group (positives in brackets), then the largest gaps.", "",
                  "| model | " + " | ".join(f"{g} ({first_groups[g]['positives']:.0f})" for g in groups)
                  + " | TPR gap | FPR gap | selection-rate gap |",
                  "|---|" + "---:|" * (len(groups) + 3)]
        for name, result in results.items():
            report = result[column]
            lines.append(f"| {name} | " + " | ".join(_fmt(report["groups"][g]["tpr"], 2) for g in groups)
                         + f" | {_fmt(report['difference']['tpr'])} | {_fmt(report['difference']['fpr'])} | "
                         f"{_fmt(report['difference']['selection_rate'])} |")
    first = next(iter(results.values()))["by_bucket"]["groups"]
    warm = next(iter(results.values()))["by_warm_or_cold"]["groups"]["warm"]
    lines += ["", "Long tail and cold start: PR-AUC / F1 per product bucket (rows, positives).", "",
              "| model | " + " | ".join(f"{b} ({first[b]['support']:.0f}, {first[b]['positives']:.0f})"
                                         for b in BUCKETS if b in first)
              + f" | all warm ({warm['support']:.0f}, {warm['positives']:.0f}) |",
              "|---|" + "---:|" * (sum(b in first for b in BUCKETS) + 1)]
    for name, result in results.items():
        groups = result["by_bucket"]["groups"]
        warm = result["by_warm_or_cold"]["groups"]["warm"]
        lines.append(f"| {name} | " + " | ".join(
            f"{_fmt(groups[b]['average_precision'])} / {_fmt(groups[b]['f1-score'])}" for b in BUCKETS if b in groups)
            + f" | {_fmt(warm['average_precision'])} / {_fmt(warm['f1-score'])} |")
    lines += ["", f"Diversity vs relevance: {len(sweep['departments'])} department queries over "
              f"{sweep['n_items']} test products (relevant per query: {sweep['n_relevant']}), top {K}.", "",
              "| strategy | relevance_weight | NDCG@10 | ILD (MiniLM) | ILD (class) | novelty | tail share | ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sweep["rows"]:
        lines.append(f"| {r['strategy']} | {r['relevance_weight']:.1f} | {_fmt(r['ndcg@10'])} | "
                     f"{_fmt(r['ild_embedding@10'])} | {_fmt(r['ild_class@10'])} | {_fmt(r['novelty@10'], 2)} | "
                     f"{_fmt(r['tail_share@10'], 2)} | {1000 * r['seconds']:.1f} |")
    machine = payload["machine"]
    lines += ["", f"Machine: {machine['cpu_model']}, {machine['usable_cores']} usable cores, torch threads "
              f"{machine['torch_threads']}; sk_textrec {machine['versions']['sk-textrec']}, scikit-learn "
              f"{machine['versions']['scikit-learn']}, torch {machine['versions']['torch']}, {machine['date']}."]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="the clothing reviews dev.csv")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--img-dir", type=Path, default=DEFAULT_IMG_DIR)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-rows", type=int, default=None, help="subsample the reviews")
    parser.add_argument("--bert-rows", type=int, default=6000,
                        help="training reviews of the fine-tuned BertClassifier; 0 leaves it out")
    parser.add_argument("--bert-epochs", type=int, default=1)
    parser.add_argument("--cache-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "sk_textrec_bench_cache",
                        help="joblib cache of the MiniLM embeddings")
    parser.add_argument("--quick", action="store_true",
                        help="3,000 rows, no fine-tuning, results and plots in the temp folder")
    parser.add_argument("--report", type=Path, default=None,
                        help="print the tables of a result file and redraw its plots into --img-dir")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_rows, args.bert_rows = args.n_rows or 3000, 0
        quick_dir = Path(tempfile.gettempdir()) / "sk_textrec_bench_quick"
        args.output, args.img_dir = quick_dir / "bench_evaluation.json", quick_dir
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.report is not None:
        payload = json.loads(args.report.read_text())
        print(markdown_report(payload))
        draw_plots(payload, args.img_dir)
        return
    import torch

    from sk_textrec.model_selection import cold_start_split, popularity_buckets

    torch.set_num_threads(usable_cores())
    path = args.data or shared_data_dir() / DATA_RELATIVE
    frame = load_reviews(path, args.n_rows, args.seed)
    start = time.perf_counter()
    embeddings = embed(frame["text"], str(args.cache_dir))
    embed_seconds = time.perf_counter() - start
    print(f"embedded {len(frame)} reviews in {embed_seconds:.0f} s")
    frame["embedding"] = list(embeddings)
    train, test = cold_start_split(frame, items=frame["clothing_id"].to_numpy(), cold_size=0.2, test_size=0.25,
                                   random_state=args.seed)
    test = test.copy()
    test["bucket"] = popularity_buckets(test["clothing_id"], reference=train["clothing_id"])
    test["warm_or_cold"] = np.where(test["bucket"] == "cold", "cold", "warm")
    train_embeddings = np.vstack(train["embedding"].to_numpy())
    models, fit_seconds = fit_models(train, args, train_embeddings)
    results = evaluate(models, test)
    train_popularity = train["clothing_id"].value_counts().to_dict()
    sweep = diversity_sweep(train, test, np.vstack(test["embedding"].to_numpy()), train_popularity)
    cold = test["bucket"] == "cold"
    payload = {
        "machine": machine_description(["sk-textrec", "scikit-learn", "imbalanced-learn", "numpy", "torch",
                                        "transformers", "skorch"], torch_threads=torch.get_num_threads()),
        "settings": {"seed": args.seed, "n_rows": len(frame), "bert_rows": args.bert_rows,
                     "bert_epochs": args.bert_epochs, "k": K, "data": str(path)},
        "split": {"train_rows": len(train), "test_rows": len(test),
                  "cold_items": int(test.loc[cold, "clothing_id"].nunique()),
                  "cold_test_rows": int(cold.sum()), "warm_test_rows": int((~cold).sum()),
                  "test_positive_share": float(test["y"].mean()), "embed_seconds": embed_seconds},
        "fit_seconds": fit_seconds,
        "models": results,
        "diversity": sweep,
    }
    payload["plots"] = draw_plots(payload, args.img_dir)
    publish(payload, markdown_report(payload), args.output)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
