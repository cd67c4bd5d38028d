"""The contract every augmenter keeps (sk_textrec/augmentation/_base.py)."""

import inspect
import pickle

import numpy as np
import pytest
from sklearn.base import clone

import sk_textrec.augmentation as augmentation
from sk_textrec.augmentation import (
    AugmentationSequence,
    BackTranslation,
    CharacterNoise,
    MaskedLMSubstitution,
    OneOf,
    RandomDeletion,
    RandomInsertion,
    RandomSwap,
    SynonymReplacement,
)
from sk_textrec.augmentation._base import child_seed, python_rng

from ._data import SYNONYMS, TEXTS


def _reverse_words(texts, src, tgt):
    return [" ".join(reversed(text.split())) for text in texts]


# Factories: fixtures (the tiny fill-mask model) are passed in by name.
AUGMENTERS = {
    "SynonymReplacement": lambda f: SynonymReplacement(0.3, synonyms=SYNONYMS),
    "RandomInsertion": lambda f: RandomInsertion(0.3, synonyms=SYNONYMS),
    "RandomSwap": lambda f: RandomSwap(0.3),
    "RandomDeletion": lambda f: RandomDeletion(0.3),
    "CharacterNoise": lambda f: CharacterNoise(0.1),
    "BackTranslation": lambda f: BackTranslation(_reverse_words),
    "MaskedLMSubstitution": lambda f: MaskedLMSubstitution(f("tiny_mlm"), p=0.3),
    "AugmentationSequence": lambda f: AugmentationSequence(
        [("swap", RandomSwap(0.3)), ("noise", CharacterNoise(0.1))]),
    "OneOf": lambda f: OneOf([("swap", RandomSwap(0.3)), ("delete", RandomDeletion(0.3))]),
}
# Deterministic augmenters: a seed cannot change their output.
DETERMINISTIC = {"BackTranslation"}


@pytest.fixture(params=sorted(AUGMENTERS))
def augmenter(request):
    return AUGMENTERS[request.param](request.getfixturevalue)


def test_every_public_augmenter_is_covered():
    """Check that the contract below runs on every augmenter the subpackage exports."""
    exported = {name for name in augmentation.__all__ if hasattr(getattr(augmentation, name), "augment")}
    assert exported == set(AUGMENTERS)


def test_augmenter_returns_one_string_per_text(augmenter):
    """Check lengths, types, order-independent containers and that "" stays ""."""
    pd = pytest.importorskip("pandas")
    out = augmenter.augment(TEXTS, random_state=0)
    assert isinstance(out, list) and len(out) == len(TEXTS)
    assert all(isinstance(text, str) for text in out) and out[1] == ""
    for container in (np.array(TEXTS, dtype=object), pd.Series(TEXTS), pd.DataFrame({"t": TEXTS})):
        assert augmenter.augment(container, random_state=0) == out
    assert augmenter.augment([], random_state=0) == []


def test_augmenter_seeds(augmenter):
    """Check that one seed gives one output and (for random augmenters) others differ."""
    long_texts = [text * 3 for text in TEXTS]
    first = augmenter.augment(long_texts, random_state=0)
    assert augmenter.augment(long_texts, random_state=0) == first
    assert augmenter.augment(long_texts, random_state=np.random.RandomState(0)) == first
    if type(augmenter).__name__ not in DETERMINISTIC:
        assert augmenter.augment(long_texts, random_state=1) != first


def test_augmenter_clone_get_params_pickle(augmenter):
    """Check that clone, get_params/set_params and pickling keep parameters and outputs."""
    expected = augmenter.augment(TEXTS, random_state=0)
    params = augmenter.get_params(deep=False)
    assert set(params) == set(inspect.signature(type(augmenter)).parameters)
    assert not any(name.startswith("_") for name in augmenter.get_params(deep=True))
    cloned = clone(augmenter)
    assert cloned.augment(TEXTS, random_state=0) == expected
    restored = pickle.loads(pickle.dumps(augmenter))
    assert "_lazy_state" not in vars(restored)
    assert restored.augment(TEXTS, random_state=0) == expected
    assert augmenter.set_params(**params) is augmenter


def test_augmenter_init_only_stores_params(augmenter):
    """Check that construction sets the parameters and nothing else."""
    assert set(vars(type(augmenter)(**augmenter.get_params(deep=False)))) == set(
        augmenter.get_params(deep=False)
    )


@pytest.mark.parametrize("texts, err_type, err_msg", [
    (["ok", None], ValueError, "texts has a missing text"),
    ("one text", TypeError, "must be a sequence of texts"),
    ([b"bytes"], TypeError, "row 0 is bytes"),
    (["ok", "half \udc00 of a pair"], ValueError, "row 1: .* lone UTF-16 surrogate"),
    ({"a text", "another"}, TypeError, "got builtins.set"),
])
def test_augmenter_rejects_bad_texts(augmenter, texts, err_type, err_msg):
    """Check that bad texts raise the package's clear input errors."""
    with pytest.raises(err_type, match=err_msg):
        augmenter.augment(texts)


def test_python_rng_and_child_seed_follow_the_random_state():
    """Check that the derived generators are reproducible from a RandomState."""
    assert python_rng(np.random.RandomState(0)).random() == python_rng(np.random.RandomState(0)).random()
    assert child_seed(np.random.RandomState(0)) != child_seed(np.random.RandomState(1))


@pytest.mark.parametrize("random_state", [-1, "x", 2**40])
def test_augmenter_bad_random_state_names_it(random_state):
    """Check that a bad seed is a ValueError naming the random_state argument."""
    with pytest.raises(ValueError, match="'random_state' argument of augment"):
        RandomSwap(0.5).augment(["a b c"], random_state=random_state)
