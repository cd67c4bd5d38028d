"""Masked-LM substitution: mask words, let a fill-mask model propose new ones."""

import os
from numbers import Integral, Real

import numpy as np

from ..utils._device import resolve_device
from ..utils._model_source import resolve_model_source
from ..utils._sklearn_compat import Interval
from ._base import BaseAugmenter, LazyStateMixin, python_rng
from ._tokens import match_case, split_words

# transformers' placeholder for "no limit known" is int(1e30).
_UNSET_TOKENIZER_LIMIT = int(1e20)


class MaskedLMSubstitution(LazyStateMixin, BaseAugmenter):
    """Replace words by a masked language model's guesses in their context.

    In each text ``max(1, int(p * n_words))`` random words are each replaced
    by one mask token; the model (``AutoModelForMaskedLM``, loaded on first
    use onto ``device``) fills all masks of a text in one forward pass, texts
    in batches of similar length. Each mask becomes a word sampled from the
    ``top_k`` most likely whole-word vocabulary entries (softmax of their
    logits, with the original word excluded), with the random_state, in the
    capitalisation of the word it replaces. Words cut off by the model's
    maximum length stay as they are.

    Parameters
    ----------
    model_name_or_path : str or path-like, default=None
        A fill-mask model, e.g. ``"distilroberta-base"`` or
        ``"bert-base-uncased"``. ``None`` loads the packaged all-MiniLM-L6-v2,
        which has **no trained masked-LM head** (transformers initialises a
        random one, with a warning): its guesses are random words, so pass a
        real fill-mask model for meaningful substitutions.
    p : float, default=0.15
        Share of the words replaced: ``max(1, int(p * n_words))`` per text,
        none when 0.
    batch_size : int, default=32
        Texts per forward pass.
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU) or any torch device; resolved on
        first use into ``device_``.
    top_k : int, default=10
        Number of most likely words a replacement is sampled from.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar over the texts.

    Attributes
    ----------
    device_ : str
        The device the model runs on (set when it is loaded).

    See Also
    --------
    SynonymReplacement : Replace words by synonyms, without a model.

    Examples
    --------
    >>> from sk_textrec.augmentation import MaskedLMSubstitution
    >>> from sk_textrec.utils import make_tiny_bert
    >>> substitute = MaskedLMSubstitution(make_tiny_bert(), p=0.5)
    >>> texts = substitute.augment(["great dress, love it", ""], random_state=0)
    >>> [len(text.split()) for text in texts], substitute.device_
    ([4, 0], 'cpu')
    """

    _parameter_constraints = {
        "model_name_or_path": [str, os.PathLike, None],
        "p": [Interval(Real, 0, 1, closed="both")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, None],
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }
    _state_params = ("model_name_or_path", "device")

    def __init__(self, model_name_or_path=None, p=0.15, batch_size=32, device="auto", top_k=10,
                 verbose=0):
        self.model_name_or_path = model_name_or_path
        self.p = p
        self.batch_size = batch_size
        self.device = device
        self.top_k = top_k
        self.verbose = verbose

    def _load(self):
        from ._hf import load_pretrained, whole_word_vocabulary

        self.device_ = resolve_device(self.device)
        source = resolve_model_source(self.model_name_or_path)
        tokenizer, model = load_pretrained(
            "AutoModelForMaskedLM", source, self.device_, purpose="MaskedLMSubstitution"
        )
        if tokenizer.mask_token is None:
            raise ValueError(
                "The 'model_name_or_path' parameter of MaskedLMSubstitution must be a "
                f"fill-mask model with a mask token; {source!r} has none."
            )
        ids, words = whole_word_vocabulary(tokenizer)
        limits = [getattr(model.config, "max_position_embeddings", 512), 512]
        if tokenizer.model_max_length < _UNSET_TOKENIZER_LIMIT:
            limits.append(tokenizer.model_max_length)
        # Every column of a word, in any casing, to exclude the word being replaced.
        columns = {}
        for column, word in enumerate(words):
            columns.setdefault(word.lower(), []).append(column)
        return tokenizer, model, ids, words, columns, min(limits)

    def _augment(self, texts, random_state):
        if self.p == 0:
            return list(texts)
        tokenizer, model, ids, words, columns, max_length = self._loaded()
        rng = python_rng(random_state)
        split = [split_words(text) for text in texts]
        masked, targets = [], []
        for text, parts in zip(texts, split):
            n_words = len(parts) // 2
            # A text that already holds the mask token would misalign the guesses.
            if n_words == 0 or tokenizer.mask_token in text:
                continue
            positions = sorted(rng.sample(range(n_words), max(1, int(self.p * n_words))))
            with_masks = list(parts)
            for position in positions:
                with_masks[2 * position + 1] = tokenizer.mask_token
            masked.append("".join(with_masks))
            targets.append([(parts, 2 * position + 1) for position in positions])
        if masked:
            found, top_logits, top_columns = self._top_guesses(
                tokenizer, model, ids, columns, masked, targets, max_length
            )
            # Sampled on the CPU with numpy: the same seed gives the same words on
            # any device. Excluded entries have logit -inf, so probability 0.
            probabilities = np.exp(top_logits - top_logits[:, :1])
            cumulative = np.cumsum(probabilities, axis=1)
            draws = random_state.random_sample(len(found)) * cumulative[:, -1]
            picked = np.minimum((cumulative < draws[:, None]).sum(axis=1), top_columns.shape[1] - 1)
            for (parts, index), column in zip(found, top_columns[np.arange(len(found)), picked]):
                parts[index] = match_case(parts[index], words[column])
        return ["".join(parts) for parts in split]

    def _top_guesses(self, tokenizer, model, ids, columns, masked, targets, max_length):
        """The masks the model saw, with the logits and columns of their best guesses.

        Masks cut off by truncation are not returned: their words stay.
        """
        import torch

        from ._hf import length_sorted_batches, with_progress

        candidate_ids = torch.as_tensor(ids, device=self.device_)
        k = min(self.top_k, len(ids))
        found, top_logits, top_columns = [], [], []
        with torch.inference_mode():
            batches = length_sorted_batches([len(text) for text in masked], self.batch_size)
            for batch in with_progress(batches, type(self).__name__, self.verbose):
                encoded = tokenizer(
                    [masked[i] for i in batch], padding=True, truncation=True,
                    max_length=max_length, return_tensors="pt",
                ).to(self.device_)
                logits = model(**encoded).logits
                # Row-major order: the masks of each text, left to right.
                batch_rows, token_positions = torch.nonzero(
                    encoded["input_ids"] == tokenizer.mask_token_id, as_tuple=True
                )
                scores = logits[batch_rows, token_positions][:, candidate_ids].float()
                nth = {}
                for k_mask, row in enumerate(batch[batch_rows.cpu().numpy()].tolist()):
                    nth[row] = nth.get(row, -1) + 1
                    parts, index = targets[row][nth[row]]
                    found.append((parts, index))
                    # The word being replaced is not a guess.
                    scores[k_mask, columns.get(parts[index].lower(), [])] = -torch.inf
                values, top = torch.topk(scores, k, dim=1)
                top_logits.append(values.cpu().numpy())
                top_columns.append(top.cpu().numpy())
        return found, np.concatenate(top_logits), np.concatenate(top_columns)
