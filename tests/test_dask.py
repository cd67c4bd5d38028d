"""Searches and batch prediction on a two-worker dask.distributed cluster started here."""

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sk_textrec import BertClassifier, TextEmbedder, make_pipeline
from sk_textrec.utils import _parallel
from sk_textrec.utils.parallel import predict_dask

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
dask_bag = pytest.importorskip("dask.bag")
pytest.importorskip("torch")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def _scores_on_dask(client, search, texts, y):
    with distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        search.fit(texts, y)
    return search.cv_results_["mean_test_score"], {task["worker"] for task in stream.data}


@pytest.mark.parametrize("kind", ["embedder", "classifier"])
def test_grid_search_on_dask_matches_one_process(client, tiny_bert, reviews, kind):
    """Check that a search under joblib's dask backend runs on the workers and scores the same."""
    texts, y = reviews
    if kind == "embedder":
        estimator = make_pipeline(TextEmbedder(tiny_bert), LogisticRegression(), device="cpu")
        grid = {"logisticregression__C": [0.1, 10.0]}
    else:
        estimator = BertClassifier(
            tiny_bert, max_epochs=1, batch_size=8, device="cpu", random_state=0
        )
        grid = {"loss": ["cross_entropy", "focal"]}
    scores, workers = _scores_on_dask(client, GridSearchCV(estimator, grid, cv=2), texts, y)
    local = GridSearchCV(estimator, grid, cv=2, n_jobs=1).fit(texts, y)
    assert np.array_equal(scores, local.cv_results_["mean_test_score"])
    assert workers and workers <= set(client.scheduler_info()["workers"])


def test_predict_dask_matches_predict_proba(client, tiny_bert, reviews):
    """Check that predictions over a Dask DataFrame and Bag equal the model's own."""
    texts, y = reviews
    model = BertClassifier(tiny_bert, max_epochs=1, device="cpu", random_state=0).fit(texts, y)
    frame = pd.DataFrame({"text": texts, "id": range(len(texts))})
    ddf = dd.from_pandas(frame, npartitions=3)
    expected = model.predict_proba(texts)
    proba = predict_dask(model, ddf, column="text").compute()
    assert proba.columns.tolist() == ["0", "1"] and proba.index.equals(frame.index)
    assert np.allclose(proba.to_numpy(), expected, atol=1e-6)
    labels = predict_dask(model, ddf["text"], method="predict").compute()
    assert np.array_equal(labels.to_numpy(), model.predict(texts))
    rows = predict_dask(model, dask_bag.from_sequence(texts, npartitions=3)).compute()
    assert np.allclose(np.vstack(rows), expected, atol=1e-6)


def test_predict_dask_rejects_bad_input(tiny_bert, reviews):
    """Check that an unknown method, a missing column and a non-Dask input are clear errors."""
    texts, y = reviews
    model = make_pipeline(TextEmbedder(tiny_bert), LogisticRegression()).fit(texts, y)
    two_columns = dd.from_pandas(pd.DataFrame({"a": texts, "b": texts}), npartitions=2)
    with pytest.raises(ValueError, match="'method' parameter"):
        predict_dask(model, two_columns, column="a", method="fit")
    with pytest.raises(ValueError, match="'column' parameter is needed"):
        predict_dask(model, two_columns)
    with pytest.raises(TypeError, match="dask DataFrame, Series or Bag"):
        predict_dask(model, texts)


def _fit_and_count_threads(model_path):
    import torch

    TextEmbedder(model_path, device="cpu").fit(["a"]).transform(["a text"])
    worker = distributed.get_worker()
    n_tasks = _parallel.tasks_on_host(worker.address, distributed.get_client().nthreads())
    return _parallel.in_parallel_worker(), n_tasks, torch.get_num_threads()


def test_dask_workers_get_cores_per_task(client, tiny_bert):
    """Check that an estimator in a Dask worker sets torch's threads to cores / tasks on the host."""
    inside, n_tasks, n_threads = client.submit(_fit_and_count_threads, tiny_bert, pure=False).result()
    assert inside and n_tasks == 2 and n_threads == max(1, joblib.cpu_count() // 2)
