"""Tests of AugmentationSequence and OneOf (sk_textrec/augmentation/_combinators.py)."""

import pickle

import pytest
from sklearn.base import clone

from sk_textrec.augmentation import (
    AugmentationSequence,
    OneOf,
    RandomDeletion,
    RandomSwap,
    SynonymReplacement,
)
from sk_textrec.augmentation._base import BaseAugmenter

from ._data import TEXTS


class Tag(BaseAugmenter):
    """Appends a tag and records the batches it was called with."""

    def __init__(self, tag="x"):
        self.tag = tag

    def _augment(self, texts, random_state):
        self.__dict__.setdefault("calls", []).append(list(texts))
        return [f"{text}+{self.tag}" for text in texts]


def test_augmentation_sequence_applies_in_order():
    """Check that each augmenter works on the output of the one before."""
    sequence = AugmentationSequence([
        ("first", SynonymReplacement(p=1.0, synonyms={"dress": ["gown"]})),
        ("second", SynonymReplacement(p=1.0, synonyms={"gown": ["frock"]})),
        ("tag", Tag("t")),
    ])
    assert sequence.augment(["great dress", ""]) == ["great frock+t", "+t"]


def test_one_of_each_text_gets_one_augmenter_in_one_batch():
    """Check that every text gets exactly one augmenter, called once with all its texts."""
    a, b = Tag("a"), Tag("b")
    texts = [f"text {i}" for i in range(40)]
    out = OneOf([("a", a), ("b", b)]).augment(texts, random_state=0)
    assert all(o in (f"{t}+a", f"{t}+b") for t, o in zip(texts, out))
    assert len(a.calls) == len(b.calls) == 1
    assert sorted(a.calls[0] + b.calls[0]) == sorted(texts)
    assert [t for t, o in zip(texts, out) if o.endswith("+a")] == a.calls[0]  # order kept


def test_one_of_weights():
    """Check that a zero weight never picks its augmenter and weights shift the choice."""
    texts = ["t"] * 200
    only_b = OneOf([("a", Tag("a")), ("b", Tag("b"))], weights=[0, 1]).augment(texts)
    assert set(only_b) == {"t+b"}
    mostly_a = OneOf([("a", Tag("a")), ("b", Tag("b"))], weights=[9, 1]).augment(texts, random_state=0)
    assert mostly_a.count("t+a") > 150


def test_combinators_seeds():
    """Check that a seed fixes the output of the nested augmenters and others change it."""
    for combinator in (AugmentationSequence, OneOf):
        augmenter = combinator([("swap", RandomSwap(0.5)), ("delete", RandomDeletion(0.3))])
        first = augmenter.augment(TEXTS * 3, random_state=0)
        assert augmenter.augment(TEXTS * 3, random_state=0) == first
        assert augmenter.augment(TEXTS * 3, random_state=1) != first
        assert first[1] == "" and len(first) == len(TEXTS) * 3


def test_combinators_nested_params():
    """Check get_params/set_params through names, as a grid search uses them."""
    swap, delete = RandomSwap(0.1), RandomDeletion(0.2)
    one_of = OneOf([("swap", swap), ("delete", delete)], weights=[1, 1])
    params = one_of.get_params()
    assert params["swap"] is swap and params["swap__p"] == 0.1 and params["delete__p"] == 0.2
    assert set(one_of.get_params(deep=False)) == {"augmenters", "weights"}
    one_of.set_params(swap__p=0.4, weights=[1, 2])
    assert swap.p == 0.4 and one_of.weights == [1, 2]
    one_of.set_params(delete=RandomSwap(0.9))
    assert one_of.get_params()["delete__p"] == 0.9 and dict(one_of.augmenters)["delete"] is not delete
    nested = AugmentationSequence([("pick", one_of), ("tag", Tag())])
    nested.set_params(pick__swap__p=0.05, tag__tag="y")
    assert swap.p == 0.05 and nested.get_params()["tag__tag"] == "y"
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        nested.set_params(nope=1)


def test_combinators_clone_and_pickle():
    """Check that clones copy nested augmenters and pickles reproduce the output."""
    sequence = AugmentationSequence([("swap", RandomSwap(0.5)), ("delete", RandomDeletion(0.3))])
    cloned = clone(sequence)
    assert cloned.augmenters[0][1] is not sequence.augmenters[0][1]
    assert cloned.get_params()["swap__p"] == 0.5
    expected = sequence.augment(TEXTS, random_state=0)
    assert cloned.augment(TEXTS, random_state=0) == expected
    assert pickle.loads(pickle.dumps(sequence)).augment(TEXTS, random_state=0) == expected


class Shorter(BaseAugmenter):
    def _augment(self, texts, random_state):
        return texts[:-1]


@pytest.mark.parametrize("combinator, augmenters, params, err_msg", [
    (OneOf, [], {}, "The 'augmenters' parameter of OneOf must be a non-empty list"),
    (OneOf, [RandomSwap()], {}, "must be a non-empty list of \\(name, augmenter\\) pairs"),
    (AugmentationSequence, [("a", "swap")], {}, "each augmenter with an augment"),
    (AugmentationSequence, ("a", RandomSwap()), {}, "The 'augmenters' parameter .* must be"),
    (OneOf, [("a", RandomSwap()), ("a", RandomSwap())], {}, "Names provided are not unique"),
    (OneOf, [("a__b", RandomSwap())], {}, "must not contain __"),
    (OneOf, [("weights", RandomSwap())], {}, "conflict with constructor arguments"),
    (OneOf, [("a", RandomSwap())], {"weights": [1, 1]}, "The 'weights' parameter of OneOf"),
    (OneOf, [("a", RandomSwap())], {"weights": [-1]}, "one non-negative weight"),
    (AugmentationSequence, [("short", Shorter())], {}, "'short' returned 1 texts for 2"),
])
def test_combinators_bad_params(combinator, augmenters, params, err_msg):
    """Check that bad augmenter lists and weights raise errors naming the parameter."""
    with pytest.raises(ValueError, match=err_msg):
        combinator(augmenters, **params).augment(["a b", "c d"])
