"""ThresholdTunedClassifier: decision thresholds and class offsets tuned for an objective."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import StratifiedShuffleSplit, check_cv
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, RealNotInt, StrOptions, _check_method_params, _routing_enabled
from ..utils._cv import checked_splits
from ..utils._validation import as_float_array, check_label_values, check_sample_weight
from . import _threshold_objectives as obj
from ._threshold_base import BaseThresholdClassifier
from ._threshold_groups import GroupThresholdsMixin


def _check_costs(costs, name, shape_name, shape):
    """Costs as a float array of ``shape``, finite, or an error naming ``name`` and the cell."""
    costs = as_float_array(costs, input_name=name)
    if costs.shape != shape:
        raise ValueError(f"{name} must have shape {shape_name} = {shape}; got {costs.shape}.")
    bad = ~np.isfinite(costs)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(f"The costs must be finite; {name} has {costs[row, column]} at row {row}, "
                         f"column {column}.")
    return costs


def _fit_and_score_fold(estimator, X, y, fit_params, train_idx, val_idx, score):
    """Fit a clone on the training part of a split; return it and its validation scores."""
    fold_params = _check_method_params(X, fit_params, indices=train_idx)
    model = clone(estimator).fit(_safe_indexing(X, train_idx), _safe_indexing(y, train_idx), **fold_params)
    return model, score(model, _safe_indexing(X, val_idx))


class ThresholdTunedClassifier(GroupThresholdsMixin, BaseThresholdClassifier):
    """Classifier whose decision threshold (or class offsets) is tuned for an objective.

    Wraps any classifier with ``predict_proba`` or ``decision_function``. Its
    scores on data it was not trained on (out-of-fold scores of the clones
    fitted by ``cv``, or a pre-fitted estimator's scores on the data given to
    ``fit``) choose the decision rule that maximises ``objective``:

    - binary targets: a threshold on the positive class's score. Built-in
      objectives are computed exactly at every distinct score (one sort and
      cumulative counts); other scorers on a grid of ``thresholds`` candidates.
      Constraints (``constraint={"precision": 0.9}``) restrict the thresholds.
      With ``groups``, one threshold per group, optionally with equal
      true-positive rates (``equal_opportunity=True``).
    - multiclass targets: one additive offset per class on the log-probabilities
      (or decision values); ``predict`` returns ``argmax(scores + offsets_)``.

    Read more in the user guide, ``docs/thresholds.md``.

    Parameters
    ----------
    estimator : estimator instance
        The classifier, fitted (with ``cv="prefit"`` or wrapped in
        :class:`~sklearn.frozen.FrozenEstimator`) or not.
    objective : str or callable, default="f1"
        What to maximise. Built-in, computed exactly:

        - ``"f1"`` (multiclass: macro F1), ``"fbeta"`` (uses ``beta``),
          ``"balanced_accuracy"``, ``"accuracy"``;
        - ``"youden"``: Youden's J = TPR - FPR, the ROC-optimal point;
        - ``"precision"``, ``"recall"`` / ``"tpr"``, ``"tnr"``: useful with a
          ``constraint`` (``objective="recall", constraint={"precision": 0.9}``);
        - ``"cost"``: minus the mean cost of the decisions, from ``cost_matrix``
          or the ``sample_cost`` passed to :meth:`fit`; ``best_score_`` is then
          the negative expected cost per sample.

        Any other scikit-learn scorer name (``"matthews_corrcoef"``...) or scorer
        callable ``scorer(estimator, X, y)`` is evaluated on a grid of candidate
        thresholds (binary) or by a grid line search (multiclass).
    constraint : dict, default=None
        Binary built-in objectives only: bounds that the chosen threshold must
        meet on the tuning data, ``{name: bound}`` with names ``"precision"``,
        ``"recall"``, ``"tpr"``, ``"tnr"`` (at least ``bound``) and ``"fpr"``,
        ``"fnr"`` (at most ``bound``). If no threshold meets them, :meth:`fit`
        raises a ValueError that gives the best value reached.
    beta : float, default=1.0
        Weight of recall in ``objective="fbeta"``.
    cost_matrix : array-like of shape (n_classes, n_classes), default=None
        ``cost_matrix[i, j]`` is the cost of predicting class ``j`` for a sample
        of class ``i`` (classes in the order of ``classes_``).
        Used by ``objective="cost"``.
    pos_label : int, float, bool or str, default=None
        Positive class of binary targets; ``None`` means the greater label,
        ``classes_[1]``.
    response_method : {"auto", "predict_proba", "decision_function"}, default="auto"
        Scores to threshold; ``"auto"`` tries ``predict_proba`` first.
    thresholds : int or array-like, default=100
        Candidate thresholds of objectives that are not built in: their number,
        evenly spaced between the lowest and highest score, or the values.
    cv : int, cross-validation generator, iterable, float or "prefit", default=None
        How scores on unseen data are obtained. ``None`` is 5-fold stratified;
        an int is that many stratified folds; a float in (0, 1) is one stratified
        holdout of that fraction; ``"prefit"`` (or a ``FrozenEstimator``
        ``estimator``, whatever ``cv`` is) uses the fitted estimator on all the
        data given to :meth:`fit`.
    refit : bool, default=True
        Refit ``estimator`` on all the data after tuning. ``False`` keeps the
        model fitted on the training part of a single split (a float ``cv``): one
        fit instead of two. Must be ``False`` with ``cv="prefit"``.
    equal_opportunity : bool, default=False
        With ``groups``, tune the group thresholds together so that their
        true-positive rates lie within ``groups_tolerance`` of each other.
    groups_tolerance : float, default=0.05
        With ``equal_opportunity=True``, the largest allowed difference between
        the true-positive rates of the groups on the tuning data.
    tau : float, default=1.0
        Multiclass: strength of the logit adjustment ``-tau * log(prior)`` that
        the coordinate ascent may start from.
    max_iter : int, default=10
        Multiclass: most sweeps of coordinate ascent over the class offsets.
    n_jobs : int, default=None
        Folds fitted in parallel.
    random_state : int, RandomState instance or None, default=None
        Seed of the holdout split when ``cv`` is a float.
    store_cv_results : bool, default=False
        Keep the objective curve in ``cv_results_``.

    Attributes
    ----------
    estimator_ : estimator instance
        The fitted classifier used by ``predict``.
    best_threshold_ : float
        Binary targets: the threshold; ``predict`` gives the positive class when
        the score is ``>= best_threshold_``. Also used for groups not seen in fit.
    group_thresholds_ : dict
        Binary targets fitted with ``groups``: ``{group: threshold}``.
    offsets_ : ndarray of shape (n_classes,)
        Multiclass targets: the offsets added to the scores before the argmax.
    best_score_ : float
        Objective value of the chosen rule on the tuning data.
    pos_label_ : object
        Binary targets: the positive class.
    response_method_ : str
        The method of ``estimator_`` whose output is thresholded.
    n_iter_ : int
        Multiclass: sweeps of coordinate ascent run; binary: 1 (one exact pass).
    cv_results_ : dict
        Only with ``store_cv_results=True``. Binary: ``"thresholds"`` (ascending),
        ``"scores"`` (objective), ``"precision"`` and ``"recall"`` at each
        threshold. Multiclass: ``"scores"``, the objective after each sweep.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during fit, if ``estimator_`` has it.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during fit, if ``estimator_`` has them.

    See Also
    --------
    sklearn.model_selection.TunedThresholdClassifierCV : Binary threshold tuning on a grid.
    ThresholdCurveDisplay : Plot the objective, precision and recall against the threshold.

    Notes
    -----
    Out-of-fold scores of all folds are pooled before the search, so a binary
    search costs one sort of ``n_samples`` scores, O(n log n). The multiclass
    coordinate ascent costs O(n log n + n K) per class and sweep for the
    built-in objectives (an exact line search over the breakpoints where a
    sample changes class) and ``thresholds`` scorer calls per class and sweep
    otherwise; it finds a local optimum. ``fit`` fits ``estimator`` k times for
    k folds plus once more when ``refit=True``.

    References
    ----------
    A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and S. Kumar,
    "Long-tail learning via logit adjustment", ICLR 2021.

    M. Hardt, E. Price and N. Srebro, "Equality of Opportunity in Supervised
    Learning", NeurIPS 2016.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.metrics import f1_score, precision_score
    >>> from sk_textrec.model_selection import ThresholdTunedClassifier
    >>> X, y = make_classification(n_samples=2000, weights=[0.9], random_state=0)
    >>> model = ThresholdTunedClassifier(LogisticRegression(), objective="f1").fit(X, y)
    >>> bool(model.best_score_ >= f1_score(y, LogisticRegression().fit(X, y).predict(X)) - 0.05)
    True
    >>> model = ThresholdTunedClassifier(
    ...     LogisticRegression(), objective="recall", constraint={"precision": 0.8},
    ...     cv=0.5, refit=False, random_state=0,
    ... ).fit(X, y)
    >>> bool(model.best_threshold_ > 0.0)
    True
    """

    _parameter_constraints: dict = {
        **BaseThresholdClassifier._parameter_constraints,
        "objective": [str, callable],
        "constraint": [dict, None],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "cost_matrix": ["array-like", None],
        "pos_label": [Real, str, "boolean", None],
        "thresholds": [Interval(Integral, 2, None, closed="left"), "array-like"],
        "cv": ["cv_object", StrOptions({"prefit"}), Interval(RealNotInt, 0.0, 1.0, closed="neither")],
        "refit": ["boolean"],
        "groups_tolerance": [Interval(Real, 0, 1, closed="both")],
        "equal_opportunity": ["boolean"],
        "tau": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "store_cv_results": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        *,
        objective="f1",
        constraint=None,
        beta=1.0,
        cost_matrix=None,
        pos_label=None,
        response_method="auto",
        thresholds=100,
        cv=None,
        refit=True,
        equal_opportunity=False,
        groups_tolerance=0.05,
        tau=1.0,
        max_iter=10,
        n_jobs=None,
        random_state=None,
        store_cv_results=False,
    ):
        super().__init__(estimator=estimator, response_method=response_method)
        self.objective = objective
        self.constraint = constraint
        self.beta = beta
        self.cost_matrix = cost_matrix
        self.pos_label = pos_label
        self.thresholds = thresholds
        self.cv = cv
        self.refit = refit
        self.equal_opportunity = equal_opportunity
        self.groups_tolerance = groups_tolerance
        self.tau = tau
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.store_cv_results = store_cv_results

    # -- validation ---------------------------------------------------------------

    def _resolve_objective(self, binary, classes):
        """``(builtin name or None, score_fn or None)`` of ``objective``."""
        objective = self.objective
        if isinstance(objective, str) and objective in obj.BUILTIN_OBJECTIVES:
            allowed = obj.BINARY_OBJECTIVES if binary else obj.MULTICLASS_OBJECTIVES
            if objective not in allowed:
                kind = "binary" if binary else "multiclass"
                raise ValueError(
                    f"The objective {objective!r} is not defined for {kind} targets; use one of "
                    f"{sorted(allowed)} or a scorer."
                )
            return objective, None
        if isinstance(objective, str):
            if objective not in get_scorer_names():
                raise ValueError(
                    f"Unknown objective {objective!r}. Use a built-in objective "
                    f"{sorted(obj.BUILTIN_OBJECTIVES)}, a scikit-learn scorer name (see "
                    "sklearn.metrics.get_scorer_names()) or a scorer callable."
                )
            objective = get_scorer(objective)
        return None, obj.scorer_function(objective, classes)

    def _check_constraint(self, builtin, binary):
        if self.constraint is None:
            return {}
        if not binary or builtin is None:
            raise ValueError(
                "constraint is supported only with a built-in objective on binary targets; got "
                f"objective={self.objective!r} on {'binary' if binary else 'multiclass'} targets."
            )
        constraint = dict(self.constraint)
        unknown = sorted(set(constraint) - set(obj.CONSTRAINTS))
        if unknown:
            raise ValueError(
                f"Unknown constraint {unknown}; the constraint names are {sorted(obj.CONSTRAINTS)}."
            )
        for name, bound in constraint.items():
            if not isinstance(bound, Real) or not 0 <= bound <= 1:
                raise ValueError(f"The bound of constraint {name!r} must be in [0, 1]; got {bound!r}.")
        return constraint

    def _check_thresholds(self):
        """Candidate thresholds given as values must be a non-empty 1-D list without NaN."""
        if isinstance(self.thresholds, Integral):
            return
        grid = as_float_array(self.thresholds, input_name="The 'thresholds' parameter")
        if grid.ndim != 1 or grid.size == 0:
            raise ValueError(f"The 'thresholds' parameter must be an int or a non-empty 1-D list of "
                             f"candidate thresholds; got shape {grid.shape}.")
        if np.isnan(grid).any():
            raise ValueError(f"The 'thresholds' parameter has a NaN candidate at position "
                             f"{int(np.flatnonzero(np.isnan(grid))[0])}; a threshold must be a number.")

    def _check_sample_cost(self, builtin, y_idx, sample_cost, n_classes):
        if sample_cost is not None:
            sample_cost = _check_costs(sample_cost, "sample_cost", "(n_samples, n_classes)",
                                       (len(y_idx), n_classes))
        elif self.cost_matrix is not None:
            sample_cost = _check_costs(self.cost_matrix, "cost_matrix", "(n_classes, n_classes)",
                                       (n_classes, n_classes))[y_idx]
        if builtin == "cost" and sample_cost is None:
            raise ValueError('objective="cost" needs cost_matrix, or sample_cost passed to fit.')
        return sample_cost

    # -- scores -------------------------------------------------------------------

    def _scores(self, estimator, X, method=None):
        """Scores thresholded: a vector (binary) or log-probabilities / logits (multiclass)."""
        if method is None:
            methods = [m for m in self._get_response_method() if hasattr(estimator, m)]
            if not methods:
                raise AttributeError(
                    f"{type(estimator).__name__} has none of the methods {self._get_response_method()}."
                )
            method = methods[0]
        return self._response_scores(getattr(estimator, method)(X), method, estimator), method

    def _response_scores(self, values, method, estimator):
        """The scores thresholded, from the output ``values`` of ``estimator``'s response ``method``."""
        values = np.asarray(values, dtype=float)
        if np.isnan(values).any():
            row = int(np.argwhere(np.isnan(values))[0][0])
            raise ValueError(
                f"{type(estimator).__name__}.{method} returned NaN for row {row}; a threshold cannot "
                "be tuned on NaN scores (a model whose training diverged, or NaN in X)."
            )
        classes = estimator.classes_
        if classes.size == 2:
            pos = int(np.flatnonzero(classes == self.pos_label_)[0])
            if method == "predict_proba":
                return values[:, pos]
            return (values if pos == 1 else -values).reshape(-1)
        if method == "predict_proba":
            with np.errstate(divide="ignore"):
                values = np.log(np.clip(values, 1e-300, None))
        return values

    # -- fit ----------------------------------------------------------------------

    def _fit(self, X, y, *, groups=None, sample_cost=None, **params):
        classes = np.unique(y)
        binary = classes.size == 2
        n_samples = len(y)
        if binary:
            pos_label = classes[-1] if self.pos_label is None else self.pos_label
            if pos_label not in classes.tolist():
                raise ValueError(f"pos_label={pos_label!r} is not a class of y: {classes.tolist()}.")
            self.pos_label_ = pos_label
        builtin, score_fn = self._resolve_objective(binary, classes)
        constraint = self._check_constraint(builtin, binary)
        self._check_thresholds()
        y_idx = np.searchsorted(classes, y)
        sample_cost = self._check_sample_cost(builtin, y_idx, sample_cost, classes.size)
        if groups is not None:
            check_label_values(groups, input_name="groups")
            groups = np.asarray(groups)
            if groups.shape != (n_samples,):
                raise ValueError(
                    f"groups must have one entry per sample: expected shape ({n_samples},), got "
                    f"{groups.shape}."
                )
            if not binary:
                raise ValueError("Per-group thresholds are supported for binary targets only.")
        elif self.equal_opportunity:
            raise ValueError("equal_opportunity=True needs groups passed to fit.")
        weight = check_sample_weight(params.get("sample_weight"), n_samples)
        weight_per_class = np.bincount(y_idx, weights=weight, minlength=classes.size)
        if np.any(weight_per_class <= 0):
            raise ValueError(
                f"sample_weight gives no weight to the classes {classes[weight_per_class <= 0].tolist()}; "
                "every class needs a positive total weight."
            )

        if _routing_enabled():
            routed = process_routing(self, "fit", **params)
        else:
            routed = Bunch(estimator=Bunch(fit=params))
        fit_params = routed.estimator.fit

        prefit = self.cv == "prefit" or isinstance(self.estimator, FrozenEstimator)
        if prefit:
            if self.cv == "prefit" and self.refit:
                raise ValueError("When cv='prefit', refit cannot be True.")
            try:
                check_is_fitted(self.estimator, "classes_")
            except NotFittedError as exc:
                raise NotFittedError("When cv='prefit', `estimator` must be fitted.") from exc
            self.estimator_ = self.estimator
            scores, self.response_method_ = self._scores(self.estimator_, X)
            rows = np.arange(n_samples)
        else:
            cv = self._check_cv(y)
            # only splitters that use groups get them (the others warn that they ignore them)
            split_groups = groups if get_routing_for_object(cv).consumes("split", {"groups"}) else None
            if not self.refit and cv.get_n_splits(X, y, split_groups) > 1:
                raise ValueError("When cv has several folds, refit cannot be False.")
            splits = checked_splits(cv, X, y, split_groups)
            folds = Parallel(n_jobs=self.n_jobs)(
                delayed(_fit_and_score_fold)(
                    self.estimator, X, y, fit_params, train_idx, val_idx, self._scores
                )
                for train_idx, val_idx in splits
            )
            rows = np.concatenate([val_idx for _, val_idx in splits])
            scores = np.concatenate([fold_scores for _, (fold_scores, _) in folds])
            self.response_method_ = folds[0][1][1]
            if self.refit:
                self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
            else:
                self.estimator_ = folds[0][0]

        y_t, w_t = y[rows], weight[rows]
        cost_t = None if sample_cost is None else sample_cost[rows]
        if binary:
            groups_t = None if groups is None else groups[rows]
            self._tune_binary(builtin, score_fn, constraint, y_t, scores, w_t, cost_t, groups_t)
        else:
            self.offsets_, self.best_score_, history = obj.fit_offsets(
                builtin, scores, y_idx[rows], w_t, tau=self.tau, max_iter=self.max_iter,
                sample_cost=cost_t, score_fn=score_fn, classes=classes, n_grid=self._n_grid(),
            )
            self.n_iter_ = len(history) - 1
            if self.store_cv_results:
                self.cv_results_ = {"scores": history}
        return self

    def _n_grid(self):
        return self.thresholds if isinstance(self.thresholds, Integral) else len(self.thresholds)

    def _check_cv(self, y):
        if isinstance(self.cv, Real) and 0 < self.cv < 1:
            return StratifiedShuffleSplit(n_splits=1, test_size=self.cv, random_state=self.random_state)
        return check_cv(5 if self.cv is None else self.cv, y=y, classifier=True)

    # -- binary search --------------------------------------------------------------

    def _curve(self, builtin, score_fn, y, scores, weight, cost):
        y_pos = y == self.pos_label_
        if builtin is not None:
            return obj.binary_curve(builtin, y_pos, scores, weight, beta=self.beta, sample_cost=cost)
        if isinstance(self.thresholds, Integral):
            grid = np.linspace(scores.min(), scores.max(), self.thresholds)
        else:
            grid = np.asarray(self.thresholds, dtype=float)
        neg_label = self.classes_[self.classes_ != self.pos_label_][0]
        labels = np.array([neg_label, self.pos_label_], dtype=self.classes_.dtype)
        return obj.binary_grid_curve(score_fn, y, y_pos, scores, weight, grid, labels)

    def _best_on_curve(self, curve, constraint, what="the tuning data"):
        thresholds, values, tp, fp, pos, neg = curve
        if np.isnan(values).all():
            raise ValueError(f"The objective {self.objective!r} is undefined (NaN) at every candidate "
                             f"threshold on {what}.")
        # A scorer may be undefined at some thresholds (precision with no positive predicted).
        values = np.where(np.isnan(values), -np.inf, values)
        feasible = obj.feasible_mask(constraint, tp, fp, pos, neg)
        if not feasible.any():
            reached = {
                name: float(np.max(obj.binary_metric(name, tp, fp, pos, neg)) if sense > 0
                            else np.min(obj.binary_metric(name, tp, fp, pos, neg)))
                for name, sense in obj.CONSTRAINTS.items() if name in constraint
            }
            raise ValueError(
                f"No threshold satisfies the constraint {obj.describe_constraint(constraint)} on "
                f"{what}; the best values reached are {reached}. Relax the constraint."
            )
        best = int(np.argmax(np.where(feasible, values, -np.inf)))
        return best, feasible

    def _tune_binary(self, builtin, score_fn, constraint, y, scores, weight, cost, groups):
        self.n_iter_ = 1
        curve = self._curve(builtin, score_fn, y, scores, weight, cost)
        best, _ = self._best_on_curve(curve, constraint)
        self.best_threshold_ = float(curve[0][best])
        self.best_score_ = float(curve[1][best])
        if self.store_cv_results:
            thresholds, values, tp, fp, pos, neg = curve
            self.cv_results_ = {
                "thresholds": thresholds[::-1],
                "scores": values[::-1],
                "precision": obj.binary_metric("precision", tp, fp, pos, neg)[::-1],
                "recall": obj.binary_metric("recall", tp, fp, pos, neg)[::-1],
            }
        if groups is not None:
            self._tune_groups(builtin, score_fn, constraint, y, scores, weight, cost, groups)

    # -- predict ------------------------------------------------------------------

    def predict(self, X, *, groups=None):
        """Predict classes with the tuned decision rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} or list of str
            Input samples, as accepted by ``estimator_``.
        groups : array-like of shape (n_samples,), default=None
            Group of each sample, for models fitted with ``groups``; groups not
            seen in fit, and all samples when ``groups=None``, use
            ``best_threshold_``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted classes.
        """
        check_is_fitted(self, "estimator_")
        scores, _ = self._scores(self.estimator_, X, self.response_method_)
        return self._decide(scores, groups)

    def _decide(self, scores, groups=None):
        """The classes that the tuned rule gives to ``scores`` (from ``_response_scores``)."""
        classes = self.classes_
        if hasattr(self, "offsets_"):
            return classes[np.argmax(scores + self.offsets_, axis=1)]
        thresholds = np.full(scores.shape[0], self.best_threshold_)
        if groups is not None:
            groups = np.asarray(groups)
            if groups.shape != scores.shape:
                raise ValueError(
                    f"groups must have one entry per sample: expected shape {scores.shape}, got "
                    f"{groups.shape}."
                )
            for group, threshold in getattr(self, "group_thresholds_", {}).items():
                thresholds[groups == group] = threshold
        pos = int(np.flatnonzero(classes == self.pos_label_)[0])
        return classes[np.where(scores >= thresholds, pos, 1 - pos)]

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Requests of ``fit``/``predict`` (``groups``, ``sample_cost``) and the
            routing to ``estimator.fit`` and to the splitter's ``split``.
        """
        router = MetadataRouter(owner=self).add_self_request(self).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        if self.cv != "prefit":
            router.add(
                splitter=self._check_cv(None),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        return router
