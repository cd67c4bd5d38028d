"""Tests of multi-task heads: multi-output y, auxiliary targets and the ESMM chain."""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_textrec import BertClassifier, ThresholdTunedClassifier

torch = pytest.importorskip("torch")


def _fast(tiny_bert, **params):
    return BertClassifier(tiny_bert, **{"max_epochs": 2, "lr": 1e-3, "batch_size": 8,
                                        "random_state": 0, **params})


@pytest.fixture
def two_tasks(reviews):
    """Texts, a rare binary column and a three-class string column."""
    texts, y = reviews
    department = np.array(["dresses", "tops", "jeans"] * 8)
    return texts, np.column_stack([y, department]).astype(object), y, department


def test_bert_classifier_multi_output_shapes(tiny_bert, two_tasks):
    """Check scikit-learn's multi-output convention: classes_ and predict_proba per column."""
    texts, Y, y, department = two_tasks
    clf = _fast(tiny_bert).fit(texts, Y)
    assert clf.n_outputs_ == 2 and len(clf.classes_) == 2
    assert clf.classes_[1].tolist() == ["dresses", "jeans", "tops"]
    proba = clf.predict_proba(texts)
    assert [p.shape for p in proba] == [(24, 2), (24, 3)]
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-6)
    y_pred = clf.predict(texts)
    assert y_pred.shape == (24, 2)
    assert set(y_pred[:, 1]) <= set(department)
    assert not hasattr(clf, "decision_function")


def test_bert_classifier_multi_label_indicator(tiny_bert, reviews):
    """Check that an indicator matrix (multi-label) trains one binary head per label."""
    texts, y = reviews
    indicator = np.column_stack([y, 1 - y, np.arange(24) % 2])
    clf = _fast(tiny_bert).fit(texts, indicator)
    assert clf.predict(texts).shape == (24, 3)
    assert all(classes.tolist() == [0, 1] for classes in clf.classes_)


def test_bert_classifier_head_matches_single_task_when_others_weigh_zero(tiny_bert, two_tasks):
    """Check that with the other task at weight 0 a head equals the single-task model."""
    texts, Y, y, _ = two_tasks
    single = _fast(tiny_bert, loss="focal", class_weight="balanced").fit(texts, y)
    multi = _fast(tiny_bert, loss="focal", class_weight="balanced", task_weights=[1, 0]).fit(texts, Y)
    np.testing.assert_allclose(multi.predict_proba(texts)[0], single.predict_proba(texts), atol=1e-5)
    with_aux = _fast(tiny_bert, loss="focal", class_weight="balanced", task_weights=[1, 0]).fit(
        texts, y, auxiliary_targets=Y[:, 1])
    np.testing.assert_allclose(with_aux.predict_proba(texts), single.predict_proba(texts), atol=1e-5)


def test_bert_classifier_multi_task_is_reproducible(tiny_bert, two_tasks):
    """Check that the same seed gives the same multi-task model, and task weights matter."""
    texts, Y, _, _ = two_tasks
    first = _fast(tiny_bert).fit(texts, Y).predict_proba(texts)
    second = _fast(tiny_bert).fit(texts, Y).predict_proba(texts)
    reweighted = _fast(tiny_bert, task_weights=[1.0, 3.0]).fit(texts, Y).predict_proba(texts)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(first[0], reweighted[0])


def test_bert_classifier_per_task_losses_and_class_weights(tiny_bert, two_tasks):
    """Check that loss and class_weight take one value per column of y."""
    texts, Y, _, _ = two_tasks
    clf = _fast(tiny_bert, loss=["focal", "cross_entropy"], class_weight=["balanced", None]).fit(texts, Y)
    assert clf.class_weight_[0][1] > clf.class_weight_[0][0]
    np.testing.assert_array_equal(clf.class_weight_[1], np.ones(3))
    with pytest.raises(ValueError, match="'loss' parameter has 3 entries for 2 columns"):
        _fast(tiny_bert, loss=["focal"] * 3).fit(texts, Y)


def test_bert_classifier_auxiliary_targets_keep_a_single_output_classifier(tiny_bert, two_tasks):
    """Check that auxiliary targets train extra heads but predictions stay those of y."""
    texts, Y, y, department = two_tasks
    clf = _fast(tiny_bert).fit(texts, y, auxiliary_targets=department)
    plain = _fast(tiny_bert).fit(texts, y)
    assert clf.classes_.tolist() == [0, 1] and clf.predict_proba(texts).shape == (24, 2)
    assert [c.tolist() for c in clf.auxiliary_classes_] == [["dresses", "jeans", "tops"]]
    assert clf.decision_function(texts).shape == (24,)
    assert not np.allclose(clf.predict_proba(texts), plain.predict_proba(texts))


def test_bert_classifier_auxiliary_targets_are_routed_in_searches(tiny_bert, two_tasks):
    """Check that auxiliary_targets travel through metadata routing to every fit of a search."""
    texts, _, y, department = two_tasks
    seen = []

    class Recording(BertClassifier):
        def fit(self, X, y, sample_weight=None, auxiliary_targets=None):
            seen.append(None if auxiliary_targets is None else len(auxiliary_targets))
            return super().fit(X, y, sample_weight=sample_weight, auxiliary_targets=auxiliary_targets)

    with sklearn.config_context(enable_metadata_routing=True):
        clf = Recording(tiny_bert, max_epochs=1, batch_size=8, random_state=0)
        clf.set_fit_request(auxiliary_targets=True, sample_weight=False)
        tuned = ThresholdTunedClassifier(clf, cv=0.25, refit=False, random_state=0)
        search = GridSearchCV(tuned, {"estimator__lr": [1e-3, 5e-4]}, cv=StratifiedKFold(2), scoring="f1")
        search.fit(np.asarray(texts, dtype=object), y, auxiliary_targets=department)
    assert len(seen) == 5 and all(n is not None for n in seen)


@pytest.mark.parametrize("Y, params, err_msg", [
    (np.column_stack([[0, 1] * 12, [0, 0, 1] * 8]), {"multi_output": "esmm"}, "purchased=1 without clicked=1 at row 2"),
    (np.column_stack([[0, 1] * 12, [0, 1] * 12, [1, 0] * 12]), {"multi_output": "esmm"}, "2 columns"),
    (np.column_stack([[0, 2] * 12, [0, 1] * 12]), {"multi_output": "esmm"}, "0/1"),
    (np.column_stack([[0, 1] * 12, [0, 1] * 12]), {"multi_output": "esmm", "loss": "focal"}, "loss='cross_entropy' only"),
    (np.column_stack([[0, 1] * 12, [0, 1] * 12]), {"task_weights": [1, 1, 1]}, "3 entries for 2 tasks"),
    (np.column_stack([[0, 1] * 12, [0, 1] * 12]), {"task_weights": [0, 0]}, "not all 0"),
    (np.column_stack([[0, 1] * 12, [1] * 24]), {}, "y column 1 needs samples of at least 2 classes"),
])
def test_bert_classifier_multi_task_errors(tiny_bert, reviews, Y, params, err_msg):
    """Check that inconsistent multi-task targets and parameters raise clear errors."""
    texts, _ = reviews
    with pytest.raises(ValueError, match=err_msg):
        _fast(tiny_bert, **params).fit(texts, Y)


def _click_purchase_data(n_per_kind=200, seed=0):
    """Impressions of three products whose true P(click) and P(purchase | click) are known."""
    truth = {"great toy for kids": (0.8, 0.5), "nice toy": (0.5, 0.2), "cheap broken toy": (0.2, 0.0)}
    rng = np.random.default_rng(seed)
    texts, rows = [], []
    for text, (p_click, p_buy) in truth.items():
        clicked = rng.random(n_per_kind) < p_click
        purchased = clicked & (rng.random(n_per_kind) < p_buy)
        texts += [text] * n_per_kind
        rows.append(np.column_stack([clicked, purchased]).astype(int))
    return texts, np.vstack(rows), truth


def test_bert_classifier_esmm_recovers_the_known_chain(tiny_bert):
    """Check ESMM on synthetic impressions: P(click) and P(click and purchase) match the truth."""
    texts, Y, truth = _click_purchase_data()
    clf = BertClassifier(tiny_bert, multi_output="esmm", max_epochs=6, lr=3e-3, batch_size=32,
                         random_state=0).fit(texts, Y)
    p_click, p_click_purchase = clf.predict_proba(list(truth))
    for row, (click, buy) in enumerate(truth.values()):
        assert abs(p_click[row, 1] - click) < 0.1
        assert abs(p_click_purchase[row, 1] - click * buy) < 0.1
    assert np.all(p_click_purchase[:, 1] <= p_click[:, 1])
    assert clf.predict(list(truth)).shape == (3, 2)
    assert [c.tolist() for c in clf.classes_] == [[0, 1], [0, 1]]


def test_bert_classifier_esmm_purchase_is_defined_for_unclicked_rows(tiny_bert):
    """Check that purchase probabilities exist for every impression and rank as the truth does."""
    texts, Y, truth = _click_purchase_data(n_per_kind=120, seed=1)
    clf = BertClassifier(tiny_bert, multi_output="esmm", max_epochs=4, lr=3e-3, batch_size=32,
                         class_weight=[None, "balanced"], random_state=0).fit(texts, Y)
    _, p_click_purchase = clf.predict_proba(list(truth))
    assert np.all(np.isfinite(p_click_purchase))
    assert p_click_purchase[0, 1] > p_click_purchase[1, 1] > p_click_purchase[2, 1]
    refit = clone(clf).fit(texts, Y)
    np.testing.assert_array_equal(refit.predict_proba(list(truth))[1], p_click_purchase)
