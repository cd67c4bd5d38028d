"""Tests of text-pair input (title + body, query + product) in the BERT estimators."""

import numpy as np
import pytest

from sk_textrec import BertClassifier, TextEmbedder

pd = pytest.importorskip("pandas")

TITLES = ["Love it", "Returned", "", "Perfect", "Too small", ""] * 4
BODIES = ["great dress, soft fabric", "terrible quality, broken", "love it, great fit",
          "perfect gift for kids", "too small and cheap", "awful, would not buy"] * 4
LABELS = np.array([0, 1, 0, 0, 1, 1] * 4)


def _fast(tiny_bert, **params):
    return BertClassifier(tiny_bert, **{"max_epochs": 2, "lr": 1e-3, "batch_size": 8,
                                        "random_state": 0, **params})


def test_bert_classifier_pair_containers_agree(tiny_bert):
    """Check that a DataFrame, an (n, 2) array and a list of 2-tuples are the same pairs."""
    frame = pd.DataFrame({"title": TITLES, "text": BODIES})
    inputs = [frame, frame.to_numpy(dtype=object), list(zip(TITLES, BODIES))]
    probas = [_fast(tiny_bert).fit(X, LABELS).predict_proba(X) for X in inputs]
    for proba in probas[1:]:
        np.testing.assert_allclose(proba, probas[0], atol=1e-6)


def test_bert_classifier_pairs_differ_from_text_alone(tiny_bert):
    """Check that the title is used: pairs give other outputs than the body alone."""
    pairs = list(zip(TITLES, BODIES))
    on_pairs = _fast(tiny_bert).fit(pairs, LABELS)
    on_texts = _fast(tiny_bert).fit(BODIES, LABELS)
    assert on_pairs.n_text_fields_ == 2 and on_texts.n_text_fields_ == 1
    assert not np.allclose(on_pairs.predict_proba(pairs), on_texts.predict_proba(BODIES))


def test_bert_classifier_pair_column_order_is_checked(tiny_bert):
    """Check that a DataFrame with its columns swapped is refused, not read the wrong way round."""
    frame = pd.DataFrame({"title": TITLES, "text": BODIES})
    clf = _fast(tiny_bert, max_epochs=1).fit(frame, LABELS)
    assert clf.feature_names_in_.tolist() == ["title", "text"]
    with pytest.raises(ValueError, match=r"columns \['text', 'title'\].*order matters"):
        clf.predict(frame[["text", "title"]])
    assert clf.predict(frame.to_numpy(dtype=object)).shape == (24,)


def test_bert_classifier_pairs_are_length_grouped_on_the_pair(tiny_bert):
    """Check that a pair's length (both texts) decides its batch: outputs batch-invariant."""
    pairs = list(zip(TITLES, BODIES))
    clf = _fast(tiny_bert, max_epochs=1).fit(pairs, LABELS)
    together = clf.predict_proba(pairs)
    alone = np.vstack([clf.predict_proba([pair]) for pair in pairs[:6]])
    np.testing.assert_allclose(alone, together[:6], atol=1e-5)


def test_bert_classifier_pairs_head_and_tail(tiny_bert):
    """Check that head+tail truncation trains on pairs and changes what long texts keep."""
    long_bodies = [body + ", " + " ".join(["very"] * 60) + " " + body for body in BODIES]
    pairs = list(zip(TITLES, long_bodies))
    head = _fast(tiny_bert, max_epochs=1, max_length=24).fit(pairs, LABELS)
    head_tail = _fast(tiny_bert, max_epochs=1, max_length=24, truncation="head+tail").fit(pairs, LABELS)
    assert not np.allclose(head.predict_proba(pairs), head_tail.predict_proba(pairs))


def test_text_embedder_pairs(tiny_bert):
    """Check that TextEmbedder embeds pairs into one vector per row, and refuses single texts then."""
    pairs = list(zip(TITLES, BODIES))
    embedder = TextEmbedder(tiny_bert).fit(pairs)
    embeddings = embedder.transform(pairs)
    assert embeddings.shape == (24, 32)
    assert not np.allclose(embeddings, TextEmbedder(tiny_bert).fit(BODIES).transform(BODIES))
    with pytest.raises(ValueError, match="fitted on text pairs"):
        embedder.transform(BODIES)
