"""LabelNoiseUnderSampler: drop likely mislabelled rows found by confident learning."""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.pipeline import make_pipeline, make_union
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from ..base import SAMPLING_STRATEGY_CONSTRAINTS, BaseTextSampler
from ..utils._cv import checked_splits
from ..utils._optional import import_optional
from ..utils._sklearn_compat import HasMethods, Interval, StrOptions, _safe_indexing

# cleanlab.filter.find_label_issues's filter_by options.
_FILTERS = {
    "prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
    "predicted_neq_given", "low_normalized_margin", "low_self_confidence",
}


def _default_estimator():
    """TF-IDF of words and of character n-grams, then a class-balanced logistic regression."""
    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
        ),
        LogisticRegression(class_weight="balanced", max_iter=1000),
    )


class LabelNoiseUnderSampler(BaseTextSampler):
    """Remove rows whose label is likely wrong, found by confident learning.

    Out-of-fold predicted probabilities of ``estimator`` (stratified
    ``cv``-fold cross-validation) are passed with the labels to cleanlab's
    :func:`cleanlab.filter.find_label_issues`, which flags rows whose given
    label disagrees confidently with the model. Of the flagged rows of each
    class, at most ``max_remove_fraction`` of the class is removed, those with
    the lowest self-confidence (predicted probability of the given label)
    first. Labels are never changed: rows are only dropped.

    Needs cleanlab (``pip install 'sk-textrec[clean]'``). Confident learning
    comes in several variants (``filter_by``) whose calibration details
    (per-class thresholds, the confident joint, its calibration to the label
    counts) cleanlab maintains and tests; the package wraps it rather than
    re-implementing one of them.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier of raw texts with ``predict_proba`` (cloned for each fold).
        ``None`` is TF-IDF of word 1-2-grams and character 3-5-grams followed by
        ``LogisticRegression(class_weight="balanced")``.
    cv : int or cross-validation splitter, default=5
        An int is the number of folds of a shuffled
        :class:`~sklearn.model_selection.StratifiedKFold` seeded by
        ``random_state``.
    max_remove_fraction : float in [0, 1], default=0.1
        Largest share of each class that may be removed.
    filter_by : str, default="prune_by_noise_rate"
        cleanlab's rule for flagging rows: one of ``"prune_by_noise_rate"``,
        ``"prune_by_class"``, ``"both"``, ``"confident_learning"``,
        ``"predicted_neq_given"``, ``"low_normalized_margin"``,
        ``"low_self_confidence"``.
    sampling_strategy : str, list or callable, default="all"
        Classes whose rows may be removed, as for imbalanced-learn's cleaning
        samplers (``"all"``, ``"auto"`` = ``"not minority"``, ``"majority"``,
        ``"not minority"``, ``"not majority"``, a list of classes, or a callable
        returning a dict whose keys are the classes).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling of the folds (when ``cv`` is an int).
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib).
    verbose : int, default=0
        0 is silent; 1 shows a progress bar over the folds.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted: the columns of ``pred_proba_``.
    pred_proba_ : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    label_issues_ : ndarray of shape (n_samples,), dtype=bool
        Rows cleanlab flags, before the cap and ``sampling_strategy``.
    sampling_strategy_ : dict
        The classes that may lose rows (keys).
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Rows of the input that were kept, in input order.

    See Also
    --------
    NearDuplicateUnderSampler : Removes duplicate texts, and reports duplicates
        whose labels disagree.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", JAIR 70, 2021.

    Examples
    --------
    >>> from sk_textrec.under_sampling import LabelNoiseUnderSampler
    >>> good = ["love it, great dress", "perfect fit, so soft", "beautiful and comfortable"]
    >>> bad = ["awful, returned it", "broken zip, refund", "cheap fabric, too small"]
    >>> X = good * 8 + bad * 8
    >>> y = [1] * 24 + [0] * 24
    >>> y[0] = 0  # a positive review labelled negative
    >>> sampler = LabelNoiseUnderSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> len(X_res) < len(X), 0 in sampler.sample_indices_
    (True, False)
    """

    _sampling_type = "clean-sampling"
    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object"],
        "max_remove_fraction": [Interval(numbers.Real, 0, 1, closed="both")],
        "filter_by": [StrOptions(_FILTERS)],
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS[_sampling_type],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        cv=5,
        max_remove_fraction=0.1,
        filter_by="prune_by_noise_rate",
        sampling_strategy="all",
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.cv = cv
        self.max_remove_fraction = max_remove_fraction
        self.filter_by = filter_by
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        cleanlab_filter = import_optional(
            "cleanlab.filter", extra="clean", purpose="LabelNoiseUnderSampler"
        )
        # cleanlab wants labels 0..K-1 and probability columns in that order.
        self.classes_, encoded = np.unique(y, return_inverse=True)
        estimator = _default_estimator() if self.estimator is None else clone(self.estimator)
        cv = self.cv
        if isinstance(cv, numbers.Integral):
            cv = StratifiedKFold(cv, shuffle=True, random_state=random_state)
        # Our own check, before any fit: a fold that trains on fewer classes would
        # give probabilities with a column of zeros, or fail inside the estimator.
        splits = checked_splits(check_cv(cv, encoded, classifier=True), X, y)
        try:
            self.pred_proba_ = self._out_of_fold_proba(estimator, X, encoded, splits)
        except ValueError as exc:
            if self.estimator is None and "empty vocabulary" in str(exc):
                raise ValueError(
                    "X has no word (two letters or digits) in the texts of a training fold, so the "
                    "default estimator of LabelNoiseUnderSampler (TF-IDF of words) has nothing to "
                    "learn from; pass an estimator that reads such texts (e.g. a TextEmbedder "
                    "pipeline)."
                ) from exc
            raise
        # n_jobs=1: cleanlab's own process pool costs more than its per-class work.
        self.label_issues_ = np.asarray(
            cleanlab_filter.find_label_issues(
                encoded, self.pred_proba_, filter_by=self.filter_by, n_jobs=1
            ),
            dtype=bool,
        )
        self_confidence = self.pred_proba_[np.arange(len(encoded)), encoded]
        removed = np.zeros(len(X), dtype=bool)
        for code, label in enumerate(self.classes_):
            if label not in self.sampling_strategy_:
                continue
            in_class = encoded == code
            # The 1e-9 keeps float products such as 0.29 * 100 = 28.999... at 29.
            cap = int(np.floor(self.max_remove_fraction * in_class.sum() + 1e-9))
            flagged = np.flatnonzero(self.label_issues_ & in_class)
            # Least confident first: the stable sort keeps input order among ties.
            removed[flagged[np.argsort(self_confidence[flagged], kind="stable")[:cap]]] = True
        return self._take(X, y, np.flatnonzero(~removed))

    def _out_of_fold_proba(self, estimator, X, encoded, splits):
        """cross_val_predict(method="predict_proba") over ``splits``, with a progress bar over the folds.

        ``splits`` come from ``checked_splits``: every fold trains on every class.
        """
        from tqdm.auto import tqdm

        tested = np.bincount(np.concatenate([test for _, test in splits]), minlength=len(encoded))
        if not np.all(tested == 1):
            raise ValueError("The 'cv' parameter must split the rows into a partition: every row "
                             "in the test part of exactly one fold.")
        proba = np.zeros((len(encoded), len(self.classes_)))
        jobs = (delayed(_fit_predict_proba)(clone(estimator), X, encoded, train, test)
                for train, test in splits)
        with tqdm(total=len(splits), desc=f"{type(self).__name__}: folds", unit="fold",
                  disable=not self.verbose) as bar:
            for test, fold_classes, fold_proba in Parallel(self.n_jobs, return_as="generator")(jobs):
                proba[np.ix_(test, fold_classes)] = fold_proba
                bar.update()
        return proba


def _fit_predict_proba(estimator, X, encoded, train, test):
    estimator.fit(_safe_indexing(X, train), encoded[train])
    return test, estimator.classes_, estimator.predict_proba(_safe_indexing(X, test))
