"""Measured presets: ready, unfitted estimators for a rare class in review-like text.

Each preset is the winner of a row of ``benchmarks/bench_quality.py`` (docs/quality.md),
shipped as code: a :class:`~sk_textrec.BertClassifier` with the loss and training
settings that won, blended or not with a TF-IDF model, inside a
:class:`~sk_textrec.ThresholdTunedClassifier` whose decision threshold is tuned for
F1 on a held-out 20% of the training rows (one fine-tune, never k).
"""

import os

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from .utils._sklearn_compat import StrOptions, validate_params

__all__ = ["make_rare_class_classifier"]

# The BertClassifier settings of the presets: those of the benchmark rows that won. No
# class weights (with a tuned threshold they mostly move it, and cost PR-AUC); two epochs
# in "best", whose BERT learns from 68% of the rows. The measurements: docs/design.md,
# "Presets", and docs/quality.md.
_FAST_BERT = {"loss": "cross_entropy", "max_epochs": 1, "batch_size": 16, "lr": 5e-5, "max_length": 128}
_PRESETS = {
    "fast": {"bert": _FAST_BERT, "blend": False},
    "best": {"bert": {**_FAST_BERT, "max_epochs": 2, "truncation": "head+tail"}, "blend": True},
}
# Share of the training rows held out to tune the threshold, and (inside it) to
# learn the blend's weights.
THRESHOLD_HOLDOUT = 0.2
BLEND_HOLDOUT = 0.15


def _tfidf_model():
    """The word + character TF-IDF and balanced logistic regression of the benchmark."""
    from .feature_extraction import TfidfTextVectorizer

    return make_pipeline(TfidfTextVectorizer(), LogisticRegression(class_weight="balanced", max_iter=5000))


@validate_params(
    {
        "preset": [StrOptions(set(_PRESETS))],
        "model_name_or_path": [str, os.PathLike, None],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def make_rare_class_classifier(preset="fast", *, model_name_or_path=None, device="auto",
                               random_state=0, verbose=0):
    """An unfitted classifier for a rare class in review-like text, from a measured preset.

    The result is a plain scikit-learn estimator: fit it on single texts or on
    two text columns (e.g. title and body) alike, put it in a pipeline, or
    search over its parameters (``estimator__...``) with ``GridSearchCV``.
    Its decision threshold is tuned for the rare class's F1 on a held-out 20%
    of the training rows, so ``predict`` trades precision for recall where F1
    is best; ``predict_proba`` is unchanged.

    - ``"fast"``: one epoch of cross-entropy fine-tuning (benchmark row
      ``preset-fast``); about 8 minutes on 11,000 reviews on 2 CPU cores.
    - ``"best"``: two epochs with head+tail truncation, blended with a word +
      character TF-IDF model by a :class:`~sk_textrec.ensemble.HoldoutStackingClassifier`
      whose weights are learned on rows neither model trained on (benchmark
      row ``preset-best``); about 13 minutes there.

    Parameters
    ----------
    preset : {"fast", "best"}, default="fast"
        Which measured preset.
    model_name_or_path : str or path-like, default=None
        The encoder; ``None`` is the packaged all-MiniLM-L6-v2 the presets were
        measured with.
    device : str, default="auto"
        Torch device of the BERT.
    random_state : int, RandomState instance or None, default=0
        Seeds the fine-tuning and the held-out splits.
    verbose : int, default=0
        Verbosity of the BERT (epoch table and progress bars).

    Returns
    -------
    classifier : sk_textrec.ThresholdTunedClassifier
        Unfitted; ``classifier.estimator`` is the BertClassifier or the blend.

    See Also
    --------
    BertClassifier : The fine-tuned encoder inside every preset.
    ThresholdTunedClassifier : The decision-threshold tuner around it.

    Notes
    -----
    The presets were measured on a binary rare class in reviews of ~74 tokens
    with ~11,000 training rows. On many classes with few rows each (the toy
    titles of docs/quality.md: 15 categories, 4,563 rows) the fast preset's
    single epoch underfits, its rare categories are almost never predicted
    without class weights, and a word + character TF-IDF model wins; set
    ``estimator__class_weight="balanced"`` and raise ``estimator__max_epochs``
    (``estimator__bert__...`` in "best") there, and compare with TF-IDF
    before choosing.

    Examples
    --------
    >>> from sk_textrec import make_rare_class_classifier
    >>> clf = make_rare_class_classifier("fast")
    >>> clf.estimator.get_params()["max_epochs"]
    1
    >>> [name for name, _ in make_rare_class_classifier("best").estimator.estimators]
    ['bert', 'tfidf']
    """
    from .ensemble import HoldoutStackingClassifier
    from .models import BertClassifier

    settings = _PRESETS[preset]
    estimator = BertClassifier(
        model_name_or_path, **settings["bert"], device=device, random_state=random_state,
        verbose=verbose,
    )
    if settings["blend"]:
        estimator = HoldoutStackingClassifier(
            [("bert", estimator), ("tfidf", _tfidf_model())], holdout_size=BLEND_HOLDOUT,
            stack_method="decision_function", random_state=random_state,
        )
    return _threshold_tuned(estimator, random_state)


def _threshold_tuned(estimator, random_state):
    """``estimator`` with its threshold tuned for F1 on held-out rows, as in every preset."""
    from .model_selection import ThresholdTunedClassifier

    return ThresholdTunedClassifier(
        estimator, objective="f1", cv=THRESHOLD_HOLDOUT, refit=False, random_state=random_state
    )
