"""Issue 11's share of the parallelism rule: bad input under ``n_jobs > 1`` and threads per worker.

A search with ``n_jobs=2`` must stop on bad data with the same clear error as a
single process (the worker's ValueError naming the row, re-raised in the parent,
not a pickling or worker-crash error), and each joblib worker's torch must use
cores / workers threads (no oversubscription).
"""

import os

import pytest
from joblib import Parallel, delayed
from sklearn.model_selection import GridSearchCV

from sk_textrec import BertClassifier


def _torch_threads():
    import torch

    return torch.get_num_threads()


def test_joblib_workers_use_cores_per_worker():
    n_jobs = 2
    threads = Parallel(n_jobs=n_jobs, backend="loky")(delayed(_torch_threads)() for _ in range(4))
    expected = max(1, (os.cpu_count() or 1) // n_jobs)
    assert set(threads) == {expected}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_search_on_a_bad_text_fails_clearly_in_every_process_count(tiny_bert, reviews, n_jobs):
    texts, y = reviews
    texts = list(texts)
    texts[3] = "fits well \ud800"  # a lone surrogate cannot be encoded
    search = GridSearchCV(
        BertClassifier(tiny_bert, max_epochs=1, batch_size=8), {"lr": [1e-4, 2e-4]}, cv=2,
        n_jobs=n_jobs, error_score="raise",
    )
    with pytest.raises(ValueError, match=r"surrogate"):
        search.fit(texts, y)
