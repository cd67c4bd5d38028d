"""Texts and text pairs to token ids: truncation from the head, or head + tail.

Ids are kept per row without padding (int32: half the memory of int64, and a
vocabulary never needs more); batches are padded later, to their own longest row.
"""

import contextlib

import numpy as np

TRUNCATIONS = ("head", "head+tail")
# Sun et al. (2019) found keeping the first 128 and the last 382 of 510 tokens
# best for long reviews: a quarter of the budget for the head, the rest for the tail.
_HEAD_SHARE = 0.25


@contextlib.contextmanager
def _quiet_transformers():
    """Silence transformers' "sequence longer than the maximum" warning for this call."""
    from transformers.utils import logging

    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)


def uses_token_type_ids(tokenizer):
    """Whether the model takes ``token_type_ids`` (BERT does, RoBERTa and DistilBERT do not)."""
    return "token_type_ids" in tokenizer.model_input_names


def tokenize(tokenizer, texts, max_length, truncation="head"):
    """Token ids of each text or pair, and their token type ids for pairs.

    Parameters
    ----------
    tokenizer : transformers tokenizer
    texts : ndarray of shape (n,) or (n, 2), dtype=object
        Single texts, or pairs encoded as ``[CLS] a [SEP] b [SEP]``.
    max_length : int
        Tokens per row, special tokens included.
    truncation : {"head", "head+tail"}
        Keep the first tokens, or the first quarter and the last three quarters
        of the budget. Pairs share the budget ``longest_first``: the longer
        side is cut until both fit, so both keep tokens.

    Returns
    -------
    input_ids : list of int32 ndarrays
    token_type_ids : list of int8 ndarrays, or None
        Only for pairs, and only when the model takes them.
    """
    pairs = texts.ndim == 2
    want_types = pairs and uses_token_type_ids(tokenizer)
    fields = [list(texts[:, 0]), list(texts[:, 1])] if pairs else [list(texts)]
    if truncation == "head":
        encoded = tokenizer(
            *fields,
            truncation="longest_first",
            max_length=max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=want_types,
        )
        input_ids = [np.asarray(ids, dtype=np.int32) for ids in encoded["input_ids"]]
        types = encoded["token_type_ids"] if want_types else None
    else:
        input_ids, types = _head_and_tail(tokenizer, fields, max_length, want_types)
    token_type_ids = None if types is None else [np.asarray(t, dtype=np.int8) for t in types]
    return input_ids, token_type_ids


def _budgets(len_a, len_b, budget):
    """Content tokens kept per side: HuggingFace's ``longest_first`` in closed form."""
    if len_a + len_b <= budget:
        return len_a, len_b
    if len_a <= budget // 2:
        return len_a, budget - len_a
    if len_b <= budget // 2:
        return budget - len_b, len_b
    return budget - budget // 2, budget // 2


def _head_and_tail_positions(positions, keep):
    """The first ``keep / 4`` and the last ``3 keep / 4`` of ``positions``."""
    if keep >= len(positions):
        return positions
    head = int(round(keep * _HEAD_SHARE))
    return np.concatenate([positions[:head], positions[len(positions) - (keep - head):]])


def _head_and_tail(tokenizer, fields, max_length, want_types):
    """Tokenize whole texts, then keep each side's head and tail around the special tokens.

    The whole encoding (special tokens included) is computed without truncation,
    so the model's own template places [CLS]/[SEP] (or <s>/</s>); the content
    tokens of side a come before those of side b, and the lengths of side a
    alone tell them apart (token type ids do not exist for every model).
    """
    with _quiet_transformers():
        encoded = tokenizer(
            *fields,
            truncation=False,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=want_types,
            return_special_tokens_mask=True,
        )
        if len(fields) == 2:
            side_a = tokenizer(fields[0], add_special_tokens=False, return_attention_mask=False)
            lengths_a = [len(ids) for ids in side_a["input_ids"]]
    budget = max_length - tokenizer.num_special_tokens_to_add(pair=len(fields) == 2)
    input_ids, types = [], [] if want_types else None
    for row, ids in enumerate(encoded["input_ids"]):
        ids = np.asarray(ids)
        special = np.asarray(encoded["special_tokens_mask"][row], dtype=bool)
        content = np.flatnonzero(~special)
        if len(fields) == 2:
            len_a = lengths_a[row]
            keep_a, keep_b = _budgets(len_a, len(content) - len_a, budget)
            kept = np.concatenate([
                _head_and_tail_positions(content[:len_a], keep_a),
                _head_and_tail_positions(content[len_a:], keep_b),
            ])
        else:
            kept = _head_and_tail_positions(content, budget)
        order = np.sort(np.concatenate([np.flatnonzero(special), kept]))
        input_ids.append(ids[order])
        if want_types:
            types.append(np.asarray(encoded["token_type_ids"][row])[order])
    return input_ids, types
