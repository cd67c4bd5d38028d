"""Tests of make_product_reviews, the synthetic imbalanced review generator."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from sk_textrec.datasets import make_product_reviews


def test_make_product_reviews_returns_texts_and_int_labels():
    """Check that texts are a 1-D object array of str and y a 1-D int array of 0/1."""
    texts, y = make_product_reviews(n_samples=50, random_state=0)
    assert isinstance(texts, np.ndarray) and texts.dtype == object
    assert texts.shape == y.shape == (50,)
    assert all(isinstance(text, str) and text for text in texts)
    assert np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y).tolist()) <= {0, 1}


@pytest.mark.parametrize(
    "n_samples, positive_rate", [(1000, 0.1), (333, 0.05), (10, 0.5), (7, 0.0), (7, 1.0)]
)
def test_make_product_reviews_positive_count_is_exact(n_samples, positive_rate):
    """Check that exactly round(positive_rate * n_samples) rows are negative reviews."""
    _, y = make_product_reviews(n_samples, positive_rate=positive_rate, random_state=0)
    assert int(y.sum()) == round(positive_rate * n_samples)


def test_make_product_reviews_same_seed_same_output():
    """Check that the same seed gives identical texts, labels and ratings."""
    texts_a, y_a = make_product_reviews(300, random_state=42)
    texts_b, y_b = make_product_reviews(300, random_state=42)
    assert texts_a.tolist() == texts_b.tolist()
    np.testing.assert_array_equal(y_a, y_b)
    frame_a = make_product_reviews(300, random_state=42, as_frame=True)
    frame_b = make_product_reviews(300, random_state=42, as_frame=True)
    assert frame_a.equals(frame_b)


def test_make_product_reviews_different_seeds_differ():
    """Check that different seeds give different texts and label orders."""
    texts_a, y_a = make_product_reviews(300, random_state=0)
    texts_b, y_b = make_product_reviews(300, random_state=1)
    assert texts_a.tolist() != texts_b.tolist()
    assert not np.array_equal(y_a, y_b)


def test_make_product_reviews_accepts_random_state_instance():
    """Check that a RandomState instance seeds the generator like an int."""
    texts_a, _ = make_product_reviews(50, random_state=np.random.RandomState(3))
    texts_b, _ = make_product_reviews(50, random_state=3)
    assert texts_a.tolist() == texts_b.tolist()


def test_make_product_reviews_lengths_and_variety():
    """Check that reviews have 5 to 60 words, varied lengths and few duplicates."""
    texts, _ = make_product_reviews(2000, random_state=0)
    n_words = np.array([len(text.split()) for text in texts])
    assert n_words.min() >= 5
    assert n_words.max() <= 60
    assert n_words.std() > 5
    assert len(set(texts.tolist())) > 0.9 * len(texts)


def test_make_product_reviews_as_frame_columns_and_ratings():
    """Check that the frame has text, rating and label, with 1-2 stars for label 1."""
    frame = make_product_reviews(500, positive_rate=0.2, random_state=0, as_frame=True)
    assert frame.columns.tolist() == ["text", "rating", "label"]
    assert len(frame) == 500
    assert set(frame.loc[frame["label"] == 1, "rating"]) <= {1, 2}
    assert set(frame.loc[frame["label"] == 0, "rating"]) <= {3, 4, 5}
    texts, y = make_product_reviews(500, positive_rate=0.2, random_state=0)
    assert frame["text"].tolist() == texts.tolist()
    np.testing.assert_array_equal(frame["label"].to_numpy(), y)


def test_make_product_reviews_as_frame_without_pandas(monkeypatch):
    """Check that as_frame=True without pandas raises an ImportError naming the extra."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"sk-textrec\[dev\]"):
        make_product_reviews(10, random_state=0, as_frame=True)


def _cv_balanced_accuracy(noise):
    texts, y = make_product_reviews(600, positive_rate=0.2, noise=noise, random_state=0)
    model = make_pipeline(
        TfidfVectorizer(), LogisticRegression(class_weight="balanced", max_iter=1000)
    )
    return cross_val_score(model, texts, y, cv=3, scoring="balanced_accuracy").mean()


def test_make_product_reviews_noise_makes_the_task_harder():
    """Check that more noise lowers a TF-IDF model's balanced accuracy, down to chance."""
    clean, noisy, all_noise = (_cv_balanced_accuracy(noise) for noise in (0.0, 0.4, 1.0))
    assert clean > noisy > all_noise
    assert all_noise < 0.6


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"n_samples": 0}, ValueError, "The 'n_samples' parameter"),
        ({"n_samples": 1.5}, ValueError, "The 'n_samples' parameter"),
        ({"positive_rate": 1.5}, ValueError, "The 'positive_rate' parameter"),
        ({"positive_rate": -0.1}, ValueError, "The 'positive_rate' parameter"),
        ({"noise": 2}, ValueError, "The 'noise' parameter"),
        ({"random_state": "seed"}, ValueError, "The 'random_state' parameter"),
        ({"as_frame": "yes"}, ValueError, "The 'as_frame' parameter"),
    ],
)
def test_make_product_reviews_invalid_params(params, err_type, err_msg):
    """Check that invalid parameters raise errors that name the parameter."""
    with pytest.raises(err_type, match=err_msg):
        make_product_reviews(**params)


def test_make_product_reviews_import_is_light():
    """Check that importing sk_textrec.datasets imports neither torch nor transformers."""
    code = (
        "import sys, sk_textrec.datasets; "
        "print(sorted({'torch', 'transformers', 'skorch'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
