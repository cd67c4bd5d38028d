"""Tests of adapters (peft) on the fine-tuned estimators: what trains, merging, pickles, saving."""

import pickle
import shutil

import numpy as np
import pytest
from sklearn.base import clone

from sk_textrec import BertClassifier, load, save
from sk_textrec.models import BertRegressor
from sk_textrec.utils import make_tiny_bert

peft = pytest.importorskip("peft")
torch = pytest.importorskip("torch")

from sk_textrec.models import _peft  # noqa: E402

_PARAMS = dict(max_epochs=1, lr=1e-2, batch_size=8, random_state=0, device="cpu")


def _base_weights(path):
    from transformers import AutoModel

    return dict(AutoModel.from_pretrained(path).named_parameters())


@pytest.fixture
def capture_before_merge(monkeypatch):
    """The trainable parameter names and the frozen weights of the adapted encoder, before merging."""
    seen = {}
    original = _peft.merge_adapters

    def merge_adapters(estimator, *args, **kwargs):
        module = estimator.net_.module_
        seen["trainable"] = [n for n, p in module.named_parameters() if p.requires_grad]
        seen["frozen"] = {n: p.detach().clone() for n, p in module.encoder.named_parameters()
                          if not p.requires_grad}
        return original(estimator, *args, **kwargs)

    monkeypatch.setattr(_peft, "merge_adapters", merge_adapters)
    return seen


def test_peft_trains_only_the_adapters_and_the_heads(tiny_bert, reviews, capture_before_merge):
    """Check that only adapter and head parameters require grad and the base weights do not move."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, peft="lora", **_PARAMS).fit(texts, y)
    trainable = capture_before_merge["trainable"]
    assert any("lora_A" in name for name in trainable) and any("lora_B" in name for name in trainable)
    assert all("lora_" in name or name.startswith("heads.") for name in trainable)
    assert {"heads.0.weight", "heads.0.bias"} <= set(trainable)
    base = _base_weights(tiny_bert)
    frozen = capture_before_merge["frozen"]
    # peft's names: base_model.model.<name>, with .base_layer inside adapted layers
    frozen = {name.removeprefix("base_model.model.").replace(".base_layer", ""): weight
              for name, weight in frozen.items()}
    assert set(frozen) == set(base)
    assert all(torch.equal(frozen[name], base[name]) for name in frozen)
    # after the merge, the layers without adapters are still the base model's
    fitted = dict(clf.net_.module_.encoder.named_parameters())
    untouched = [name for name in base if "query" not in name and "value" not in name]
    assert all(torch.equal(fitted[name], base[name]) for name in untouched)
    changed = [name for name in base if name.endswith(("query.weight", "value.weight"))]
    assert changed and all(not torch.equal(fitted[name], base[name]) for name in changed)
    assert not any("lora" in name for name in fitted)  # merged: a plain encoder predicts


def test_peft_pickles_adapters_only_or_in_full(tiny_bert, reviews):
    """Check that both pickles predict as the fitted model and the adapters-only one is much smaller."""
    texts, y = reviews
    clf = BertClassifier(make_tiny_bert(hidden_size=64), peft="lora", **_PARAMS).fit(texts, y)
    expected = clf.predict_proba(texts)
    adapters = pickle.dumps(clf)
    full = pickle.dumps(clf.set_params(peft_pickle="full"))
    assert len(adapters) < 0.5 * len(full)
    for data in (adapters, full):
        loaded = pickle.loads(data)
        np.testing.assert_allclose(loaded.predict_proba(texts), expected, atol=1e-6)
    # pickling does not change the fitted model
    np.testing.assert_allclose(clf.predict_proba(texts), expected, atol=1e-6)


def test_peft_config_object(tiny_bert, reviews):
    """Check that a peft config is used as given, without being changed."""
    texts, y = reviews
    config = peft.LoraConfig(r=4, lora_alpha=8, target_modules=["key"])
    before = config.to_dict()
    clf = BertClassifier(tiny_bert, peft=config, **_PARAMS).fit(texts, y)
    assert config.to_dict() == before
    assert clf.get_params()["peft"] is config
    (_, adapters), = clf._peft_adapters["rounds"]
    assert adapters and all(".key." in name for name in adapters)
    assert {tuple(w.shape) for name, w in adapters.items() if "lora_A" in name} == {(4, 32)}
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(restored.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)


class _NotAPeftConfig:
    def to_dict(self):
        return {}


@pytest.mark.parametrize("params, err_type, err_msg", [
    ({"peft": "LoRA"}, ValueError, "'peft' parameter"),
    ({"peft": _NotAPeftConfig()}, TypeError, "'peft' parameter must be 'lora', a peft config"),
    ({"peft": "PROMPT"}, ValueError, "virtual tokens"),
    ({"peft": "lora", "freeze": "embeddings"}, ValueError, "'freeze' parameter cannot be combined"),
    ({"peft_pickle": "adapter"}, ValueError, "'peft_pickle' parameter"),
])
def test_peft_bad_values(tiny_bert, reviews, params, err_type, err_msg):
    """Check that bad peft settings are clear errors naming the parameter."""
    texts, y = reviews
    if params.get("peft") == "PROMPT":
        params = {"peft": peft.PromptTuningConfig(num_virtual_tokens=2, task_type="FEATURE_EXTRACTION")}
    with pytest.raises(err_type, match=err_msg):
        BertClassifier(tiny_bert, **params, **_PARAMS).fit(texts, y)


def test_lora_targets_by_architecture():
    """Check that the 'lora' shortcut finds the query/value layers, or says what to pass."""
    from torch import nn

    class Attention(nn.Module):
        def __init__(self, names):
            super().__init__()
            for name in names:
                setattr(self, name, nn.Linear(4, 4))

    assert _peft.lora_targets(Attention(["query", "key", "value"])) == ["query", "value"]
    assert _peft.lora_targets(Attention(["q_lin", "k_lin", "v_lin"])) == ["q_lin", "v_lin"]
    with pytest.raises(ValueError, match="target_modules"):
        _peft.lora_targets(Attention(["wq", "wv"]))


def test_peft_clone_and_get_params(tiny_bert):
    """Check that the new parameters survive clone and set_params."""
    config = peft.LoraConfig(r=2)
    clf = BertClassifier(tiny_bert, peft=config, peft_pickle="full")
    cloned = clone(clf)
    assert cloned.get_params()["peft"].r == 2 and cloned.peft_pickle == "full"
    assert clone(cloned.set_params(peft="lora")).peft == "lora"


def test_peft_multi_task_and_pairs(tiny_bert, reviews):
    """Check that adapters work with several label columns, auxiliary targets and text pairs."""
    texts, y = reviews
    pairs = [(text, "a title") for text in texts]
    y2 = np.column_stack([y, 1 - y])
    aux = np.arange(len(texts)) % 3
    clf = BertClassifier(tiny_bert, peft="lora", **_PARAMS).fit(pairs, y2, auxiliary_targets=aux)
    restored = pickle.loads(pickle.dumps(clf))
    for got, expected in zip(restored.predict_proba(pairs), clf.predict_proba(pairs)):
        np.testing.assert_allclose(got, expected, atol=1e-6)
    assert [head.out_features for head in restored.net_.module_.heads] == [2, 2, 3]


def test_peft_regressor(tiny_bert, reviews):
    """Check that BertRegressor trains adapters and pickles them only."""
    texts, _ = reviews
    stars = np.arange(len(texts)) % 5 + 1.0
    reg = BertRegressor(tiny_bert, peft="lora", **_PARAMS).fit(texts, stars)
    restored = pickle.loads(pickle.dumps(reg))
    np.testing.assert_allclose(restored.predict(texts), reg.predict(texts), atol=1e-6)


def test_peft_adapters_pickle_needs_its_base_model(reviews, tmp_path):
    """Check that unpickling without the base model, or with another one, is a clear error."""
    texts, y = reviews
    base = make_tiny_bert(tmp_path / "base")
    data = pickle.dumps(BertClassifier(base, peft="lora", **_PARAMS).fit(texts, y))
    shutil.rmtree(base)
    with pytest.raises(OSError, match=f"base model '{base}'.*peft_pickle='full'"):
        pickle.loads(data)
    make_tiny_bert(base, random_state=1)  # the same architecture, other weights
    with pytest.raises(ValueError, match="not the one its adapters were trained on"):
        pickle.loads(data)


def test_peft_save_load(tiny_bert, reviews, tmp_path):
    """Check that a model folder holds the merged weights and loads without the adapters record."""
    texts, y = reviews
    config = peft.LoraConfig(r=4, target_modules=["query", "value"])
    clf = BertClassifier(tiny_bert, peft=config, **_PARAMS).fit(texts, y)
    loaded = load(save(clf, tmp_path / "model"))
    np.testing.assert_allclose(loaded.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)
    assert isinstance(loaded.peft, peft.LoraConfig) and loaded.peft.r == 4
    assert not hasattr(loaded, "_peft_adapters")
    restored = pickle.loads(pickle.dumps(loaded))  # a full pickle: nothing to re-load
    np.testing.assert_allclose(restored.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)
