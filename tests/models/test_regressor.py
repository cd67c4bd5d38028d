"""Tests of BertRegressor (tiny BERT)."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.model_selection import GridSearchCV

from sk_textrec import MMRReranker
from sk_textrec.models import BertRegressor

torch = pytest.importorskip("torch")

TEXTS = ["great dress, love it", "terrible, returned it", "it is okay", "perfect fit, soft",
         "awful quality, broken", "fine, nothing special"] * 4
STARS = np.array([5.0, 1.0, 3.0, 5.0, 1.0, 3.0] * 4)


def _fast(tiny_bert, **params):
    return BertRegressor(tiny_bert, **{"max_epochs": 15, "lr": 3e-3, "batch_size": 8,
                                       "random_state": 0, **params})


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_bert_regressor_learns_ratings(tiny_bert, loss):
    """Check that predictions rank the training ratings and sit on their scale."""
    reg = _fast(tiny_bert, loss=loss).fit(TEXTS, STARS)
    predictions = reg.predict(TEXTS)
    assert predictions.shape == (24,) and predictions.dtype == np.float64
    assert spearmanr(predictions, STARS).statistic > 0.5
    assert 1.0 <= predictions.mean() <= 5.0
    assert reg.target_mean_.tolist() == [3.0] and reg.n_outputs_ == 1


def test_bert_regressor_multi_output_and_pairs(tiny_bert):
    """Check two target columns from (query, product) pairs: one prediction column each."""
    pairs = [("red dress", text) for text in TEXTS]
    Y = np.column_stack([STARS, STARS * 10])
    reg = _fast(tiny_bert, max_epochs=2).fit(pairs, Y)
    assert reg.predict(pairs).shape == (24, 2) and reg.n_text_fields_ == 2


def test_bert_regressor_standardisation_does_not_depend_on_scale(tiny_bert):
    """Check that scaling the targets scales the predictions: training sees standardised targets."""
    small = _fast(tiny_bert, max_epochs=3).fit(TEXTS, STARS).predict(TEXTS)
    large = _fast(tiny_bert, max_epochs=3).fit(TEXTS, STARS * 1000 + 7).predict(TEXTS)
    np.testing.assert_allclose(large, small * 1000 + 7, rtol=1e-4)


def test_bert_regressor_early_stopping_on_a_scorer(tiny_bert):
    """Check early stopping on a regression scorer recorded in the history."""
    reg = _fast(tiny_bert, max_epochs=4, validation_fraction=0.25,
                early_stopping_scoring="neg_mean_absolute_error").fit(TEXTS, STARS)
    assert all(score <= 0 for score in reg.net_.history[:, "valid_neg_mean_absolute_error"])


def test_bert_regressor_in_grid_search(tiny_bert):
    """Check clone, set_params and scoring in GridSearchCV."""
    search = GridSearchCV(_fast(tiny_bert, max_epochs=1), {"loss": ["mse", "huber"]}, cv=2)
    search.fit(TEXTS, STARS)
    assert search.best_params_["loss"] in ("mse", "huber")


def test_bert_regressor_predictions_feed_mmr_reranker(tiny_bert):
    """Check that predicted relevance grades of (query, product) pairs can be re-ranked."""
    products = ["red dress", "blue dress", "red shoes", "toy car"]
    queries = ["dress", "red"]
    pairs = [(q, p) for q in queries for p in products]
    grades = [3.0, 2.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0]
    reg = _fast(tiny_bert, max_epochs=3).fit(pairs, grades)
    relevance = reg.predict(pairs).reshape(len(queries), len(products))
    categories = np.array(["dresses", "dresses", "shoes", "toys"])
    reranker = MMRReranker(categories, similarity="category", k=3).fit(relevance)
    lists = reranker.predict(relevance)
    assert len(lists) == 2 and all(len(items) == 3 for items in lists)


@pytest.mark.parametrize("y, err_type, err_msg", [
    ([1.0, np.nan] * 12, ValueError, "missing or infinite target at row 1"),
    (["a", "b"] * 12, TypeError, "y must hold numbers; row 0 is str"),
    ([1.0] * 5, ValueError, "inconsistent numbers of samples"),
])
def test_bert_regressor_bad_targets(tiny_bert, y, err_type, err_msg):
    """Check that missing, non-numeric and misaligned targets raise clear errors."""
    with pytest.raises(err_type, match=err_msg):
        _fast(tiny_bert).fit(TEXTS, y)
