"""BaseThresholdClassifier: the contract shared by classifiers that change another's decision rule."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, indexable

from ..utils._sklearn_compat import HasMethods, StrOptions, _estimator_has, _fit_context, _num_samples
from ..utils._validation import check_label_values


class BaseThresholdClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Base class of classifiers that change the decision rule of another one.

    It holds the shared contract: validation of ``X`` and ``y`` in :meth:`fit`
    (the subclass writes ``_fit``), ``classes_`` read from ``estimator_`` and
    ``predict_proba`` / ``predict_log_proba`` / ``decision_function`` delegated
    unchanged to the fitted estimator when it has them.
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), HasMethods(["fit", "decision_function"])],
        "response_method": [StrOptions({"auto", "predict_proba", "decision_function"})],
    }

    def __init__(self, estimator, *, response_method="auto"):
        self.estimator = estimator
        self.response_method = response_method

    def _get_response_method(self):
        if self.response_method == "auto":
            return ["predict_proba", "decision_function"]
        return [self.response_method]

    @_fit_context(prefer_skip_nested_validation=False)  # the wrapped estimator is validated by itself
    def fit(self, X, y, *, groups=None, sample_cost=None, **params):
        """Fit the classifier and tune its decision rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} or list of str of shape (n_samples, ...)
            Training data, in whatever form ``estimator`` accepts (texts included).
        y : array-like of shape (n_samples,)
            Target labels, binary or multiclass.
        groups : array-like of shape (n_samples,), default=None
            Group of each sample (binary targets): a threshold is tuned per group.
            Also passed to the ``split`` method of a ``cv`` that uses groups
            (``GroupKFold``...).
        sample_cost : array-like of shape (n_samples, n_classes), default=None
            Cost of predicting each class (columns in the order of ``classes_``)
            for each sample; used by ``objective="cost"`` instead of ``cost_matrix``.
        **params : dict
            Parameters of ``estimator.fit`` (routed through metadata routing when it
            is enabled). ``sample_weight``, if given, also weights the objective.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        check_label_values(y)
        check_classification_targets(y)
        X, y = indexable(X, y)
        y = column_or_1d(y, warn=True)
        if _num_samples(X) != len(y):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {_num_samples(X)} and {len(y)}."
            )
        y_type = type_of_target(y, input_name="y")
        if y_type not in ("binary", "multiclass"):
            raise ValueError(f"Unknown label type: {y_type!r}; y must be binary or multiclass.")
        n_classes = np.unique(y).size
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in y; got {n_classes} "
                "class."
            )
        self._fit(X, y, groups=groups, sample_cost=sample_cost, **params)
        for attribute in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, attribute):
                setattr(self, attribute, getattr(self.estimator_, attribute))
        return self

    @property
    def classes_(self):
        """Class labels, those of the fitted ``estimator_``."""
        return self.estimator_.classes_

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted estimator, unchanged by the tuning.

        Parameters
        ----------
        X : {array-like, sparse matrix} or list of str
            Input samples.

        Returns
        -------
        probabilities : ndarray of shape (n_samples, n_classes)
            ``estimator_.predict_proba(X)``.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the fitted estimator, unchanged by the tuning.

        Parameters
        ----------
        X : {array-like, sparse matrix} or list of str
            Input samples.

        Returns
        -------
        log_probabilities : ndarray of shape (n_samples, n_classes)
            ``estimator_.predict_log_proba(X)``.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator, unchanged by the tuning.

        Parameters
        ----------
        X : {array-like, sparse matrix} or list of str
            Input samples.

        Returns
        -------
        decisions : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``estimator_.decision_function(X)``.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.classifier_tags.multi_class = True
        tags.input_tags = inner.input_tags
        tags.non_deterministic = inner.non_deterministic
        return tags
