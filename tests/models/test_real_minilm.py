"""One test per training capability on the real packaged all-MiniLM-L6-v2 and real reviews.

Each trains one short epoch on a few hundred clothing reviews (skipped without
the shared data), and checks behaviour, not scores: the capability runs end to
end on the real model, its tokenizer and its token type ids.
"""

import numpy as np
import pytest
from scipy.stats import spearmanr

from sk_textrec import BertClassifier
from sk_textrec.models import BertRegressor

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(clothing_reviews):
    """160 reviews with titles (13% empty), rating, recommendation and department."""
    return clothing_reviews.sample(n=160, random_state=0).reset_index(drop=True)


def _minilm(minilm_path, estimator=BertClassifier, **params):
    defaults = dict(max_epochs=1, max_length=48, batch_size=16, lr=1e-4, random_state=0)
    return estimator(minilm_path, **{**defaults, **params})


def test_real_minilm_title_text_pairs(minilm_path, sample):
    """Check that (title, text) pairs train with token types and that the order matters."""
    pairs, y = sample[["title", "text"]], (sample["rating"] <= 2).astype(int)
    clf = _minilm(minilm_path, class_weight="balanced").fit(pairs, y)
    swapped = sample[["text", "title"]].to_numpy(dtype=object)
    proba = clf.predict_proba(pairs)
    assert proba.shape == (160, 2) and clf.n_text_fields_ == 2
    assert not np.allclose(proba, clf.predict_proba(swapped))


def test_real_minilm_auxiliary_targets(minilm_path, sample):
    """Check that not-recommended and department heads change the rating<=2 model."""
    texts, y = sample["text"], (sample["rating"] <= 2).astype(int)
    aux = sample[["recommended_ind", "department_name"]]
    with_aux = _minilm(minilm_path).fit(texts, y, auxiliary_targets=aux)
    plain = _minilm(minilm_path).fit(texts, y)
    assert with_aux.classes_.tolist() == [0, 1] and len(with_aux.auxiliary_classes_) == 2
    assert not np.allclose(with_aux.predict_proba(texts), plain.predict_proba(texts))


def test_real_minilm_esmm_chain(minilm_path, sample):
    """Check ESMM on impressions made from reviews: purchase probabilities below click ones."""
    clicked = (sample["rating"] >= 3).astype(int)
    purchased = clicked * sample["recommended_ind"]
    clf = _minilm(minilm_path, multi_output="esmm").fit(sample["text"], np.column_stack([clicked, purchased]))
    p_click, p_click_purchase = clf.predict_proba(sample["text"])
    assert np.all(p_click_purchase[:, 1] <= p_click[:, 1] + 1e-7)


def test_real_minilm_fgm(minilm_path, sample):
    """Check that FGM adversarial training runs on the real embeddings and changes the model."""
    texts, y = sample["text"], (sample["rating"] <= 2).astype(int)
    fgm = _minilm(minilm_path, adversarial="fgm").fit(texts, y)
    plain = _minilm(minilm_path).fit(texts, y)
    assert not np.allclose(fgm.predict_proba(texts), plain.predict_proba(texts))


def test_real_minilm_early_stopping_on_average_precision(minilm_path, sample):
    """Check that average precision on the validation rows is recorded for each epoch."""
    texts, y = sample["text"], (sample["rating"] <= 2).astype(int)
    clf = _minilm(minilm_path, max_epochs=2, validation_fraction=0.25,
                  early_stopping_scoring="average_precision").fit(texts, y)
    assert len(clf.net_.history[:, "valid_average_precision"]) == clf.n_epochs_


def test_real_minilm_head_and_tail_truncation(minilm_path, sample):
    """Check that head+tail keeps other tokens than head for long reviews."""
    texts, y = sample["text"], (sample["rating"] <= 2).astype(int)
    clf = _minilm(minilm_path, max_length=32, truncation="head+tail").fit(texts, y)
    long_text = np.array([max(texts, key=len)], dtype=object)
    head_ids = clf.set_params(truncation="head")._tokenize(long_text)[0][0]
    tail_ids = clf.set_params(truncation="head+tail")._tokenize(long_text)[0][0]
    assert len(head_ids) == len(tail_ids) == 32 and head_ids.tolist() != tail_ids.tolist()


def test_real_minilm_regressor_ranks_ratings(minilm_path, sample):
    """Check that BertRegressor on star ratings ranks the training reviews better than chance."""
    reg = _minilm(minilm_path, BertRegressor, max_epochs=2, lr=2e-4).fit(sample["text"], sample["rating"])
    assert spearmanr(reg.predict(sample["text"]), sample["rating"]).statistic > 0.2
