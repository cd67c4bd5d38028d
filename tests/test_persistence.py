"""Tests of sk_textrec.save / sk_textrec.load (model folders that are safe to load)."""

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer

from sk_textrec import (
    BertClassifier,
    BertRegressor,
    TextEmbedder,
    ThresholdTunedClassifier,
    load,
    make_pipeline,
    make_rare_class_classifier,
    save,
)
from sk_textrec.datasets import make_product_reviews
from sk_textrec.persistence import read_manifest
from sk_textrec.utils import make_tiny_bert

pytest.importorskip("skops")
pytest.importorskip("safetensors")


@pytest.fixture(scope="module")
def data():
    texts, y = make_product_reviews(80, positive_rate=0.25, random_state=0)
    return texts, y


def _bert(tiny_bert, **params):
    return BertClassifier(tiny_bert, max_epochs=1, batch_size=16, device="cpu", random_state=0,
                          **params)


def _assert_same_predictions(model, loaded, X):
    for method in ("predict_proba", "decision_function", "predict", "transform"):
        if hasattr(model, method):
            expected, got = getattr(model, method)(X), getattr(loaded, method)(X)
            if np.asarray(expected).dtype.kind in "fc":
                np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
            else:
                np.testing.assert_array_equal(got, expected)


def _estimators(tiny_bert):
    """One of each saveable estimator, by name: (estimator, X form)."""
    return {
        "bert_classifier": _bert(tiny_bert, loss="focal", class_weight="balanced"),
        "bert_classifier_pairs": _bert(tiny_bert),
        "bert_classifier_multi_output": _bert(tiny_bert),
        "bert_regressor": BertRegressor(tiny_bert, max_epochs=1, device="cpu", random_state=0),
        "text_embedder_pipeline": make_pipeline(TextEmbedder(tiny_bert, device="cpu"),
                                                LogisticRegression()),
        "preset_fast": make_rare_class_classifier("fast", model_name_or_path=tiny_bert, device="cpu"),
        "preset_best": make_rare_class_classifier("best", model_name_or_path=tiny_bert, device="cpu"),
        "threshold_scorer_objective": ThresholdTunedClassifier(
            _bert(tiny_bert), objective=make_scorer(f1_score), cv=0.3, refit=False, random_state=0),
    }


def _fit(name, estimator, data):
    texts, y = data
    if name == "bert_classifier_pairs":
        X = [(text[:10], text) for text in texts]
        return estimator.fit(X, y), X
    if name == "bert_classifier_multi_output":
        return estimator.fit(texts, np.column_stack([y, 1 - y])), texts
    if name == "bert_regressor":
        return estimator.fit(texts, y * 4.0 + 1), texts
    return estimator.fit(texts, y), texts


@pytest.mark.parametrize(
    "name",
    ["bert_classifier", "bert_classifier_pairs", "bert_classifier_multi_output", "bert_regressor",
     "text_embedder_pipeline", "preset_fast", "preset_best", "threshold_scorer_objective"],
)
def test_save_load_round_trip_predicts_the_same(name, tiny_bert, data, tmp_path):
    """Check that every saveable estimator predicts the same (to 1e-6) after a round trip."""
    model, X = _fit(name, _estimators(tiny_bert)[name], data)
    loaded = load(save(model, tmp_path / "model"))
    assert type(loaded) is type(model)
    _assert_same_predictions(model, loaded, X)
    assert loaded.get_params().keys() == model.get_params().keys()


def test_save_load_keeps_fitted_attributes_and_history(tiny_bert, data, tmp_path):
    """Check that classes, fitted attributes and the training history survive a round trip."""
    texts, y = data
    clf = _bert(tiny_bert).fit(texts, y.astype(str))
    loaded = load(save(clf, tmp_path / "model"))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    for name in ("n_outputs_", "max_length_", "n_text_fields_", "n_epochs_", "device_"):
        assert getattr(loaded, name) == getattr(clf, name)
    assert loaded.net_.history[:, "train_loss"] == clf.net_.history[:, "train_loss"]
    # A loaded model is an ordinary estimator: it pickles, clones and refits.
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(loaded)).predict(texts), clf.predict(texts))
    assert clone(loaded).get_params()["max_epochs"] == 1


@pytest.mark.parametrize("as_path", [False, True], ids=["str", "Path"])
def test_save_load_round_trip_keeps_training_fault_parameters(as_path, tiny_bert, data, tmp_path):
    """Check that a model fitted with checkpoint and on_divergence round-trips, parameters and all."""
    texts, y = data
    folder = tmp_path / "checkpoints"
    path = Path if as_path else str  # paths are saved as strings: skops does not trust pathlib
    clf = BertClassifier(path(tiny_bert), max_epochs=1, batch_size=16, device="cpu", random_state=0,
                         checkpoint=path(folder), on_divergence="restore")
    clf.fit(texts, y)
    loaded = load(save(make_pipeline(clf), tmp_path / "model"))[-1]
    assert loaded.get_params()["on_divergence"] == "restore"
    assert loaded.get_params()["checkpoint"] == str(folder)
    assert loaded.get_params()["model_name_or_path"] == str(tiny_bert)
    assert "divergence_guard" in dict(loaded.net_.callbacks_)  # its net is built as fit builds it
    _assert_same_predictions(clf, loaded, texts)
    # It refits as it was fitted: same seed and parameters, same model.
    _assert_same_predictions(clf, clone(loaded).fit(texts, y), texts)


def test_save_load_path_parameters_as_strings(tmp_path):
    """Check that a pathlib.Path parameter outside the BERT estimators loads back as its string."""
    from sk_textrec.augmentation import SynonymReplacement, WordNetSynonyms

    model = SynonymReplacement(synonyms=WordNetSynonyms(wordnet_dir=tmp_path / "wordnet"))
    loaded = load(save(model, tmp_path / "model"))
    assert loaded.synonyms.wordnet_dir == str(tmp_path / "wordnet")


def test_save_unfitted_estimator_round_trip(tiny_bert, tmp_path):
    """Check that an unfitted estimator saves its parameters and no weights."""
    loaded = load(save(_bert(tiny_bert, lr=1e-3), tmp_path / "model"))
    assert loaded.get_params()["lr"] == 1e-3 and not hasattr(loaded, "net_")
    assert not (tmp_path / "model" / "encoders").exists()


def test_save_writes_manifest_and_model_card(tiny_bert, data, tmp_path):
    """Check that the folder holds the manifest (classes, threshold, hashes) and a model card."""
    model, _ = _fit("preset_fast", _estimators(tiny_bert)["preset_fast"], data)
    folder = save(model, tmp_path / "model", description="80 synthetic reviews", metadata={"a": 1})
    manifest = read_manifest(folder)
    assert manifest["estimator"]["fitted"]["classes_"] == [0, 1]
    assert manifest["estimator"]["fitted"]["best_threshold_"] == pytest.approx(model.best_threshold_)
    assert manifest["metadata"] == {"a": 1}
    assert {"estimator.skops", "encoders/0/model.safetensors", "encoders/0/config.json"} <= set(
        manifest["files"])
    card = (folder / "README.md").read_text(encoding="utf-8")
    for part in ("80 synthetic reviews", "Not evaluated yet", "scikit-learn", "encoders/0/"):
        assert part in card


def test_load_refuses_tampered_or_truncated_files(tiny_bert, data, tmp_path):
    """Check that a changed, truncated or missing file is refused with a clear error."""
    texts, y = data
    folder = save(_bert(tiny_bert).fit(texts, y), tmp_path / "model")
    weights = folder / "encoders" / "0" / "model.safetensors"
    content = weights.read_bytes()
    weights.write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match="does not match the SHA-256.*truncated"):
        load(folder)
    weights.write_bytes(content[:-1] + bytes([content[-1] ^ 1]))
    with pytest.raises(ValueError, match="does not match the SHA-256"):
        load(folder)
    weights.unlink()
    with pytest.raises(ValueError, match="lacks encoders/0/model.safetensors"):
        load(folder)
    manifest = folder / "model.json"
    manifest.write_text(manifest.read_text()[:100], encoding="utf-8")
    with pytest.raises(ValueError, match="model.json' is damaged"):
        load(folder)
    with pytest.raises(ValueError, match="not an sk_textrec model folder"):
        load(tmp_path)


class UserTransformer(TransformerMixin, BaseEstimator):
    """A transformer of the user's own: a type sk_textrec.load does not trust by default."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


def test_load_refuses_untrusted_types_unless_named(tiny_bert, data, tmp_path):
    """Check that a type outside sk_textrec, scikit-learn and imblearn loads only when trusted."""
    texts, y = data
    model = make_pipeline(TextEmbedder(tiny_bert, device="cpu"), UserTransformer(),
                          LogisticRegression()).fit(texts, y)
    folder = save(model, tmp_path / "model")
    name = f"{__name__}.UserTransformer"
    assert read_manifest(folder)["trusted_needed"] == [name]
    with pytest.raises(TypeError, match=rf"does not trust: \['{name}'\].*trusted="):
        load(folder)
    np.testing.assert_allclose(load(folder, trusted=[name]).predict_proba(texts),
                               model.predict_proba(texts), atol=1e-6)
    assert isinstance(load(folder, trusted=[UserTransformer]).steps[1][1], UserTransformer)


def _user_score(y_true, y_pred):
    return f1_score(y_true, y_pred)


@pytest.mark.parametrize(
    "params, where",
    [
        ({"early_stopping_scoring": lambda est, X, y: 0.0, "validation_fraction": 0.2},
         "BertClassifier.early_stopping_scoring"),
        ({"early_stopping_scoring": make_scorer(_user_score), "validation_fraction": 0.2},
         r"BertClassifier.early_stopping_scoring._score_func"),
    ],
)
def test_save_refuses_arbitrary_callables(tiny_bert, tmp_path, params, where):
    """Check that saving a lambda or a custom function fails, saying where it is and what to do."""
    with pytest.raises(TypeError, match=rf"Cannot save {where}: it is the function .*scorer name"):
        save(_bert(tiny_bert, **params), tmp_path / "model")
    assert not (tmp_path / "model").exists()
    assert not any(tmp_path.iterdir())  # no half-written folder left behind


def test_save_refuses_existing_folder_unless_overwrite(tiny_bert, tmp_path):
    """Check that a non-empty folder is replaced only with overwrite=True."""
    folder = tmp_path / "model"
    save(_bert(tiny_bert), folder)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save(_bert(tiny_bert, lr=1e-3), folder)
    save(_bert(tiny_bert, lr=1e-3), folder, overwrite=True)
    assert load(folder).lr == 1e-3


def test_load_refuses_altered_encoder_state(tiny_bert, data, tmp_path):
    """Check that a skops file whose encoder state holds torch-pickled bytes is refused."""
    import skops.io as sio

    from sk_textrec.persistence import _sha256

    texts, y = data
    folder = save(TextEmbedder(tiny_bert, device="cpu").fit(texts), tmp_path / "model")
    stub = sio.loads((folder / "estimator.skops").read_bytes(),
                     trusted=sio.get_untrusted_types(file=folder / "estimator.skops"))
    stub.state["_model_bytes"] = b"not what save writes"
    (folder / "estimator.skops").write_bytes(sio.dumps(stub))
    manifest = json.loads((folder / "model.json").read_text())
    manifest["files"]["estimator.skops"] = _sha256(folder / "estimator.skops")
    (folder / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"holds \['_model_bytes'\].*altered"):
        load(folder)


def test_load_offline_without_the_original_model(data, tmp_path):
    """Check that a folder loads in a new process with the hub off and the base model deleted."""
    texts, y = data
    base = make_tiny_bert(tmp_path / "base")
    clf = _bert(base).fit(texts, y)
    folder = save(clf, tmp_path / "model")
    shutil.rmtree(base)
    expected = tmp_path / "expected.npy"
    np.save(expected, clf.predict_proba(texts[:5]))
    code = (
        "import sys, numpy as np, sk_textrec\n"
        "from sk_textrec.datasets import make_product_reviews\n"
        "texts, _ = make_product_reviews(80, positive_rate=0.25, random_state=0)\n"
        "proba = sk_textrec.load(sys.argv[1]).predict_proba(texts[:5])\n"
        "assert np.abs(proba - np.load(sys.argv[2])).max() <= 1e-6\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "empty_hf_home")}
    subprocess.run([sys.executable, "-c", code, str(folder), str(expected)], env=env, check=True,
                   timeout=120)


def test_load_model_saved_on_a_gpu_runs_on_the_cpu(tiny_bert, data, tmp_path):
    """Check that a model recorded as fitted on CUDA loads on this CPU-only machine, with a warning."""
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    texts, y = data
    clf = _bert(tiny_bert).fit(texts, y)
    expected = clf.predict_proba(texts)
    clf.device_ = "cuda:0"  # what a model fitted on a GPU records; its weights are saved on the CPU
    folder = save(clf, tmp_path / "model")
    with pytest.warns(UserWarning, match="saved on 'cuda:0'.*loaded on the CPU"):
        loaded = load(folder)
    assert loaded.device_ == "cpu" and loaded.net_.device == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(texts), expected, atol=1e-6)
