"""Tests of TextEmbedder."""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from sk_textrec import TextEmbedder, make_pipeline

torch = pytest.importorskip("torch")


def test_text_embedder_shape_dtype_and_names(tiny_bert, reviews):
    """Check that transform returns float32 rows of the model's width, with feature names."""
    texts, _ = reviews
    embedder = TextEmbedder(tiny_bert).fit(texts)
    X = embedder.transform(texts)
    assert X.shape == (len(texts), 32) and X.dtype == np.float32
    assert embedder.get_feature_names_out().tolist()[:2] == ["textembedder0", "textembedder1"]
    assert len(embedder.get_feature_names_out()) == X.shape[1]


def test_text_embedder_normalize(tiny_bert, reviews):
    """Check that normalize=True gives unit rows and normalize=False the raw mean pooling."""
    texts, _ = reviews
    unit = TextEmbedder(tiny_bert).fit(texts).transform(texts)
    raw = TextEmbedder(tiny_bert, normalize=False).fit(texts).transform(texts)
    assert np.allclose(np.linalg.norm(unit, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1.0)
    assert np.allclose(raw / np.linalg.norm(raw, axis=1, keepdims=True), unit, atol=1e-5)


def test_text_embedder_independent_of_batching(tiny_bert, reviews):
    """Check that a text's embedding does not depend on its batch or position."""
    texts, _ = reviews
    embedder = TextEmbedder(tiny_bert, batch_size=5).fit(texts)
    together = embedder.transform(texts)
    alone = np.vstack([embedder.transform([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_text_embedder_in_pipeline(tiny_bert, reviews):
    """Check that TextEmbedder + LogisticRegression works as a pipeline."""
    texts, y = reviews
    pipe = make_pipeline(TextEmbedder(tiny_bert), LogisticRegression(), device="cpu")
    assert pipe.fit(texts, y).predict(texts).shape == (len(texts),)


def test_text_embedder_not_fitted_and_bad_input(tiny_bert):
    """Check that transform needs fit and that bad texts raise clear errors."""
    with pytest.raises(NotFittedError):
        TextEmbedder(tiny_bert).transform(["a"])
    embedder = TextEmbedder(tiny_bert).fit(["a"])
    with pytest.raises(ValueError, match="missing text"):
        embedder.transform(["a", None])
    with pytest.raises(TypeError, match="row 0 is bytes"):
        embedder.transform([b"bytes"])


def test_text_embedder_pickle_round_trip(tiny_bert, reviews, monkeypatch):
    """Check that pickles reproduce embeddings, also for a model saved from a GPU."""
    texts, _ = reviews
    embedder = TextEmbedder(tiny_bert).fit(texts)
    expected = embedder.transform(texts)
    assert np.array_equal(pickle.loads(pickle.dumps(embedder)).transform(texts), expected)
    assert hasattr(embedder, "model_")  # pickling leaves the live estimator whole
    embedder.device_ = "cuda"  # as if fitted on a GPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = pickle.loads(pickle.dumps(embedder))
    assert restored.device_ == "cpu"
    assert np.array_equal(restored.transform(texts), expected)


def test_text_embedder_matches_sentence_transformers(minilm_path):
    """Check that the default settings reproduce sentence-transformers' all-MiniLM-L6-v2."""
    st = pytest.importorskip("sentence_transformers")
    texts = ["This dress fits perfectly and the fabric is soft.", "", "Returned it 😞",
             "质量很好", "short " * 300]
    expected = st.SentenceTransformer(minilm_path, device="cpu").encode(texts)
    ours = TextEmbedder(minilm_path, device="cpu").fit(texts).transform(texts)
    assert np.allclose(ours, expected, atol=1e-5)


def test_text_embedder_default_model_is_packaged_minilm(minilm_path):
    """Check that the default model is the packaged MiniLM (384 dimensions)."""
    embedder = TextEmbedder().fit(["a"])
    assert embedder.n_features_out_ == 384
    assert embedder._model_source() == minilm_path


def test_text_embedder_caps_max_length_at_model_positions(tiny_bert):
    """Check that texts longer than the model's positions are truncated, not a crash."""
    embedder = TextEmbedder(tiny_bert, max_length=10_000).fit(["a"])
    assert embedder.max_length_ == 128  # the tiny BERT's max_position_embeddings
    assert embedder.transform(["great " * 300]).shape == (1, 32)


def test_text_embedder_set_output_pandas(tiny_bert, reviews):
    """Check that set_output(transform="pandas") gives a DataFrame with named columns and the input's index."""
    pd = pytest.importorskip("pandas")
    texts, _ = reviews
    X = pd.Series(texts, index=range(100, 100 + len(texts)))
    embedder = TextEmbedder(tiny_bert, device="cpu").set_output(transform="pandas").fit(X)
    out = embedder.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert out.index.tolist() == X.index.tolist()
    assert out.columns.tolist() == embedder.get_feature_names_out().tolist()
    np.testing.assert_array_equal(out.to_numpy(), TextEmbedder(tiny_bert, device="cpu").fit(X).transform(X))


@pytest.mark.parametrize("verbose, shown", [(0, False), (1, True)])
def test_text_embedder_verbose_progress_bar(tiny_bert, capsys, verbose, shown):
    """Check that verbose shows a progress bar on more than one chunk of texts, and only then."""
    from sk_textrec.models._base import PREDICT_CHUNK_ROWS

    embedder = TextEmbedder(
        tiny_bert, device="cpu", batch_size=512, verbose=verbose, cache_size=0
    ).fit(["a"])
    embedder.transform(["ok"] * (PREDICT_CHUNK_ROWS + 1))
    assert ("embed: 100%" in capsys.readouterr().err) is shown
    embedder.transform(["ok"] * 3)
    assert "embed" not in capsys.readouterr().err
