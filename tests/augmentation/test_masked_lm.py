"""Tests of MaskedLMSubstitution (sk_textrec/augmentation/_masked_lm.py)."""

import math
import pickle

import pytest

from sk_textrec.augmentation import MaskedLMSubstitution
from sk_textrec.augmentation._tokens import split_words

from ._data import TEXTS

torch = pytest.importorskip("torch")


def words(text):
    return split_words(text)[1::2]


def test_masked_lm_replaces_n_words_by_vocabulary_words(tiny_mlm):
    """Check that max(1, int(p * n)) words change, into whole words, separators kept."""
    substitute = MaskedLMSubstitution(tiny_mlm, p=0.3)
    out = substitute.augment(TEXTS, random_state=0)
    for before, after in zip(TEXTS, out):
        assert split_words(before)[0::2] == split_words(after)[0::2]
        n = len(words(before))
        changed = sum(a.lower() != b.lower() for a, b in zip(words(before), words(after)))
        assert changed == (max(1, int(0.3 * n)) if n else 0)
    assert out[1] == "" and "😞" in out[2] and "😀" in out[3]


def test_masked_lm_p_zero_and_seeds(tiny_mlm):
    """Check p=0, and that a seed fixes the output while other seeds change it."""
    assert MaskedLMSubstitution(tiny_mlm, p=0.0).augment(TEXTS) == TEXTS
    substitute = MaskedLMSubstitution(tiny_mlm, p=0.5)
    first = substitute.augment(TEXTS, random_state=0)
    assert substitute.augment(TEXTS, random_state=0) == first
    assert substitute.augment(TEXTS, random_state=1) != first


def test_masked_lm_batched_on_device(tiny_mlm):
    """Check that texts go through the model in batches of batch_size, on device_."""
    substitute = MaskedLMSubstitution(tiny_mlm, batch_size=2, device="cpu")
    assert not hasattr(substitute, "device_")  # resolved on first use, not in __init__
    substitute.augment(["a"], random_state=0)
    assert substitute.device_ == "cpu"
    model = substitute._loaded()[1]
    assert next(model.parameters()).device.type == "cpu"
    sizes = []
    handle = model.register_forward_pre_hook(
        lambda module, args, kwargs: sizes.append(len(kwargs["input_ids"])), with_kwargs=True
    )
    try:
        substitute.augment(TEXTS, random_state=0)
    finally:
        handle.remove()
    n_with_words = sum(bool(words(text)) for text in TEXTS)
    assert len(sizes) == math.ceil(n_with_words / 2) and max(sizes) == 2


def test_masked_lm_long_text_and_mask_token_in_text(tiny_mlm):
    """Check that words past the model's length stay, and texts holding [MASK] are left."""
    long_text = " ".join(["great"] * 400)
    substitute = MaskedLMSubstitution(tiny_mlm, p=0.5)
    out = substitute.augment([long_text, "a [MASK] here"], random_state=0)
    after = words(out[0])
    assert len(after) == 400 and after[200:] == ["great"] * 200  # 128 positions at most
    assert after[:120] != ["great"] * 120
    assert out[1] == "a [MASK] here"


def test_masked_lm_pickle_reloads_lazily(tiny_mlm):
    """Check that pickles leave the model out and reproduce outputs after reloading."""
    substitute = MaskedLMSubstitution(tiny_mlm, p=0.5)
    expected = substitute.augment(TEXTS, random_state=0)
    state = substitute.__getstate__()
    assert "_lazy_state" not in state and "_lazy_state" not in substitute.get_params()
    restored = pickle.loads(pickle.dumps(substitute))
    assert restored.augment(TEXTS, random_state=0) == expected


@pytest.mark.parametrize("params, err_msg", [
    ({"p": 2}, "The 'p' parameter of MaskedLMSubstitution must be"),
    ({"top_k": 0}, "The 'top_k' parameter of MaskedLMSubstitution must be"),
    ({"batch_size": 0}, "The 'batch_size' parameter of MaskedLMSubstitution must be"),
    ({"device": "gpu-please"}, "The 'device' parameter must be 'auto' or a torch device"),
])
def test_masked_lm_bad_params(tiny_mlm, params, err_msg):
    """Check that bad parameters raise errors naming the parameter."""
    with pytest.raises(ValueError, match=err_msg):
        MaskedLMSubstitution(tiny_mlm, **params).augment(["a text"])


def test_masked_lm_missing_model(tmp_path):
    """Check that a folder without a model gives an error naming the augmenter."""
    with pytest.raises(OSError, match="MaskedLMSubstitution could not load the model"):
        MaskedLMSubstitution(str(tmp_path), device="cpu").augment(["a text"])


@pytest.mark.parametrize("verbose, shown", [(0, False), (1, True)])
def test_masked_lm_verbose_progress_bar(tiny_mlm, capsys, verbose, shown):
    """Check that verbose shows a progress bar over the texts, and that the default is silent."""
    MaskedLMSubstitution(tiny_mlm, p=0.5, verbose=verbose).augment(TEXTS)
    assert ("MaskedLMSubstitution: 100%" in capsys.readouterr().err) is shown
