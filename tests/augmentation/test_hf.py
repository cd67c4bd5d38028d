"""Tests of the HuggingFace glue of the model-based augmenters (augmentation/_hf.py)."""

import numpy as np
import pytest

from sk_textrec.augmentation._hf import (
    length_sorted_batches,
    seeded_torch,
    whole_word_vocabulary,
)

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def test_whole_word_vocabulary_wordpiece(tiny_bert):
    """Check that WordPiece vocabularies lose special tokens, ## pieces and punctuation."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_bert)
    ids, words = whole_word_vocabulary(tokenizer)
    assert len(ids) == len(words) and np.all(np.diff(ids) > 0)
    assert {"dress", "great", "a", "7"} <= set(words)
    assert not {"[CLS]", "[PAD]", "[MASK]", "##s", "!"} & set(words)
    vocab = tokenizer.get_vocab()
    assert all(vocab[word] == i for i, word in zip(ids.tolist(), words))


def test_whole_word_vocabulary_byte_level_bpe():
    """Check that byte-level BPE keeps word-start pieces and single CJK characters only."""
    from tokenizers import ByteLevelBPETokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(["great dress dresses 好 衣服", "lovely dress, great fit"] * 5,
                            vocab_size=300, min_frequency=1, special_tokens=["<s>", "</s>", "<pad>"])
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    ids, words = whole_word_vocabulary(tokenizer)
    assert {"great", "dress", "dresses", "fit", "好"} <= set(words)
    assert not {"<s>", "</s>", "<pad>", ","} & set(words)
    # Pieces without the word-start marker are not words, e.g. "vel" and the
    # text-initial "lovely", which never follows a space here.
    assert not {"vel", "lovel", "lovely", "gre"} & set(words)


def test_length_sorted_batches_cover_rows_once():
    """Check that batches hold every row once, in order of length, at most batch_size each."""
    lengths = [5, 1, 9, 3, 3, 7, 0]
    batches = length_sorted_batches(lengths, 3)
    assert [len(b) for b in batches] == [3, 3, 1]
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(7))
    assert np.all(np.diff(np.asarray(lengths)[flat]) >= 0)


def test_seeded_torch_reproducible_and_restores_rng():
    """Check that draws repeat under one seed and the caller's RNG is left where it was."""
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    with seeded_torch(7, "cpu"):
        first = torch.rand(3)
    with seeded_torch(7, "cpu"):
        assert torch.equal(torch.rand(3), first)
    assert torch.equal(torch.rand(1), expected_next)
