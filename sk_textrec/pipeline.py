"""Pipelines that may contain samplers, with one ``device`` for every step."""

from imblearn.pipeline import make_pipeline as _imblearn_make_pipeline

__all__ = ["make_pipeline", "set_device"]


def set_device(estimator, device):
    """Set the ``device`` parameter of every (nested) estimator that has one.

    Works through pipelines, column transformers, meta-estimators and searches
    such as ``GridSearchCV``: every parameter named ``device`` or ending in
    ``__device`` is set. Nothing is resolved or moved here; each estimator
    resolves its device in ``fit``.

    Parameters
    ----------
    estimator : estimator instance
        Any scikit-learn compatible estimator.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ...

    Returns
    -------
    estimator : estimator instance
        The same object, modified in place.

    Raises
    ------
    TypeError
        If ``estimator`` is not an estimator instance (no ``get_params``).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sk_textrec import TextEmbedder, make_pipeline, set_device
    >>> search = GridSearchCV(make_pipeline(TextEmbedder(), LogisticRegression()),
    ...                       {"logisticregression__C": [0.1, 1.0]})
    >>> set_device(search, "cpu").estimator.steps[0][1].device
    'cpu'
    """
    if isinstance(estimator, type) or not hasattr(estimator, "get_params"):
        what = f"the class {estimator.__name__}" if isinstance(estimator, type) else type(estimator).__name__
        raise TypeError(f"set_device needs an estimator instance (with get_params and set_params); "
                        f"got {what}.")
    names = [
        name
        for name in estimator.get_params(deep=True)
        if name == "device" or name.endswith("__device")
    ]
    # Parents before children: setting a parent's parameter may replace a child.
    for name in sorted(names, key=lambda name: name.count("__")):
        estimator.set_params(**{name: device})
    return estimator


def make_pipeline(*steps, device=None, memory=None, verbose=False):
    """Build an imbalanced-learn Pipeline, optionally with one device for all steps.

    The result is an :class:`imblearn.pipeline.Pipeline`, so samplers (which
    change the number of rows during ``fit`` only) can be steps. Step names are
    the lower-cased class names, as with scikit-learn's ``make_pipeline``.

    Parameters
    ----------
    *steps : estimators
        The steps, in order.
    device : str, default=None
        If given, set as the ``device`` of every step that has one (see
        :func:`set_device`); ``None`` leaves each step's own setting.
    memory : str or joblib.Memory, default=None
        Caches fitted transformers, as in scikit-learn.
    verbose : bool, default=False
        Print the time each step takes.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
        The pipeline.

    Examples
    --------
    >>> from imblearn.over_sampling import RandomOverSampler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec import TextEmbedder, make_pipeline
    >>> pipe = make_pipeline(TextEmbedder(), RandomOverSampler(),
    ...                      LogisticRegression(), device="cpu")
    >>> [name for name, _ in pipe.steps]
    ['textembedder', 'randomoversampler', 'logisticregression']
    >>> pipe.named_steps["textembedder"].device
    'cpu'
    """
    pipeline = _imblearn_make_pipeline(*steps, memory=memory, verbose=verbose)
    if device is not None:
        set_device(pipeline, device)
    return pipeline
