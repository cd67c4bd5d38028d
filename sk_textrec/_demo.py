"""``python -m sk_textrec demo``: fine-tune BERT on a rare class and report it.

The demo is meant to be read: it says what data it uses, how rare the rare
class is, where the model trains, and prints per-class metrics of the
fine-tuned BERT beside a TF-IDF baseline, because accuracy alone hides a rare
class that is never predicted.
"""

import os
import sys
import time
from contextlib import contextmanager
from functools import partial

import numpy as np

DEFAULT_N_SAMPLES = 1200
DEFAULT_POSITIVE_RATE = 0.1
TEST_SIZE = 0.25
# Layers of the encoder fine-tuned, below the head (see _bert_classifier).
TRAINED_LAYERS = 2
# 97% of the synthetic reviews fit in 64 tokens; on longer reviews (a CSV) the
# cut bounds the cost of a batch, which is padded to its longest row.
DEFAULT_MAX_LENGTH = 64


def load_demo_data(data=None, *, text_col="text", label_col="recommended_ind",
                   n_samples=None, seed=0, encoding="utf-8-sig"):
    """Texts, labels and a one-line description of where they come from.

    Synthetic reviews when ``data`` is None, otherwise the CSV file ``data``;
    ``n_samples`` rows of it are drawn, stratified, when it is given and smaller.
    """
    from sklearn.utils import resample

    from .datasets import load_reviews_csv, make_product_reviews

    if data is None:
        n_samples = DEFAULT_N_SAMPLES if n_samples is None else n_samples
        texts, y = make_product_reviews(
            n_samples, positive_rate=DEFAULT_POSITIVE_RATE, random_state=seed
        )
        _check_splittable(y)
        return texts, y, (
            f"{n_samples} synthetic product reviews (make_product_reviews, seed {seed}); "
            "label 1 = negative review (1-2 stars), label 0 = 3-5 stars."
        )
    texts, y = load_reviews_csv(data, text_col=text_col, label_col=label_col, encoding=encoding)
    description = f"{len(texts)} reviews from {data} (text: {text_col!r}, label: {label_col!r})"
    if n_samples is not None and n_samples < len(texts):
        texts, y = resample(
            texts, y, replace=False, n_samples=n_samples, stratify=y, random_state=seed
        )
        description += f", of which a stratified sample of {n_samples} is used"
    _check_splittable(y)
    return texts, y, description + "."


def check_model_and_device(model, device):
    """The model folder or hub id of ``--model`` (None stays None: the packaged MiniLM).

    Raises the package's ValueError for a model folder that does not exist
    and for a device this machine does not have, and its OSError for a model
    that cannot be loaded (its config is read here, the weights in training).
    """
    from .utils._device import resolve_device
    from .utils._model_source import resolve_model_source

    resolve_device(device)
    if model is None:
        return None
    model = resolve_model_source(model, input_name="--model")
    _frozen_layers(model)
    return model


def _plain(label):
    """A numpy scalar as the Python value it holds, so that it prints as ``1``."""
    return label.item() if isinstance(label, np.generic) else label


def _check_splittable(y):
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise ValueError(
            f"The demo needs at least 2 classes; the labels are all {_plain(classes[0])!r}. "
            "Use more rows (--n-samples)."
        )
    few = [f"{_plain(label)!r} ({count})" for label, count in zip(classes, counts) if count < 2]
    if few:
        raise ValueError(
            f"Classes {', '.join(few)} have fewer than 2 rows, too few for a stratified "
            "train/test split. Merge or remove them, or use more rows (--n-samples)."
        )
    return classes, counts


def _frozen_layers(model):
    """``freeze`` value that leaves the top ``TRAINED_LAYERS`` layers trainable."""
    from transformers import AutoConfig

    from .utils._model_source import model_load_errors

    with model_load_errors(model, input_name="--model"):
        n_layers = getattr(AutoConfig.from_pretrained(model), "num_hidden_layers", None)
    if n_layers is None:  # not a BERT-like config: train every layer
        return "embeddings", "all layers"
    trained = f"top {min(TRAINED_LAYERS, n_layers)} of {n_layers} layers"
    return max(n_layers - TRAINED_LAYERS, 0), trained


@contextmanager
def _torch_threads(threads):
    """Run with ``threads`` torch threads, or as many as there are idle cores.

    On a shared machine torch's default (one thread per core) is slow: threads
    wait for each other while other processes hold the cores; one thread then
    trains about twice as fast. The 1-minute load average tells how many cores
    are idle. The previous setting is restored on exit.
    """
    import torch

    previous = torch.get_num_threads()
    if threads is None:
        try:
            busy = os.getloadavg()[0]
        except (AttributeError, OSError):  # no load average (Windows)
            busy = 0.0
        threads = max(1, min(previous, round((os.cpu_count() or 1) - busy)))
    torch.set_num_threads(threads)
    try:
        yield threads
    finally:
        torch.set_num_threads(previous)


def _bert_classifier(model, *, freeze, max_epochs, max_length, device, seed):
    from .models import BertClassifier

    # Focal loss keeps learning from the rare class once the easy majority rows
    # are fitted; balanced class weights make the rare class weigh as much in
    # total as the majority (without them, rare-class recall on the synthetic
    # reviews fell from about 0.8 to 0.3). Only the top 2 of MiniLM's 6 layers and the head
    # are trained: an epoch costs about half as much on a CPU, and on the
    # synthetic reviews it matched full fine-tuning (a higher lr makes up for
    # fewer trainable weights).
    return BertClassifier(
        model,
        loss="focal",
        class_weight="balanced",
        max_length=max_length,
        max_epochs=max_epochs,
        lr=2e-4,
        freeze=freeze,
        device=device,
        random_state=seed,
        verbose=1,
    )


def _describe_max_length(bert, *, max_length):
    """The cut really used: ``max_length_`` is ``max_length`` capped at what the model takes."""
    line = f"  texts were cut at {bert.max_length_} tokens"
    if bert.max_length_ < max_length:
        line += f" (--max-length {max_length} is more than the model's limit)"
    return line


def _tfidf_baseline(seed):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(class_weight="balanced", max_iter=1000, random_state=seed),
    )


def _evaluate(model, X_test, y_test, rare):
    """Report text and summary metrics of a fitted classifier on the test set."""
    from imblearn.metrics import classification_report_imbalanced
    from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score

    start = time.perf_counter()
    proba = model.predict_proba(X_test)
    y_pred = model.classes_[np.argmax(proba, axis=1)]
    scores = {
        "predict_s": time.perf_counter() - start,
        "balanced_accuracy": balanced_accuracy_score(y_test, y_pred),
        "macro_f1": f1_score(y_test, y_pred, average="macro", zero_division=0),
        "rare_f1": f1_score(y_test == rare, y_pred == rare, zero_division=0),
        "rare_recall": np.mean(y_pred[y_test == rare] == rare),
        "pr_auc": np.nan,
    }
    if len(model.classes_) == 2:
        rare_column = list(model.classes_).index(rare)
        scores["pr_auc"] = average_precision_score(y_test == rare, proba[:, rare_column])
    report = classification_report_imbalanced(y_test, y_pred, digits=3, zero_division=0)
    return report, scores


def _print_report(out, name, report, scores, rare):
    out(f"\n--- {name}: per-class report on the test set ---")
    out("(pre = precision, rec = recall, spe = specificity, geo = geometric mean of rec "
        "and spe, iba = index of balanced accuracy, sup = support)")
    out(report.rstrip())
    out(f"balanced accuracy: {scores['balanced_accuracy']:.3f}")
    if np.isnan(scores["pr_auc"]):
        out("PR-AUC: not computed (only for binary labels)")
    else:
        out(f"PR-AUC (average precision) of the rare class {rare!r}: {scores['pr_auc']:.3f}")


def _fit_and_report(out, name, model, split, rare, describe_fit=None):
    """Fit ``model`` on the training part, print its report; the summary scores.

    ``describe_fit(model)``, if given, is a line printed after fitting: what the
    fitted model really used.
    """
    X_train, X_test, y_train, y_test = split
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    if describe_fit is not None:
        out(describe_fit(model))
    report, scores = _evaluate(model, X_test, y_test, rare)
    _print_report(out, name, report, scores, rare)
    return {**scores, "fit_s": fit_s}


def _print_summary(out, results, rare):
    out(f"\n=== Summary (test set; rare class {rare!r}) ===")
    header = (f"{'model':<38}{'bal.acc':>9}{'macroF1':>9}{'rareF1':>8}"
              f"{'rareRec':>9}{'PR-AUC':>8}{'fit s':>8}")
    out(header)
    out("-" * len(header))
    for name, scores in results:
        pr_auc = "-" if np.isnan(scores["pr_auc"]) else f"{scores['pr_auc']:.3f}"
        out(f"{name:<38}{scores['balanced_accuracy']:>9.3f}{scores['macro_f1']:>9.3f}"
            f"{scores['rare_f1']:>8.3f}{scores['rare_recall']:>9.3f}{pr_auc:>8}"
            f"{scores['fit_s']:>8.1f}")


def run_demo(texts, y, *, description, model=None, max_epochs=2,
             max_length=DEFAULT_MAX_LENGTH, device="auto", threads=None, seed=0,
             file=None):
    """Split, train the baseline and BertClassifier, print their reports.

    ``texts`` and ``y`` come from :func:`load_demo_data`; ``model`` is a model
    folder or name (None: the packaged MiniLM); ``threads`` is the number of
    torch threads (None: the idle cores); ``file`` receives the report (None:
    stdout). Returns the summary scores per model, ``{name: scores}``.
    """
    from sklearn.model_selection import train_test_split

    from .utils._device import resolve_device
    from .utils._optional import default_model_path

    out = partial(print, file=file or sys.stdout, flush=True)
    demo_start = time.perf_counter()
    out(f"Data: {description}")
    classes, counts = _check_splittable(y)
    rare = _plain(classes[np.argmin(counts)])
    out(f"Class balance ({len(y)} rows, {len(classes)} classes; rare class {rare!r}):")
    width = max(len(repr(_plain(label))) for label in classes)
    for label, count in zip(classes, counts):
        out(f"  {_plain(label)!r:<{width}} {count:7d} rows {count / len(y):7.1%}")

    X_train, X_test, y_train, y_test = train_test_split(
        texts, y, test_size=TEST_SIZE, stratify=y, random_state=seed
    )
    out(f"Stratified split: {len(y_train)} training rows, {len(y_test)} test rows "
        f"({int(np.sum(y_test == rare))} of the rare class).")

    split = (X_train, X_test, y_train, y_test)
    name = "TF-IDF + balanced LogisticRegression"
    out(f"\nTraining the baseline: {name} ...")
    results = [(name, _fit_and_report(out, name, _tfidf_baseline(seed), split, rare))]

    device_ = resolve_device(device)
    model_label = "all-MiniLM-L6-v2 (packaged)" if model is None else str(model)
    source = default_model_path() if model is None else model
    name = "BertClassifier (focal, balanced)"
    freeze, trained = _frozen_layers(source)
    out(f"\nFine-tuning {name}")
    out(f"  model: {model_label}; device: {device_}; training the {trained} and the "
        f"head for {max_epochs} epoch(s)")
    bert = _bert_classifier(
        source, freeze=freeze, max_epochs=max_epochs, max_length=max_length,
        device=device_, seed=seed,
    )
    with _torch_threads(threads) as n_threads:
        if device_ == "cpu":
            out(f"  (on the CPU with {n_threads} torch thread(s) for {os.cpu_count()} cores "
                "and their current load: this is the slow part)")
        results.append((name, _fit_and_report(out, name, bert, split, rare,
                                              partial(_describe_max_length, max_length=max_length))))

    _print_summary(out, results, rare)
    out(f"\nDemo finished in {time.perf_counter() - demo_start:.0f} s.")
    return dict(results)
