"""ThresholdCurveDisplay: objective, precision and recall against the decision threshold."""

import numpy as np
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from . import _threshold_objectives as obj


class ThresholdCurveDisplay:
    """Objective, precision and recall of a binary classifier against its threshold.

    Build it with :meth:`from_estimator` (a fitted
    :class:`ThresholdTunedClassifier` scored on given data),
    :meth:`from_predictions` (any classifier's scores and the true labels) or
    :meth:`from_cv_results` (the curve a tuner stored while tuning,
    ``store_cv_results=True``). matplotlib is imported only when plotting.

    Parameters
    ----------
    thresholds : ndarray of shape (n_thresholds,)
        Decision thresholds, ascending.
    scores : ndarray of shape (n_thresholds,)
        Objective at each threshold.
    precision, recall : ndarray of shape (n_thresholds,)
        Precision and recall at each threshold.
    best_threshold : float, default=None
        Chosen threshold, marked on the plot.
    objective_name : str, default="objective"
        Label of the objective curve.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure of the plot.
    lines_ : dict of matplotlib Line2D
        The ``"objective"``, ``"precision"`` and ``"recall"`` lines.
    best_point_ : matplotlib Line2D or None
        Marker of the chosen threshold.

    See Also
    --------
    ThresholdTunedClassifier : Tunes the threshold that this display marks.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec.model_selection import ThresholdCurveDisplay, ThresholdTunedClassifier
    >>> X, y = make_classification(n_samples=500, weights=[0.8], random_state=0)
    >>> model = ThresholdTunedClassifier(LogisticRegression(), store_cv_results=True).fit(X, y)
    >>> display = ThresholdCurveDisplay.from_cv_results(model)
    >>> sorted(display.lines_)
    ['objective', 'precision', 'recall']
    """

    def __init__(self, *, thresholds, scores, precision, recall, best_threshold=None,
                 objective_name="objective"):
        self.thresholds = thresholds
        self.scores = scores
        self.precision = precision
        self.recall = recall
        self.best_threshold = best_threshold
        self.objective_name = objective_name

    def plot(self, ax=None, *, name=None):
        """Plot the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when ``None``.
        name : str, default=None
            Title of the plot.

        Returns
        -------
        display : ThresholdCurveDisplay
            Itself, with ``ax_``, ``figure_``, ``lines_`` and ``best_point_`` set.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "ThresholdCurveDisplay needs matplotlib: pip install matplotlib."
            ) from exc
        if ax is None:
            _, ax = plt.subplots()
        finite = np.isfinite(self.thresholds)
        t = np.asarray(self.thresholds)[finite]
        self.lines_ = {
            "objective": ax.plot(t, np.asarray(self.scores)[finite], label=self.objective_name)[0],
            "precision": ax.plot(t, np.asarray(self.precision)[finite], "--", label="precision")[0],
            "recall": ax.plot(t, np.asarray(self.recall)[finite], ":", label="recall")[0],
        }
        self.best_point_ = None
        if self.best_threshold is not None:
            k = int(np.argmin(np.abs(t - self.best_threshold)))
            self.best_point_ = ax.plot(
                [t[k]], [np.asarray(self.scores)[finite][k]], "o", color="black",
                label=f"chosen threshold {self.best_threshold:.3g}",
            )[0]
            ax.axvline(t[k], color="grey", linewidth=0.8)
        ax.set_xlabel("decision threshold")
        ax.set_ylabel("value")
        if name is not None:
            ax.set_title(name)
        ax.legend(loc="best")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @staticmethod
    def _objective_name(model):
        objective = model.objective
        return objective if isinstance(objective, str) else getattr(objective, "__name__", "objective")

    @classmethod
    def from_cv_results(cls, model, *, ax=None, name=None):
        """Plot the curve a :class:`ThresholdTunedClassifier` stored while tuning.

        Parameters
        ----------
        model : ThresholdTunedClassifier
            Fitted on a binary target with ``store_cv_results=True``.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        name : str, default=None
            Title of the plot.

        Returns
        -------
        display : ThresholdCurveDisplay
        """
        check_is_fitted(model, "best_threshold_")
        if not hasattr(model, "cv_results_"):
            raise ValueError("The model has no cv_results_; fit it with store_cv_results=True.")
        r = model.cv_results_
        return cls(
            thresholds=r["thresholds"], scores=r["scores"], precision=r["precision"],
            recall=r["recall"], best_threshold=model.best_threshold_,
            objective_name=cls._objective_name(model),
        ).plot(ax=ax, name=name)

    @classmethod
    def from_estimator(cls, model, X, y, *, ax=None, name=None):
        """Plot the curve of a fitted :class:`ThresholdTunedClassifier` on data ``X, y``.

        The objective is the model's built-in one (F1 for scorer objectives,
        which are not recomputed); the marked point is its ``best_threshold_``.

        Parameters
        ----------
        model : ThresholdTunedClassifier
            Fitted on a binary target.
        X : array-like or list of str
            Samples, as accepted by the model.
        y : array-like of shape (n_samples,)
            Their labels.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        name : str, default=None
            Title of the plot.

        Returns
        -------
        display : ThresholdCurveDisplay
        """
        check_is_fitted(model, "best_threshold_")
        scores, _ = model._scores(model.estimator_, X, model.response_method_)
        objective = model.objective if model.objective in obj.BINARY_OBJECTIVES else "f1"
        return cls._from_scores(y, scores, model.pos_label_, "f1" if objective == "cost" else objective,
                                model.beta, model.best_threshold_, ax, name)

    @classmethod
    def from_predictions(cls, y_true, y_score, *, pos_label=None, objective="f1", beta=1.0,
                         best_threshold=None, ax=None, name=None):
        """Plot the curves of scores of the positive class against the true labels.

        For any binary classifier's scores, e.g. ``predict_proba(X)[:, 1]``,
        with no :class:`ThresholdTunedClassifier` needed.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels, of two classes.
        y_score : array-like of shape (n_samples,)
            Score of the positive class (a probability or a decision value).
        pos_label : int, bool or str, default=None
            The positive class; ``None`` is the greater label.
        objective : str, default="f1"
            A built-in binary objective of :class:`ThresholdTunedClassifier`
            (``"f1"``, ``"fbeta"``, ``"balanced_accuracy"``, ``"youden"``, ...).
        beta : float, default=1.0
            Beta of ``"fbeta"``.
        best_threshold : float, default=None
            A threshold to mark (e.g. a model's ``best_threshold_``).
        ax : matplotlib Axes, default=None
            Axes to draw on.
        name : str, default=None
            Title of the plot.

        Returns
        -------
        display : ThresholdCurveDisplay
        """
        y_true = column_or_1d(y_true)
        y_score = column_or_1d(y_score).astype(float)
        check_consistent_length(y_true, y_score)
        classes = np.unique(y_true)
        if classes.size != 2:
            raise ValueError(f"y_true must hold two classes; got {classes.tolist()}.")
        pos_label = classes[-1] if pos_label is None else pos_label
        if pos_label not in classes.tolist():
            raise ValueError(f"pos_label={pos_label!r} is not a class of y_true: {classes.tolist()}.")
        objectives = [o for o in obj.BINARY_OBJECTIVES if o != "cost"]
        if objective not in objectives:
            raise ValueError(f"objective must be one of {objectives}; got {objective!r}.")
        return cls._from_scores(y_true, y_score, pos_label, objective, beta, best_threshold, ax, name)

    @classmethod
    def _from_scores(cls, y, scores, pos_label, objective, beta, best_threshold, ax, name):
        y = np.asarray(y)
        thresholds, values, tp, fp, pos, neg = obj.binary_curve(
            objective, y == pos_label, scores, np.ones(len(y)), beta=beta)
        return cls(
            thresholds=thresholds[::-1], scores=values[::-1],
            precision=obj.binary_metric("precision", tp, fp, pos, neg)[::-1],
            recall=obj.binary_metric("recall", tp, fp, pos, neg)[::-1],
            best_threshold=best_threshold, objective_name=objective,
        ).plot(ax=ax, name=name)
