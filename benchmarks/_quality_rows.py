"""The rows of bench_quality.py: a registry of named models, each on one task, target and input form.

A row either *builds* an unfitted scikit-learn estimator (``build(ctx)``; the benchmark fits it
on the training part, scores the test part and, for a ``ThresholdTunedClassifier`` with
``cv=<float>, refit=False``, also its held-out rows) or *runs* itself (``run(ctx, split)``
returns an ``Outcome``: for models outside our venv, or rows computed from other rows' saved
scores). Adding a row is one ``_add(Row(...))`` call; the order of the calls is the run order.
"""

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from _quality_tasks import INPUT_FORMS, SEED, TASKS, take, unk_coverage
from bench_evaluation import balanced_logistic_regression, tfidf  # the TF-IDF of docs/evaluation.md

WORKER = Path(__file__).resolve().parent / "_setfit_worker.py"
# The input form of a model input: a DataFrame holds the title + text columns.
INPUT_FORMS_OF_X = {False: "text", True: "title+text"}
# The targets, as gains over the title + text TF-IDF row of the same target.
REFERENCE = {("clothing", "low"): "tfidf-title-text-low", ("clothing", "notrec"): "tfidf-title-text-notrec"}
TARGETS = {("clothing", "low"): {"f1": 0.06, "average_precision": 0.07}, ("clothing", "notrec"): {"f1": 0.05}}
# The fine-tuning settings of bench_evaluation.py; ablation rows run one epoch.
BERT_SETTINGS = {"max_epochs": 1, "batch_size": 16, "lr": 5e-5, "max_length": 128}
HOLDOUT = 0.2


@dataclass
class Context:
    """What rows may use besides their split: the model, caches and the output folder."""

    model_path: str
    model_label: str
    cache_dir: Path
    out_dir: Path
    setfit_python: Path


@dataclass
class Outcome:
    """A row's predictions on the test part (columns of ``proba`` in the order of ``classes``)."""

    proba: np.ndarray
    classes: np.ndarray
    decisions: np.ndarray
    decision_rule: str
    threshold: Optional[float]
    fit_seconds: float
    predict_seconds: float
    holdout_rows: Optional[np.ndarray] = None  # positions in the training part
    holdout_proba: Optional[np.ndarray] = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One benchmark row; exactly one of ``build`` and ``run`` is given.

    ``fit_params(train_frame) -> dict`` adds arguments to ``fit`` (e.g. auxiliary targets
    routed through a ThresholdTunedClassifier); ``describe(ctx, frame) -> dict`` adds facts
    about the data to the row's ``extra``; ``attacks`` names entries of ``ATTACKS`` whose
    edited test texts the fitted model is also scored on. ``minutes`` is the expected time
    on 2 cores.
    """

    name: str
    task: str
    target: str
    description: str
    inputs: str = "text"
    minutes: float = 1.0
    build: Optional[Callable] = None
    run: Optional[Callable] = None
    fit_params: Optional[Callable] = None
    describe: Optional[Callable] = None
    attacks: tuple = ()

    def __post_init__(self):
        if (self.build is None) == (self.run is None):
            raise ValueError(f"Row {self.name!r}: give exactly one of build and run.")
        if self.target not in TASKS[self.task].targets or self.inputs not in INPUT_FORMS:
            raise ValueError(f"Row {self.name!r}: unknown target {self.target!r} or inputs {self.inputs!r}.")


ROWS = {}


def _synonym_attack(ctx):
    from sk_textrec.augmentation import EmbeddingNeighbourSynonyms, SynonymReplacement

    return SynonymReplacement(p=0.1, synonyms=EmbeddingNeighbourSynonyms(ctx.model_path))


def _noise_attack(ctx):
    from sk_textrec.augmentation import CharacterNoise

    return CharacterNoise(p=0.05)


# Our own augmenters as the attack on the test texts (every text field, seeded): the
# robustness half of adversarial training's measurement.
ATTACKS = {"character-noise": _noise_attack, "synonym-replacement": _synonym_attack}


def attacked(X, augmenter):
    """``X`` with ``augmenter`` applied to every text field (seed 0), in the same form."""
    if hasattr(X, "columns"):
        edited = X.copy()
        for i, column in enumerate(X.columns):
            edited[column] = augmenter.augment(X[column].tolist(), random_state=SEED + i)
        return edited
    return augmenter.augment(list(X), random_state=SEED)


def _add(row):
    if row.name in ROWS:
        raise ValueError(f"Row {row.name!r} is registered twice.")
    ROWS[row.name] = row


# --------------------------------------------------------------------------- estimators


def tuned(estimator, objective="f1", cv=5, refit=True):
    from sk_textrec.model_selection import ThresholdTunedClassifier

    return ThresholdTunedClassifier(estimator, objective=objective, cv=cv, refit=refit, random_state=SEED)


def features(inputs):
    """Word + char TF-IDF of the text, or of each field side by side for several fields."""
    columns = INPUT_FORMS[inputs]
    if len(columns) == 1:
        return tfidf()
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer([(column, tfidf(), column) for column in columns])


def tfidf_lr(inputs="text"):
    from sklearn.pipeline import make_pipeline

    return make_pipeline(features(inputs), balanced_logistic_regression())


def char_tfidf_lr():
    """Character 1-3-grams: Chinese has no spaces for word or ``char_wb`` n-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
                         balanced_logistic_regression())


def frozen_minilm_lr(ctx):
    """Embeddings (encoded once per call, cached) -> balanced LR with its threshold tuned on 5 folds."""
    from sklearn.pipeline import make_pipeline

    from sk_textrec import TextEmbedder

    return make_pipeline(TextEmbedder(ctx.model_path, memory=str(ctx.cache_dir), batch_size=64),
                         tuned(balanced_logistic_regression()))


def bert(ctx, **params):
    from sk_textrec import BertClassifier

    return BertClassifier(ctx.model_path, **{**BERT_SETTINGS, **params}, random_state=SEED, verbose=1)


def bert_tuned(**params):
    """BertClassifier with its threshold tuned on a held-out 20% of the training part (one fine-tune)."""
    return lambda ctx: tuned(bert(ctx, **params), cv=HOLDOUT, refit=False)


def bert_tuned_with_auxiliary(**params):
    """As bert_tuned, with the BertClassifier asking for ``auxiliary_targets`` (metadata routing)."""
    def build(ctx):
        import sklearn

        with sklearn.config_context(enable_metadata_routing=True):
            model = bert(ctx, **params).set_fit_request(auxiliary_targets=True, sample_weight=False)
        return tuned(model, cv=HOLDOUT, refit=False)

    return build


def clothing_auxiliary_targets(train):
    """Denser labels of the same reviews: not recommended (18%) and the 5-class star rating."""
    return {"auxiliary_targets": np.column_stack([(train["recommended_ind"].astype(int) == 0).astype(int),
                                                  train["rating"].astype(int)])}


def preset(name, **params):
    """The shipped preset ``name`` (sk_textrec.make_rare_class_classifier), as a user gets it."""
    def build(ctx):
        from sk_textrec import make_rare_class_classifier

        model = make_rare_class_classifier(name, model_name_or_path=ctx.model_path, random_state=SEED,
                                           verbose=1)
        return model.set_params(**params)

    return build


def blend_with_tfidf(*bert_rows):
    """BERT rows + TF-IDF blended on the BERT rows' held-out rows, from their saved scores.

    The TF-IDF model is refitted on the training rows the BERTs trained on (the rows outside
    their common holdout), so that no model has seen the holdout; a logistic regression on the
    log-odds is learned there. Its F1 threshold is chosen on cross-fitted (5-fold) predictions
    of the holdout, then the blend is refitted on the whole holdout: no row decides its own
    weight or threshold.
    """
    def run(ctx, split):
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        saved = [np.load(ctx.out_dir / f"{row}.npz") for row in bert_rows]
        held = saved[0]["holdout_rows"]
        for row, scores in zip(bert_rows, saved):
            if not np.array_equal(scores["holdout_ids"], split.ids_train[held].astype(str)):
                raise RuntimeError(f"{row}'s holdout is not this split's; rerun it first.")
        fit_rows = np.setdiff1d(np.arange(len(split.y_train)), held)
        start = time.perf_counter()
        sparse = tfidf_lr(INPUT_FORMS_OF_X[split.X_train.__class__.__name__ == "DataFrame"]).fit(
            take(split.X_train, fit_rows), split.y_train[fit_rows])

        def features(bert_probas, X):
            logits = [np.log(np.clip(p[:, 1], 1e-7, 1)) - np.log(np.clip(p[:, 0], 1e-7, 1)) for p in bert_probas]
            return np.column_stack([*logits, sparse.decision_function(X)])

        Z_held = features([scores["holdout_proba"] for scores in saved], take(split.X_train, held))
        y_held = split.y_train[held]
        blender = LogisticRegression()
        crossed = cross_val_predict(blender, Z_held, y_held, method="predict_proba",
                                    cv=StratifiedKFold(5, shuffle=True, random_state=SEED))[:, 1]
        threshold, holdout_f1 = best_f1_threshold(y_held, crossed)
        blender.fit(Z_held, y_held)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        proba = blender.predict_proba(features([scores["test_proba"] for scores in saved], split.X_test))
        predict_seconds = time.perf_counter() - start
        bert_fit_minutes = {row: json.loads((ctx.out_dir / f"{row}.json").read_text())["fit_minutes"]
                            for row in bert_rows}
        return Outcome(proba=proba, classes=np.array([0, 1]), decisions=(proba[:, 1] >= threshold).astype(int),
                       decision_rule="tuned threshold", threshold=threshold, fit_seconds=fit_seconds,
                       predict_seconds=predict_seconds, holdout_rows=held, holdout_proba=blender.predict_proba(Z_held),
                       extra={"blend": {"weights": dict(zip([*bert_rows, "tfidf"], blender.coef_[0].tolist())),
                                        "intercept": float(blender.intercept_[0]), "holdout_f1": holdout_f1,
                                        "bert_fit_minutes": bert_fit_minutes,
                                        "note": "fit/predict seconds exclude the BERT rows' own"}})

    return run


def holdout_rows(y, size=HOLDOUT):
    """The held-out rows of ``ThresholdTunedClassifier(cv=size, random_state=SEED)`` on ``y``."""
    from sklearn.model_selection import StratifiedShuffleSplit

    return next(StratifiedShuffleSplit(n_splits=1, test_size=size, random_state=SEED)
                .split(np.zeros(len(y)), y))[1]


def best_f1_threshold(y, score):
    """The score threshold (``score >= t`` is positive) of the largest F1 on ``(y, score)``."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, score)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(precision),
                   where=precision + recall > 0)[:-1]
    return float(thresholds[np.argmax(f1)]), float(f1.max())


# --------------------------------------------------------------------------- SetFit


def run_setfit(ctx, split):
    """SetFit (contrastive fine-tuning of the sentence encoder, then an LR head) in its own venv.

    It trains on the same 80% of the training part as the tuned BERT rows, with pair
    sampling capped at one pass over those texts (one BERT epoch's worth of encoder
    passes); the F1 threshold is chosen on the other 20%.
    """
    if not ctx.setfit_python.exists():
        raise RuntimeError(f"SetFit's venv is missing ({ctx.setfit_python}); create it with `python -m venv "
                           "/work/venvs/setfit && /work/venvs/setfit/bin/pip install torch==2.13.0 setfit` "
                           "(a separate venv, so that our pins stay untouched).")
    held = holdout_rows(split.y_train)
    fit_rows = np.setdiff1d(np.arange(len(split.y_train)), held)
    batch_size = 16
    settings = {"batch_size": batch_size, "max_steps": int(np.ceil(len(fit_rows) / (2 * batch_size))),
                "num_epochs": 1, "sampling_strategy": "oversampling", "body_learning_rate": 2e-5,
                "max_length": BERT_SETTINGS["max_length"],
                "head": "LogisticRegression (SetFit's default)", "fit_rows": int(len(fit_rows))}
    with tempfile.TemporaryDirectory() as folder:
        request = Path(folder) / "request.json"
        request.write_text(json.dumps({
            "model": ctx.model_path, "seed": SEED, "settings": settings, "output": str(Path(folder) / "out.npz"),
            "train_texts": take(split.X_train, fit_rows), "train_labels": split.y_train[fit_rows].tolist(),
            "holdout_texts": take(split.X_train, held), "test_texts": list(split.X_test),
        }))
        completed = subprocess.run([str(ctx.setfit_python), str(WORKER), str(request)], stdout=sys.stdout,
                                   stderr=subprocess.PIPE, text=True)
        if completed.returncode != 0:
            raise RuntimeError(f"the SetFit worker failed: {completed.stderr[-2000:]}")
        result = np.load(Path(folder) / "out.npz")
        report = json.loads(str(result["report"]))
        holdout_proba, proba = result["holdout_proba"], result["test_proba"]
    threshold, holdout_f1 = best_f1_threshold(split.y_train[held], holdout_proba[:, 1])
    return Outcome(proba=proba, classes=np.array([0, 1]), decisions=(proba[:, 1] >= threshold).astype(int),
                   decision_rule="tuned threshold", threshold=threshold, fit_seconds=report["fit_seconds"],
                   predict_seconds=report["predict_seconds"], holdout_rows=held, holdout_proba=holdout_proba,
                   extra={"setfit": {**settings, **report, "holdout_f1": holdout_f1}})


# --------------------------------------------------------------------------- the registry


def zh_tokenization(ctx, frame):
    return {"tokenization": unk_coverage(frame["text"], ctx.model_path, BERT_SETTINGS["max_length"])}


# Cheap rows first: TF-IDF, then frozen embeddings, then SetFit and the fine-tunes.
for _target in ("low", "notrec"):
    for _inputs, _label, _minutes in (("text", "text", 3), ("title+text", "title-text", 5)):
        _add(Row(f"tfidf-{_label}-{_target}", "clothing", _target, inputs=_inputs, minutes=_minutes,
                 description=f"TF-IDF word+char of the {_inputs.replace('+', ' + ')} + balanced LR, "
                             "F1 threshold tuned on 5 folds",
                 build=lambda ctx, _inputs=_inputs: tuned(tfidf_lr(_inputs))))
_add(Row("toys-tfidf", "toys", "category", minutes=1, build=lambda ctx: tfidf_lr(),
         description="TF-IDF word+char of the title + balanced LR, argmax"))
_add(Row("toys-tfidf-tuned", "toys", "category", minutes=3, build=lambda ctx: tuned(tfidf_lr(), "macro_f1"),
         description="TF-IDF word+char of the title + balanced LR, class offsets tuned for macro-F1 on 5 folds"))
_add(Row("zh-tfidf", "zh", "negative", minutes=2, build=lambda ctx: tuned(char_tfidf_lr()),
         description="TF-IDF char 1-3-grams + balanced LR, F1 threshold tuned on 5 folds"))
_add(Row("minilm-frozen-low", "clothing", "low", minutes=7, build=frozen_minilm_lr,
         description="frozen MiniLM embeddings (TextEmbedder) + balanced LR, F1 threshold tuned on 5 folds"))
_add(Row("zh-minilm-frozen", "zh", "negative", minutes=5, build=frozen_minilm_lr, describe=zh_tokenization,
         description="frozen MiniLM embeddings (TextEmbedder) + balanced LR, F1 threshold tuned on 5 folds"))
_add(Row("setfit-low", "clothing", "low", minutes=60, run=run_setfit,
         description="SetFit on MiniLM (pairs capped at one pass over the texts) + LR head, "
                     "F1 threshold tuned on a 20% holdout"))
_add(Row("bert-ce-argmax-low", "clothing", "low", minutes=15, build=lambda ctx: bert(ctx),
         description="BertClassifier, cross-entropy, 1 epoch on all training rows, argmax (the seeds' way)"))
for _name, _loss, _params in (
        ("ce", "cross-entropy", {}),
        ("ce-balanced", "cross-entropy with class_weight='balanced'", {"class_weight": "balanced"}),
        ("focal", "focal loss (gamma 2)", {"loss": "focal"}),
        ("class-balanced", "class-balanced loss (beta 0.999)", {"loss": "class_balanced"}),
        ("logit-adjusted", "logit-adjusted loss (tau 1)", {"loss": "logit_adjusted"})):
    _add(Row(f"bert-{_name}-low", "clothing", "low", minutes=15, build=bert_tuned(**_params),
             description=f"BertClassifier, {_loss}, 1 epoch on 80% of the training rows, "
                         "F1 threshold tuned on the other 20%"))
_add(Row("toys-bert", "toys", "category", minutes=6, build=lambda ctx: bert(ctx, max_epochs=2),
         description="BertClassifier, cross-entropy, 2 epochs, argmax"))
_add(Row("toys-bert-logit-adjusted", "toys", "category", minutes=6,
         build=lambda ctx: bert(ctx, max_epochs=2, loss="logit_adjusted"),
         description="BertClassifier, logit-adjusted loss (long-tail), 2 epochs, argmax of the raw logits"))
_add(Row("zh-bert", "zh", "negative", minutes=12, build=bert_tuned(), describe=zh_tokenization,
         description="BertClassifier, cross-entropy, 1 epoch on 80% of the training rows, "
                     "F1 threshold tuned on the other 20%"))

# Issue 9's features, one at a time on top of the title + text pair (1 epoch, rating <= 2,
# threshold on the 20% holdout like the loss rows).
_PAIR = "on (title, text) pairs, {} on 80% of the training rows, F1 threshold tuned on the other 20%"
for _name, _what, _params, _minutes in (
        ("pair", "cross-entropy", {}, 18),
        ("pair-fgm", "cross-entropy + FGM adversarial training (epsilon 1)", {"adversarial": "fgm"}, 34),
        # Our epsilon bounds each text's perturbation; the widely copied FGM code normalises the
        # gradient of the whole embedding matrix (all texts of a batch): its epsilon 1 at batch 16
        # is about 0.25 per text.
        ("pair-fgm-small", "cross-entropy + FGM adversarial training (epsilon 0.25)",
         {"adversarial": "fgm", "adversarial_epsilon": 0.25}, 34),
        ("pair-head-tail", "cross-entropy, head+tail truncation", {"truncation": "head+tail"}, 16),
        ("pair-lr-1e-4", "cross-entropy, peak learning rate 1e-4 (twice the default)", {"lr": 1e-4}, 18),
        ("pair-es-ap", "cross-entropy, early stopping and best epoch on the average precision of 10% "
                       "validation rows (patience 1)",
         {"max_epochs": 3, "validation_fraction": 0.1, "patience": 1,
          "early_stopping_scoring": "average_precision"}, 45)):
    _add(Row(f"bert-{_name}-low", "clothing", "low", inputs="title+text", minutes=_minutes,
             build=bert_tuned(**_params), attacks=tuple(ATTACKS) if "fgm" in _name or _name == "pair" else (),
             description=f"BertClassifier, {_what}, " + _PAIR.format("up to 3 epochs" if "max_epochs" in _params
                                                                      else "1 epoch")))
_add(Row("bert-pair-aux-low", "clothing", "low", inputs="title+text", minutes=17,
         build=bert_tuned_with_auxiliary(), fit_params=clothing_auxiliary_targets,
         description="BertClassifier, cross-entropy + auxiliary heads (not recommended, star rating), "
                     + _PAIR.format("1 epoch")))
for _bert_row in ("bert-pair-low", "bert-pair-aux-low", "bert-pair-fgm-low"):
    _add(Row(f"blend-{_bert_row[5:-4]}-tfidf-low", "clothing", "low", inputs="title+text", minutes=1,
             run=blend_with_tfidf(_bert_row),
             description=f"{_bert_row} + the title + text TF-IDF, blended (LR on the two log-odds) on the BERT "
                         "row's holdout; F1 threshold on cross-fitted holdout predictions"))
# Would an ensemble of fine-tunes reach the targets? The 1-epoch pair variants (FGM at epsilon 1
# left out: it lost 0.14 PR-AUC), at the price of all their fine-tunes (bert_fit_minutes in its JSON).
_ENSEMBLE = ("bert-pair-low", "bert-pair-aux-low", "bert-pair-head-tail-low", "bert-pair-fgm-small-low")
_add(Row("blend-pair-ensemble-tfidf-low", "clothing", "low", inputs="title+text", minutes=1,
         run=blend_with_tfidf(*_ENSEMBLE),
         description=f"{', '.join(_ENSEMBLE)} + the title + text TF-IDF, blended (LR on the log-odds) on the BERT "
                     "rows' common holdout; F1 threshold on cross-fitted holdout predictions"))

# The shipped presets (sk_textrec.make_rare_class_classifier), with their full settings, on both targets.
for _target in ("low", "notrec"):
    for _preset, _minutes in (("fast", 14), ("best", 45)):
        _add(Row(f"preset-{_preset}-{_target}", "clothing", _target, inputs="title+text", minutes=_minutes,
                 build=preset(_preset),
                 description=f"make_rare_class_classifier({_preset!r}) on (title, text) pairs"))
# Does "best" need its second epoch? Its BERT trains on 68% of the rows (threshold and blend
# holdouts); this is the blend after one epoch, with the fast preset's BERT.
_add(Row("preset-best-1-epoch-low", "clothing", "low", inputs="title+text", minutes=12,
         build=preset("best", estimator__bert__max_epochs=1, estimator__bert__truncation="head"),
         description="make_rare_class_classifier('best') with one epoch and head truncation (the fast "
                     "preset's BERT, blended) on (title, text) pairs"))
# And would a third epoch close more of the gap to the targets?
_add(Row("preset-best-3-epochs-low", "clothing", "low", inputs="title+text", minutes=25,
         build=preset("best", estimator__bert__max_epochs=3),
         description="make_rare_class_classifier('best') with three epochs on (title, text) pairs"))
_add(Row("toys-preset-fast", "toys", "category", minutes=6, build=preset("fast"),
         description="make_rare_class_classifier('fast') on the titles: per-class offsets tuned for macro-F1 "
                     "on a 20% holdout"))
_add(Row("toys-preset-fast-balanced", "toys", "category", minutes=6,
         build=preset("fast", estimator__class_weight="balanced"),
         description="make_rare_class_classifier('fast') with balanced class weights on the titles: per-class "
                     "offsets tuned for macro-F1 on a 20% holdout"))
