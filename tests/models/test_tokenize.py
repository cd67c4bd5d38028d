"""Tests of tokenization: single texts and pairs, head and head+tail truncation."""

import numpy as np
import pytest
from transformers import AutoTokenizer

from sk_textrec.models._tokenize import _budgets, tokenize

LONG = " ".join(f"w{i}" for i in range(200))


@pytest.fixture(scope="module")
def tokenizer(tiny_bert):
    return AutoTokenizer.from_pretrained(tiny_bert)


def _texts(*rows):
    array = np.empty((len(rows), len(rows[0])) if isinstance(rows[0], tuple) else len(rows), object)
    array[:] = rows
    return array


def test_tokenize_head_single_is_the_tokenizers_truncation(tokenizer):
    """Check that single texts with head truncation are exactly the tokenizer's own output."""
    texts = _texts("great dress", LONG, "")
    ids, types = tokenize(tokenizer, texts, 16, "head")
    expected = tokenizer(list(texts), truncation=True, max_length=16)["input_ids"]
    assert types is None
    assert [row.tolist() for row in ids] == expected


def test_tokenize_head_and_tail_keeps_both_ends(tokenizer):
    """Check that head+tail keeps the start and the end of a long text within max_length."""
    texts = _texts(LONG, "short text")
    ids, _ = tokenize(tokenizer, texts, 20, "head+tail")
    full = tokenizer([LONG])["input_ids"][0]
    assert len(ids[0]) == 20
    assert ids[0][0] == full[0] and ids[0][-1] == full[-1]  # [CLS] ... [SEP]
    head, tail = ids[0][1:5].tolist(), ids[0][5:-1].tolist()
    assert head == full[1:5] and tail == full[-1 - len(tail):-1]
    # A text that fits is the same as with head truncation.
    assert ids[1].tolist() == tokenize(tokenizer, texts, 20, "head")[0][1].tolist()


@pytest.mark.parametrize("truncation", ["head", "head+tail"])
def test_tokenize_pairs_share_the_budget(tokenizer, truncation):
    """Check that pairs fit max_length, keep tokens of both sides and mark them with types."""
    pairs = _texts(("love it", LONG), (LONG, LONG), ("", "fits well"), ("title", ""))
    ids, types = tokenize(tokenizer, pairs, 24, truncation)
    for row_ids, row_types in zip(ids, types):
        assert len(row_ids) == len(row_types) <= 24
        assert row_ids[0] == tokenizer.cls_token_id and row_ids[-1] == tokenizer.sep_token_id
        assert (row_ids == tokenizer.sep_token_id).sum() == 2
    # The short side of ("love it", LONG) is kept whole, the long side is cut.
    love_it = tokenizer(["love it"], add_special_tokens=False)["input_ids"][0]
    assert ids[0][1 : 1 + len(love_it)].tolist() == love_it
    assert len(ids[0]) == 24 and types[0][-1] == 1 and types[0][0] == 0
    # Two long sides split the budget.
    assert abs(int((types[1] == 0).sum()) - int((types[1] == 1).sum())) <= 2


@pytest.mark.parametrize("len_a, len_b, budget", [
    (3, 4, 10), (3, 40, 10), (40, 3, 10), (40, 40, 10), (5, 5, 10), (0, 40, 10), (40, 0, 9),
])
def test_budgets_longest_first(len_a, len_b, budget):
    """Check the closed form of longest_first: within budget, shorter side kept when it fits."""
    keep_a, keep_b = _budgets(len_a, len_b, budget)
    assert keep_a <= len_a and keep_b <= len_b
    assert keep_a + keep_b == min(budget, len_a + len_b)
    if min(len_a, len_b) <= budget // 2:
        assert min(len_a, len_b) in (keep_a, keep_b) or len_a + len_b <= budget
