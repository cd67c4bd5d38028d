"""Tokenize once, batch by length, pad each batch to its own longest row.

Padding every batch to a fixed ``max_length`` spends most of the encoder's
time on padding tokens when texts vary in length; sorting rows by length and
padding each batch to its own longest row removes nearly all of it (about
3.5x the texts/s of ``padding="max_length"`` on review text, see
``benchmarks/bench_inference.py``).
"""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

# How many batches are sorted together when training: large enough that the
# rows of one batch have similar lengths, small enough that batches stay random.
_MEGABATCH_FACTOR = 50


def tokenize(tokenizer, texts, max_length):
    """Token ids of each text (no padding), as a list of int64 arrays."""
    encoded = tokenizer(
        list(texts),
        truncation=True,
        max_length=max_length,
        padding=False,
        return_attention_mask=False,
        return_token_type_ids=False,
    )
    return [np.asarray(ids, dtype=np.int64) for ids in encoded["input_ids"]]


def length_order(lengths):
    """Stable order of rows by length (longest first): one sort, reused to undo it."""
    return np.argsort(-np.asarray(lengths), kind="stable")


class TokenizedTexts(Dataset):
    """Token ids with optional integer labels and sample weights."""

    def __init__(self, input_ids, labels=None, weights=None):
        self.input_ids = input_ids
        self.labels = labels
        self.weights = weights

    def __len__(self):
        return len(self.input_ids)

    @property
    def lengths(self):
        return np.fromiter((len(ids) for ids in self.input_ids), dtype=np.int64)

    def subset(self, indices):
        return TokenizedTexts(
            [self.input_ids[i] for i in indices],
            None if self.labels is None else self.labels[indices],
            None if self.weights is None else self.weights[indices],
        )

    def __getitem__(self, i):
        label = -1 if self.labels is None else self.labels[i]
        weight = 1.0 if self.weights is None else self.weights[i]
        return self.input_ids[i], label, weight


class PadCollator:
    """Pad a batch of token-id arrays to its longest row."""

    def __init__(self, pad_token_id):
        self.pad_token_id = pad_token_id

    def __call__(self, batch):
        ids, labels, weights = zip(*batch)
        width = max(len(row) for row in ids)
        input_ids = torch.full((len(ids), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, token_ids in enumerate(ids):
            input_ids[row, : len(token_ids)] = torch.from_numpy(token_ids)
            attention_mask[row, : len(token_ids)] = 1
        X = {"input_ids": input_ids, "attention_mask": attention_mask}
        y = {
            "label": torch.as_tensor(labels, dtype=torch.long),
            "weight": torch.as_tensor(weights, dtype=torch.float32),
        }
        return X, y


class LengthGroupedBatchSampler:
    """Batches of rows of similar length.

    With ``shuffle=True`` (training) rows are shuffled, cut into mega-batches of
    ``50 * batch_size`` rows, each mega-batch is sorted by length and cut into
    batches, and the batches are shuffled: random but nearly free of padding.
    Without shuffle all rows are sorted by length (prediction, validation).
    """

    def __init__(self, lengths, batch_size, shuffle, seed):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self._epoch = 0

    def __len__(self):
        return -(-len(self.lengths) // self.batch_size)

    def _batches_of(self, indices):
        return [
            indices[start : start + self.batch_size]
            for start in range(0, len(indices), self.batch_size)
        ]

    def __iter__(self):
        if not self.shuffle:
            yield from self._batches_of(length_order(self.lengths))
            return
        # A new permutation every epoch, reproducible from the seed.
        rng = np.random.default_rng([self.seed, self._epoch])
        self._epoch += 1
        permutation = rng.permutation(len(self.lengths))
        megabatch = self.batch_size * _MEGABATCH_FACTOR
        batches = []
        for start in range(0, len(permutation), megabatch):
            chunk = permutation[start : start + megabatch]
            batches.extend(self._batches_of(chunk[length_order(self.lengths[chunk])]))
        for i in rng.permutation(len(batches)):
            yield batches[i]


def length_grouped_loader(
    dataset, batch_size, shuffle=False, pad_token_id=0, seed=0, **loader_kwargs
):
    """The ``iterator_train`` / ``iterator_valid`` that sk_textrec gives skorch."""
    sampler = LengthGroupedBatchSampler(dataset.lengths, batch_size, shuffle, seed)
    return DataLoader(
        dataset,
        batch_sampler=sampler,
        collate_fn=PadCollator(pad_token_id),
        **loader_kwargs,
    )
