"""Tests of compressed CPU inference (int8, ONNX Runtime) and distillation of the BERT estimators."""

import copy
import pickle
import sys

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sk_textrec import BertClassifier, BertRegressor, load, save

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

COMPRESSED = ["int8", "onnx", "onnx-int8"]
GOOD = ["great dress, love it", "perfect fit and soft fabric", "beautiful colour, love it",
        "really comfortable, great buy", "excellent quality, perfect"]
BAD = ["terrible, returned it", "awful quality, broken", "too small and cheap fabric",
       "disappointed, terrible fit", "cheap and broken, awful"]
TEXTS = (GOOD + BAD) * 3
LABELS = np.array(([1] * 5 + [0] * 5) * 3)


def _fast(tiny_bert, cls=BertClassifier, **params):
    return cls(tiny_bert, **{"max_epochs": 3, "lr": 1e-3, "batch_size": 8, "device": "cpu",
                             "random_state": 0, **params})


@pytest.fixture(scope="module")
def fitted(tiny_bert):
    """A classifier fitted with fp32 inference on the toy reviews (copy it before changing it)."""
    return _fast(tiny_bert).fit(TEXTS, LABELS)


def _with(estimator, inference):
    return copy.deepcopy(estimator).set_params(inference=inference)


def _assert_close(inference, compressed, fp32):
    """ONNX computes what torch computes; int8 rounds the weights, so only the decisions must hold."""
    assert compressed.shape == fp32.shape
    if inference == "onnx":
        np.testing.assert_allclose(compressed, fp32, atol=1e-4)
    else:
        np.testing.assert_allclose(compressed, fp32, atol=0.05)
        assert np.mean(compressed.argmax(axis=1) == fp32.argmax(axis=1)) >= 0.9


@pytest.mark.parametrize("inference", COMPRESSED)
def test_bert_classifier_compressed_predictions_follow_fp32(fitted, inference):
    """Check that compressed predictions have the fp32 shape, order and classes, and are close."""
    clf = _with(fitted, inference)
    fp32 = fitted.predict_proba(TEXTS)
    _assert_close(inference, clf.predict_proba(TEXTS), fp32)
    # The order of the rows is the caller's, whatever the length sorting inside.
    # (int8 scales activations per batch, so other batches change the last digits.)
    _assert_close(inference, clf.predict_proba(TEXTS[::-1])[::-1], clf.predict_proba(TEXTS))
    predicted = clf.predict(TEXTS)
    assert predicted.shape == (len(TEXTS),) and set(predicted) <= set(fitted.classes_)
    assert clf.decision_function(TEXTS).shape == (len(TEXTS),)


def test_bert_classifier_fit_compresses_at_the_end(tiny_bert, fitted):
    """Check that fit with inference='onnx' trains the same weights and predicts through ONNX."""
    clf = _fast(tiny_bert, inference="onnx").fit(TEXTS, LABELS)
    assert clf._inference_engine[0] == "onnx"
    np.testing.assert_allclose(clf.predict_proba(TEXTS), fitted.predict_proba(TEXTS), atol=1e-4)
    # The fp32 weights are kept: switching back gives fp32 predictions exactly.
    clf.set_params(inference="fp32")
    np.testing.assert_allclose(clf.predict_proba(TEXTS), fitted.predict_proba(TEXTS), atol=1e-6)


def test_bert_classifier_set_params_switches_engines_after_fit(fitted):
    """Check that set_params(inference=...) alone changes the engine used at the next prediction."""
    clf = _with(fitted, "int8")
    int8 = clf.predict_proba(TEXTS)
    assert clf._inference_engine[0] == "int8"
    onnx = clf.set_params(inference="onnx").predict_proba(TEXTS)
    assert clf._inference_engine[0] == "onnx"
    np.testing.assert_allclose(onnx, fitted.predict_proba(TEXTS), atol=1e-4)
    assert not np.allclose(int8, onnx, atol=1e-6)
    np.testing.assert_allclose(clf.set_params(inference="int8").predict_proba(TEXTS), int8, atol=1e-6)


@pytest.mark.parametrize("inference", COMPRESSED)
def test_bert_classifier_compressed_pairs(tiny_bert, inference):
    """Check that text pairs work compressed (token_type_ids reach the graph), close to fp32."""
    pairs = [(text.split(",")[0], text) for text in TEXTS]
    clf = _fast(tiny_bert, max_epochs=2).fit(pairs, LABELS)
    fp32 = clf.predict_proba(pairs)
    compressed = _with(clf, inference)
    _assert_close(inference, compressed.predict_proba(pairs), fp32)
    # The second text matters in the compressed model too.
    swapped = [(b, a) for a, b in pairs]
    assert not np.allclose(compressed.predict_proba(swapped), compressed.predict_proba(pairs))


def test_bert_classifier_compressed_multi_task_heads(tiny_bert):
    """Check that every head of a 2-column y with an auxiliary head survives compression."""
    department = np.array(["dresses", "tops", "jeans"] * 10)
    Y = np.column_stack([LABELS, 1 - LABELS])
    clf = _fast(tiny_bert, max_epochs=2).fit(TEXTS, Y, auxiliary_targets=department)
    fp32 = clf.predict_proba(TEXTS)
    for inference in ["onnx", "int8"]:
        compressed = _with(clf, inference).predict_proba(TEXTS)
        assert len(compressed) == len(fp32) == 2
        for column, reference in zip(compressed, fp32):
            _assert_close(inference, column, reference)
        assert _with(clf, inference).predict(TEXTS).shape == (len(TEXTS), 2)


@pytest.mark.parametrize("inference", ["int8", "onnx"])
def test_bert_regressor_compressed_predictions(tiny_bert, inference):
    """Check that compressed regressor predictions are on the target scale, close to fp32."""
    stars = LABELS * 4.0 + 1
    reg = _fast(tiny_bert, BertRegressor, max_epochs=2).fit(TEXTS, stars)
    fp32 = reg.predict(TEXTS)
    compressed = _with(reg, inference).predict(TEXTS)
    assert compressed.shape == fp32.shape
    np.testing.assert_allclose(compressed, fp32, atol=1e-4 if inference == "onnx" else 0.2)


@pytest.mark.parametrize("inference", ["onnx", "onnx-int8", "int8"])
def test_bert_classifier_pickle_round_trip_compresses_again(fitted, inference):
    """Check that pickles hold no engine (ONNX sessions cannot be pickled) and rebuild it."""
    clf = _with(fitted, inference)
    before = clf.predict_proba(TEXTS)
    engine = clf._inference_engine
    loaded = pickle.loads(pickle.dumps(clf))
    assert clf._inference_engine is engine  # pickling leaves the original as it was
    assert "_inference_engine" not in vars(loaded)
    assert loaded.inference == inference
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), before, atol=1e-6)
    assert loaded._inference_engine[0] == inference


@pytest.mark.parametrize("inference", ["onnx-int8", "int8"])
def test_bert_classifier_save_load_keeps_the_setting(fitted, inference, tmp_path):
    """Check that sk_textrec.save stores fp32 weights + the setting and load compresses again."""
    clf = _with(fitted, inference)
    before = clf.predict_proba(TEXTS)
    loaded = load(save(clf, tmp_path / "model"))
    assert loaded.inference == inference
    assert loaded._inference_engine[0] == inference
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), before, atol=1e-5)
    loaded.set_params(inference="fp32")
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), fitted.predict_proba(TEXTS), atol=1e-6)


def test_bert_classifier_bad_inference_value(tiny_bert, fitted):
    """Check that an unknown setting fails in fit, and after fit at the next prediction."""
    with pytest.raises(InvalidParameterError, match="'inference' parameter"):
        _fast(tiny_bert, inference="int4").fit(TEXTS, LABELS)
    clf = _with(fitted, "int4")
    with pytest.raises(ValueError, match=r"'inference' parameter must be one of .*'onnx-int8'.*'int4'"):
        clf.predict(TEXTS)


@pytest.mark.parametrize("inference", ["onnx", "onnx-int8"])
def test_bert_classifier_missing_onnxruntime_names_the_extra(fitted, inference, monkeypatch):
    """Check that the ONNX options without onnx/onnxruntime say which extra to install."""
    monkeypatch.setitem(sys.modules, "onnx", None)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r"pip install 'sk-textrec\[onnx\]'"):
        _with(fitted, inference).predict(TEXTS)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_bert_classifier_compressed_inference_of_a_cuda_model_runs_on_the_cpu(tiny_bert):
    """Check that a model trained on CUDA predicts compressed on the CPU, with a warning."""
    clf = _fast(tiny_bert, device="cuda", max_epochs=1).fit(TEXTS, LABELS)
    fp32 = clf.predict_proba(TEXTS)
    clf.set_params(inference="onnx")
    with pytest.warns(UserWarning, match="runs on the CPU"):
        onnx = clf.predict_proba(TEXTS)
    np.testing.assert_allclose(onnx, fp32, atol=1e-2)  # fp32 on CUDA may autocast to bf16
    assert next(clf.net_.module_.parameters()).device.type == "cuda"


@pytest.fixture(scope="module")
def student(tiny_bert):
    """A 1-layer student of a 2-layer teacher trained to separate the toy reviews."""
    teacher = _fast(tiny_bert, max_epochs=8, inference="int8").fit(TEXTS, LABELS)
    return teacher, teacher.distill(TEXTS, n_layers=1, max_epochs=8)


def test_bert_classifier_distill_student_is_a_smaller_fitted_classifier(student):
    """Check that the student has k layers, the teacher's labels and setting, and agrees on most rows."""
    teacher, student = student
    assert type(student) is BertClassifier
    assert len(teacher.net_.module_.encoder.encoder.layer) == 2
    assert len(student.net_.module_.encoder.encoder.layer) == 1
    assert student.net_.module_.encoder.config.num_hidden_layers == 1
    assert student.classes_.tolist() == teacher.classes_.tolist()
    assert student.inference == "int8" and student._inference_engine[0] == "int8"
    assert np.mean(teacher.predict(TEXTS) == LABELS) == 1  # the task is learnable
    assert np.mean(student.predict(TEXTS) == teacher.predict(TEXTS)) >= 0.8
    assert student.predict_proba(TEXTS).shape == (len(TEXTS), 2)
    assert student.n_epochs_ == 8
    # The teacher is left as it was.
    assert len(teacher.net_.module_.encoder.encoder.layer) == 2


def test_bert_classifier_distill_student_pickles_and_saves(student, tmp_path):
    """Check that the student survives pickle and sk_textrec.save/load (its config has 1 layer)."""
    _, student = student
    expected = student.predict_proba(TEXTS)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(student)).predict_proba(TEXTS), expected, atol=1e-6)
    loaded = load(save(student, tmp_path / "student"))
    assert loaded.net_.module_.encoder.config.num_hidden_layers == 1
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), expected, atol=1e-5)


def test_bert_regressor_distill(tiny_bert):
    """Check that a regressor's student is a 1-layer BertRegressor on the target scale."""
    stars = LABELS * 4.0 + 1
    teacher = _fast(tiny_bert, BertRegressor, max_epochs=2).fit(TEXTS, stars)
    student = teacher.distill(TEXTS, n_layers=1, max_epochs=1)
    assert type(student) is BertRegressor
    assert student.net_.module_.encoder.config.num_hidden_layers == 1
    assert student.predict(TEXTS).shape == (len(TEXTS),)
    np.testing.assert_allclose(student.target_mean_, teacher.target_mean_)


def test_bert_classifier_distill_esmm_chain(tiny_bert):
    """Check that an ESMM teacher's student (sigmoid soft targets) predicts both probability tables."""
    clicked = LABELS
    purchased = LABELS * (np.arange(len(LABELS)) % 2)
    teacher = _fast(tiny_bert, multi_output="esmm", max_epochs=1).fit(TEXTS, np.column_stack([clicked, purchased]))
    student = teacher.distill(TEXTS, n_layers=1, max_epochs=1)
    assert student.net_.module_.encoder.config.num_hidden_layers == 1
    assert [p.shape for p in student.predict_proba(TEXTS)] == [(len(TEXTS), 2), (len(TEXTS), 2)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"n_layers": 3}, "'n_layers' parameter must be an int from 1 to 2"),
     ({"n_layers": 0}, "'n_layers' parameter"),
     ({"n_layers": 1, "temperature": 0}, "'temperature' parameter"),
     ({"n_layers": 1, "max_epochs": 0}, "'max_epochs' parameter")],
)
def test_bert_classifier_distill_bad_arguments(fitted, kwargs, match):
    """Check that bad distillation arguments fail before any training, naming the argument."""
    with pytest.raises(ValueError, match=match):
        fitted.distill(TEXTS, **kwargs)
