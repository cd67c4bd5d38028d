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


def length_order(lengths):
    """Stable order of rows by length (longest first): one sort, reused to undo it."""
    return np.argsort(-np.asarray(lengths), kind="stable")


class TokenizedTexts(Dataset):
    """Token ids (and token type ids for pairs) with optional targets and sample weights.

    ``targets`` is an array of shape (n_samples, n_target_columns): integer class
    codes for classification tasks, floats for regression; ``None`` to predict.
    """

    def __init__(self, input_ids, token_type_ids=None, targets=None, weights=None):
        self.input_ids = input_ids
        self.token_type_ids = token_type_ids
        self.targets = targets
        self.weights = weights

    def __len__(self):
        return len(self.input_ids)

    @property
    def lengths(self):
        return np.fromiter((len(ids) for ids in self.input_ids), dtype=np.int64)

    def subset(self, indices):
        return TokenizedTexts(
            [self.input_ids[i] for i in indices],
            None if self.token_type_ids is None else [self.token_type_ids[i] for i in indices],
            None if self.targets is None else self.targets[indices],
            None if self.weights is None else self.weights[indices],
        )

    def __getitem__(self, i):
        types = None if self.token_type_ids is None else self.token_type_ids[i]
        target = None if self.targets is None else self.targets[i]
        weight = 1.0 if self.weights is None else self.weights[i]
        return self.input_ids[i], types, target, weight


class PooledRows(Dataset):
    """Pooled encoder outputs of texts, with their token lengths, targets and weights.

    The lengths (of the texts' token ids) give the batches of
    :func:`length_grouped_loader` the rows that :class:`TokenizedTexts` would
    give them: heads trained on these rows see the batches, in the order, of
    heads trained on the encoder's outputs computed batch by batch.
    """

    def __init__(self, pooled, lengths, targets=None, weights=None):
        self.pooled = pooled
        self.lengths = lengths
        self.targets = targets
        self.weights = weights

    def __len__(self):
        return len(self.pooled)

    def subset(self, indices):
        return PooledRows(
            self.pooled[indices],
            self.lengths[indices],
            None if self.targets is None else self.targets[indices],
            None if self.weights is None else self.weights[indices],
        )

    def __getitem__(self, i):
        target = None if self.targets is None else self.targets[i]
        weight = 1.0 if self.weights is None else self.weights[i]
        return self.pooled[i], None, target, weight

    @staticmethod
    def collate(batch):
        pooled, _, targets, weights = zip(*batch)
        return {"pooled": torch.from_numpy(np.stack(pooled))}, _targets(targets, weights)


def _targets(targets, weights):
    y = {"weight": torch.as_tensor(weights, dtype=torch.float32)}
    if targets[0] is not None:
        y["target"] = torch.as_tensor(np.stack(targets))
    return y


def _padded(rows, width, fill):
    batch = torch.full((len(rows), width), fill, dtype=torch.long)
    for i, row in enumerate(rows):
        batch[i, : len(row)] = torch.from_numpy(row.astype(np.int64, copy=False))
    return batch


class PadCollator:
    """Pad a batch of token-id arrays to its longest row; targets and weights as tensors."""

    def __init__(self, pad_token_id):
        self.pad_token_id = pad_token_id

    def __call__(self, batch):
        ids, types, targets, weights = zip(*batch)
        lengths = torch.as_tensor([len(row) for row in ids])
        width = int(lengths.max())
        X = {
            "input_ids": _padded(ids, width, self.pad_token_id),
            "attention_mask": (torch.arange(width)[None, :] < lengths[:, None]).long(),
        }
        if types[0] is not None:
            X["token_type_ids"] = _padded(types, width, 0)
        return X, _targets(targets, weights)


class LengthGroupedBatchSampler:
    """Batches of rows of similar length.

    With ``shuffle=True`` (training) rows are shuffled, cut into mega-batches of
    ``50 * batch_size`` rows, each mega-batch is sorted by length and cut into
    batches, and the batches are shuffled: random but nearly free of padding.
    Without shuffle all rows are sorted by length (prediction, validation).
    ``first_epoch`` is the epoch whose permutation comes first: a training
    resumed after that many epochs sees the batches an uninterrupted one would.
    ``short_batch_last`` keeps the one short batch (if any) at the end of the
    shuffled order: accelerate's sharding of a batch sampler across processes
    (``BatchSamplerShard``) expects every batch but the last to be full and
    drops rows otherwise.
    """

    def __init__(self, lengths, batch_size, shuffle, seed, first_epoch=0, short_batch_last=False):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self._epoch = first_epoch
        self.short_batch_last = short_batch_last

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
        order = rng.permutation(len(batches))
        if self.short_batch_last:
            order = sorted(order, key=lambda i: len(batches[i]) < self.batch_size)
        for i in order:
            yield batches[i]


def length_grouped_loader(
    dataset,
    batch_size,
    shuffle=False,
    pad_token_id=0,
    seed=0,
    first_epoch=0,
    short_batch_last=False,
    **loader_kwargs,
):
    """The ``iterator_train`` / ``iterator_valid`` that sk_textrec gives skorch.

    A dataset with a ``collate`` of its own (:class:`PooledRows`) batches its
    rows with it; token ids are padded.
    """
    sampler = LengthGroupedBatchSampler(
        dataset.lengths, batch_size, shuffle, seed, first_epoch, short_batch_last
    )
    return DataLoader(
        dataset,
        batch_sampler=sampler,
        collate_fn=getattr(dataset, "collate", None) or PadCollator(pad_token_id),
        **loader_kwargs,
    )
