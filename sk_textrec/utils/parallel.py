"""Batch prediction over Dask collections of texts.

Searches need nothing from sk_textrec to run on Dask: joblib's ``"dask"``
backend sends the fits of any scikit-learn search to a ``dask.distributed``
cluster::

    import joblib
    from dask.distributed import Client

    client = Client("scheduler-address:8786")
    with joblib.parallel_backend("dask"):
        search.fit(texts, y)

:func:`predict_dask` covers the other half, scoring a large table of texts
with a fitted model, one partition at a time on the workers.
"""

import uuid

import numpy as np

from ._optional import import_optional

__all__ = ["predict_dask"]

_METHODS = ("predict_proba", "predict", "decision_function", "transform")


def _outputs_frame(outputs, index, columns):
    import pandas as pd

    if outputs.ndim == 1:
        return pd.Series(outputs, index=index, name=columns)
    return pd.DataFrame(outputs, index=index, columns=columns)


def _predict_partition(part, model, method, column, columns_out):
    texts = part[column]
    if not len(texts):
        empty = np.empty((0,) if isinstance(columns_out, str) else (0, len(columns_out)))
        return _outputs_frame(empty, part.index, columns_out)
    return _outputs_frame(np.asarray(getattr(model, method)(texts)), part.index, columns_out)


def _predict_items(items, model, method):
    items = list(items)
    return list(getattr(model, method)(items)) if items else []


def _output_columns(model, method, outputs):
    """Column names of the output frame: classes, feature names, or one name for 1-D outputs."""
    if outputs.ndim == 1:
        return method
    if method == "transform" and hasattr(model, "get_feature_names_out"):
        return [str(name) for name in model.get_feature_names_out()]
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) == outputs.shape[1]:
        return [str(label) for label in classes]
    return [str(i) for i in range(outputs.shape[1])]


def predict_dask(model, data, *, column=None, method="predict_proba"):
    """Predict with a fitted model over a Dask DataFrame or Bag of texts.

    The model is sent to each worker once, as one task of the graph that
    every partition depends on, and called on whole partitions, so that
    batching, the encoder caches and the thread rule (see the user guide,
    "Scale") apply per partition.

    Parameters
    ----------
    model : fitted estimator or pipeline
        Anything with ``method``, fitted (a BertClassifier, a pipeline with a
        TextEmbedder, a ThresholdTunedClassifier...).
    data : dask.dataframe.DataFrame, dask.dataframe.Series or dask.bag.Bag
        Texts: a column (or two, for text pairs) of a DataFrame, a Series, or
        a Bag of strings (or of 2-tuples for pairs).
    column : str or list of two str, default=None
        The text column(s) of a DataFrame; needed unless it has one column.
    method : {"predict_proba", "predict", "decision_function", "transform"}, \
            default="predict_proba"
        The method of ``model`` to call.

    Returns
    -------
    outputs : dask.dataframe.DataFrame, dask.dataframe.Series or dask.bag.Bag
        Lazy; for DataFrame input, indexed as ``data``: one column per class
        (``predict_proba``, multiclass ``decision_function``) or per feature
        (``transform``), or a Series named ``method``; for a Bag, one output
        per text. Call ``.compute()`` or write it out with ``to_parquet``.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec import TextEmbedder, make_pipeline
    >>> from sk_textrec.utils import make_tiny_bert
    >>> from sk_textrec.utils.parallel import predict_dask
    >>> model = make_pipeline(TextEmbedder(make_tiny_bert()), LogisticRegression())
    >>> model = model.fit(["good", "bad", "great", "awful"], [1, 0, 1, 0])
    >>> reviews = dd.from_pandas(pd.DataFrame({"text": ["nice", "poor", "ok"]}), npartitions=2)
    >>> predict_dask(model, reviews, column="text").compute().shape
    (3, 2)
    """
    if method not in _METHODS:
        raise ValueError(
            f"The 'method' parameter of predict_dask must be one of {_METHODS}. "
            f"Got {method!r} instead."
        )
    if not hasattr(model, method):
        raise ValueError(f"The model has no {method!r} method.")
    dask = import_optional("dask", extra="scale", purpose="predict_dask")
    import dask.bag

    # A named Delayed: dask would otherwise hash the whole model to name it.
    shipped = dask.delayed(model, name=f"sk-textrec-model-{uuid.uuid4().hex}", traverse=False)
    if isinstance(data, dask.bag.Bag):
        return data.map_partitions(_predict_items, shipped, method)
    import_optional("dask.dataframe", extra="scale", purpose="predict_dask")
    import dask.dataframe as dd

    if isinstance(data, dd.Series):
        data, column = data.to_frame(name="text"), "text"
    if not isinstance(data, dd.DataFrame):
        raise TypeError(
            "predict_dask takes a dask DataFrame, Series or Bag of texts; "
            f"got {type(data).__name__}."
        )
    if column is None:
        if len(data.columns) != 1:
            raise ValueError(
                f"The 'column' parameter is needed: the DataFrame has {len(data.columns)} "
                "columns. Name the text column, or two for text pairs."
            )
        column = data.columns[0]
    # The output's columns and dtypes, from two texts predicted here.
    import pandas as pd

    names = [column] if isinstance(column, str) else list(column)
    sample = pd.DataFrame({name: ["a text", "another text"] for name in names})[column]
    outputs = np.asarray(getattr(model, method)(sample))
    columns_out = _output_columns(model, method, outputs)
    meta = _outputs_frame(outputs[:0], data._meta.index, columns_out)
    return data.map_partitions(
        _predict_partition, shipped, method, column, columns_out, meta=meta
    )
