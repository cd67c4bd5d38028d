"""HoldoutStackingClassifier: learn a blend on rows the base models did not train on.

A fine-tuned BERT and a TF-IDF model make different mistakes, so a blend of
the two often beats both. The blend's weights must be learned on rows the
models did not see: scored on their own training rows a fine-tuned BERT looks
almost perfect and the blend trusts it blindly. scikit-learn's
StackingClassifier gets honest rows by k-fold cross-fitting, which costs k
extra fine-tunes; this estimator holds out one stratified part of the training
rows instead, fits the base models once on the rest, and lets scikit-learn's
StackingClassifier fit the final estimator on the held-out part with the base
models frozen. It is glue, not a new ensembling engine: ``stacking_`` is a
plain :class:`~sklearn.ensemble.StackingClassifier`.
"""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.ensemble import StackingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, get_tags
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..utils._sklearn_compat import (
    HasMethods,
    _BaseComposition,
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    _num_samples,
    _routing_enabled,
    _safe_indexing,
)
from ..utils._tags import accepts_text_pairs, text_input_tags
from ..utils._validation import check_label_values, check_text_input


def _stacking_has(method):
    def check(self):
        return hasattr(self.stacking_, method) if hasattr(self, "stacking_") else True

    return check


class HoldoutStackingClassifier(MetaEstimatorMixin, ClassifierMixin, _BaseComposition):
    """Stack classifiers with a final estimator learned on a held-out part of the rows.

    ``fit`` splits the rows (stratified) into a training part and a holdout,
    fits each base estimator once on the training part, and fits a
    :class:`~sklearn.ensemble.StackingClassifier` of the frozen base estimators
    on the holdout: the final estimator learns from predictions on rows no base
    estimator trained on. Base estimators see raw input as it is given (texts,
    text pairs, DataFrames), so a BERT and a TF-IDF pipeline blend directly.

    Parameters
    ----------
    estimators : list of (str, estimator)
        The base classifiers, fitted on the training part.
    final_estimator : classifier, default=None
        Learns the blend from the base estimators' outputs on the holdout;
        ``None`` is ``LogisticRegression()``: with
        ``stack_method="decision_function"`` a learned weighting of the base
        models' log-odds.
    holdout_size : float, default=0.2
        Share of the rows held out for the final estimator, in (0, 1).
    stack_method : {"auto", "predict_proba", "decision_function", "predict"}, \
            default="auto"
        Output of the base estimators given to the final one (see
        StackingClassifier). ``"decision_function"`` suits models whose
        probabilities are shifted by class weights.
    passthrough : bool, default=False
        Whether the final estimator also sees ``X`` (numeric ``X`` only).
    random_state : int, RandomState instance or None, default=None
        Seeds the split.

    Attributes
    ----------
    estimators_ : list of estimators
        The base estimators fitted on the training part.
    named_estimators_ : Bunch
        The same, by name.
    final_estimator_ : estimator
        The final estimator fitted on the holdout.
    stacking_ : sklearn.ensemble.StackingClassifier
        The stack of frozen base estimators that predicts.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    holdout_indices_ : ndarray of int
        Rows of ``X`` the final estimator was fitted on.

    See Also
    --------
    sklearn.ensemble.StackingClassifier : k-fold cross-fitted stacking (k extra fits).
    sklearn.ensemble.VotingClassifier : Fixed-weight soft voting, no held-out rows.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sk_textrec.datasets import make_product_reviews
    >>> from sk_textrec.ensemble import HoldoutStackingClassifier
    >>> texts, y = make_product_reviews(200, positive_rate=0.2, random_state=0)
    >>> blend = HoldoutStackingClassifier(
    ...     [("words", make_pipeline(TfidfVectorizer(), LogisticRegression())),
    ...      ("chars", make_pipeline(TfidfVectorizer(analyzer="char_wb"), LogisticRegression()))],
    ...     stack_method="decision_function", random_state=0).fit(texts, y)
    >>> blend.predict_proba(texts[:2]).shape, len(blend.holdout_indices_)
    ((2, 2), 40)
    """

    _parameter_constraints = {
        "estimators": [list],
        "final_estimator": [HasMethods(["fit"]), None],
        "holdout_size": [Interval(Real, 0, 1, closed="neither")],
        "stack_method": [StrOptions({"auto", "predict_proba", "decision_function", "predict"})],
        "passthrough": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, estimators, final_estimator=None, *, holdout_size=0.2, stack_method="auto",
                 passthrough=False, random_state=None):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.holdout_size = holdout_size
        self.stack_method = stack_method
        self.passthrough = passthrough
        self.random_state = random_state

    def get_params(self, deep=True):
        """Get the parameters, with each base estimator's as ``<name>__<parameter>``.

        Parameters
        ----------
        deep : bool, default=True
            Whether to include the parameters of the base estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        """Set parameters, a base estimator's as ``<name>__<parameter>``.

        Parameters
        ----------
        **params : dict
            Parameters of this estimator or of its base estimators.

        Returns
        -------
        self : HoldoutStackingClassifier
            This estimator.
        """
        return self._set_params("estimators", **params)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the base estimators on the training part and the blend on the holdout.

        Parameters
        ----------
        X : array-like, list of texts or DataFrame
            Input of the base estimators, passed as it is.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Parameters of the base estimators' ``fit``, e.g. ``sample_weight``
            (sliced to the training part); with metadata routing enabled, routed
            to the estimators that request them.

        Returns
        -------
        self : HoldoutStackingClassifier
            The fitted blend.
        """
        names = self._check_estimators()
        if all(accepts_text_pairs(estimator) for _, estimator in self.estimators):
            check_text_input(X, allow_pairs=True)  # name a bad row of X, not of the training part
        check_label_values(y)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        n_samples = _num_samples(X)
        if n_samples != len(y):
            raise ValueError(f"X has {n_samples} rows but y has {len(y)} labels.")
        try:
            train_idx, holdout_idx = train_test_split(
                np.arange(n_samples), test_size=self.holdout_size, stratify=y,
                random_state=self.random_state,
            )
        except ValueError as exc:
            raise ValueError(
                f"Cannot hold out a stratified holdout_size={self.holdout_size} of {n_samples} "
                f"rows: {exc} Use more rows or a larger holdout_size."
            ) from exc
        for part, rows in (("training part", train_idx), ("holdout", holdout_idx)):
            missing = np.setdiff1d(np.unique(y), y[rows])
            if len(missing):
                raise ValueError(
                    f"The {part} of the split has no rows of class {missing[0]!r}; use more "
                    "rows or another holdout_size."
                )
        routed = self._routed_params(fit_params)
        X_train, y_train = _safe_indexing(X, train_idx), y[train_idx]
        self.estimators_ = [
            clone(estimator).fit(
                X_train, y_train, **_check_method_params(X, routed[name].fit, indices=train_idx)
            )
            for name, estimator in self.estimators
        ]
        self.named_estimators_ = Bunch(**dict(zip(names, self.estimators_)))
        final = LogisticRegression() if self.final_estimator is None else clone(self.final_estimator)
        self.stacking_ = StackingClassifier(
            [(name, FrozenEstimator(est)) for name, est in zip(names, self.estimators_)],
            final_estimator=final, stack_method=self.stack_method, passthrough=self.passthrough,
        )
        self.stacking_.fit(_safe_indexing(X, holdout_idx), y[holdout_idx])
        self.final_estimator_ = self.stacking_.final_estimator_
        self.classes_ = self.stacking_.classes_
        self.holdout_indices_ = holdout_idx
        return self

    def _check_estimators(self):
        if not self.estimators:
            raise ValueError("The 'estimators' parameter needs at least one (name, estimator) pair.")
        for entry in self.estimators:
            if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)
                    and hasattr(entry[1], "fit")):
                raise TypeError(
                    f"The 'estimators' parameter must be a list of (name, estimator) pairs; got "
                    f"the entry {entry!r:.60}."
                )
        names = [name for name, _ in self.estimators]
        if len(set(names)) != len(names):
            raise ValueError(f"The names of the estimators must be unique; got {names}.")
        return names

    def _routed_params(self, fit_params):
        if _routing_enabled():
            return process_routing(self, "fit", **fit_params)
        return Bunch(**{name: Bunch(fit=fit_params) for name, _ in self.estimators})

    def predict(self, X):
        """Class predicted by the blend.

        Parameters
        ----------
        X : array-like, list of texts or DataFrame
            Input of the base estimators.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.stacking_.predict(X)

    @available_if(_stacking_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the final estimator.

        Parameters
        ----------
        X : array-like, list of texts or DataFrame
            Input of the base estimators.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.stacking_.predict_proba(X)

    @available_if(_stacking_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the final estimator.

        Parameters
        ----------
        X : array-like, list of texts or DataFrame
            Input of the base estimators.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The final estimator's decision function.
        """
        check_is_fitted(self)
        return self.stacking_.decision_function(X)

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            The routing of ``fit`` parameters to each base estimator's ``fit``.
        """
        router = MetadataRouter(owner=self)
        for name, estimator in self.estimators:
            router.add(**{name: estimator}, method_mapping=MethodMapping().add(caller="fit", callee="fit"))
        return router

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        entries = self.estimators if isinstance(self.estimators, list) else []
        if not entries or not all(
            isinstance(entry, tuple) and len(entry) == 2 and hasattr(entry[1], "fit") for entry in entries
        ):
            return tags  # fit explains what is wrong with them
        # The input is the base estimators' input (texts, text pairs, numbers...).
        tags.input_tags = get_tags(entries[0][1]).input_tags
        if all(accepts_text_pairs(estimator) for _, estimator in entries):
            tags.input_tags = text_input_tags(tags.input_tags, text_pairs=True)
        return tags
