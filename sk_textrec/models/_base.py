"""What BertClassifier and TextEmbedder share: model, tokenizer, device, tags.

Nothing here imports torch at module level: ``import sk_textrec`` stays light.
"""

import os
from functools import partial
from numbers import Integral
from pathlib import Path

import numpy as np

from ..utils._device import resolve_device, resolve_precision
from ..utils._heap import release_free_heap
from ..utils._model_source import model_load_errors, resolve_model_source
from ..utils._parallel import configure_worker_threads
from ..utils._sklearn_compat import HasMethods, Interval, StrOptions
from ..utils._tags import text_input_tags
from ..utils._validation import check_text_input
from ._tokenize import TRUNCATIONS


# transformers' placeholder for "no limit known" is int(1e30).
_UNSET_TOKENIZER_LIMIT = int(1e20)
# Prediction tokenizes and encodes this many texts at a time, so that memory
# stays bounded on any number of texts (and a progress bar can move).
PREDICT_CHUNK_ROWS = 4096


class HFEncoderMixin:
    """Shared parameters and fit-time set-up of the HuggingFace-backed estimators."""

    _shared_parameter_constraints = {
        "model_name_or_path": [str, os.PathLike, None],
        "max_length": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, None],
        "precision": [StrOptions({"auto", "fp32", "bf16"})],
        "trust_remote_code": ["boolean"],
        "truncation": [StrOptions(set(TRUNCATIONS))],
        "cache_size": [Interval(Integral, 0, None, closed="left")],
        "memory": [str, os.PathLike, HasMethods(["cache"]), None],
    }

    def _model_source(self):
        """The model folder or hub id; the packaged MiniLM when not given.

        A path that does not exist fails here, in ``fit``, naming the parameter.
        """
        return resolve_model_source(self.model_name_or_path)

    def _set_up_device(self, device=None):
        """Resolve ``device_`` and the autocast dtype.

        ``device``, when given, is where something else (an accelerator) puts
        the model, in place of the ``device`` parameter.
        """
        self.device_ = resolve_device(self.device) if device is None else device
        configure_worker_threads(self.device_)
        self._autocast_dtype = resolve_precision(self.precision, self.device_)

    def _set_up_runtime(self, device=None):
        """Resolve ``device_``, the autocast dtype, ``tokenizer_`` and ``max_length_``."""
        from transformers import AutoConfig, AutoTokenizer

        self._set_up_device(device)
        source = self._model_source()
        with model_load_errors(source, purpose=type(self).__name__):
            self.tokenizer_ = AutoTokenizer.from_pretrained(
                source, trust_remote_code=self.trust_remote_code
            )
            config = AutoConfig.from_pretrained(source, trust_remote_code=self.trust_remote_code)
        # A longer max_length than the model has positions would crash on long
        # texts; the tokenizer's own limit (if set) accounts for offsets such as
        # RoBERTa's two reserved positions.
        limits = [self.max_length, getattr(config, "max_position_embeddings", self.max_length)]
        if self.tokenizer_.model_max_length < _UNSET_TOKENIZER_LIMIT:
            limits.append(self.tokenizer_.model_max_length)
        self.max_length_ = int(min(limits))

    def _validate_texts(self, X, *, reset):
        """Texts or text pairs as an object array; pairs only if the estimator was fitted on pairs.

        With ``reset`` (in ``fit``) the form of the input is recorded:
        ``n_text_fields_`` (1 or 2) and, for a DataFrame of pairs,
        ``feature_names_in_``. Later calls must pass the same form and, for a
        DataFrame, the same columns in the same order: (a, b) and (b, a) are
        different inputs.
        """
        texts = check_text_input(X, allow_pairs=True)
        n_fields = texts.shape[1] if texts.ndim == 2 else 1
        names = _column_names(X) if n_fields == 2 else None
        if reset:
            self.n_text_fields_ = n_fields
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return texts
        if n_fields != self.n_text_fields_:
            fitted = "text pairs (2 columns)" if self.n_text_fields_ == 2 else "single texts"
            given = "text pairs (2 columns)" if n_fields == 2 else "single texts"
            raise ValueError(
                f"{type(self).__name__} was fitted on {fitted}; X holds {given}. Pass the "
                "same form of input as in fit."
            )
        fitted_names = getattr(self, "feature_names_in_", None)
        if names is not None and fitted_names is not None and list(names) != list(fitted_names):
            raise ValueError(
                f"X has the columns {list(names)}; {type(self).__name__} was fitted on "
                f"{list(fitted_names)}. The order matters: (a, b) and (b, a) are different "
                "text pairs. Select the columns in the order used in fit."
            )
        return texts

    def _tokenize(self, texts):
        """Token ids and, for pairs, token type ids (see ``_tokenize.tokenize``)."""
        from ._tokenize import tokenize

        return tokenize(self.tokenizer_, texts, self.max_length_, self.truncation)

    def _pooled_outputs(self, texts, encoder, pooling):
        """Pooled last hidden states of ``encoder`` (frozen, in eval mode) for ``texts``.

        Each distinct text is encoded once per cache (``cache_size`` in this
        process, ``memory`` across processes; see ``_encoder_cache``). Mean
        pooling is computed in fp32, as ``TextEmbedder`` always did.
        """
        from ._encoder_cache import cached_outputs, settings_key

        settings = settings_key(*self._encoder_settings(pooling, texts.ndim))

        def compute(positions):
            return self._encode_pooled(texts[positions], encoder, pooling)

        return cached_outputs(
            texts, settings, compute, cache_size=self.cache_size, memory=self.memory
        )

    def _encoder_settings(self, pooling, n_dims):
        """Everything besides the text that the pooled outputs depend on: the cache key.

        An option that changes what the encoder computes (compressed weights,
        adapters, fewer layers) must be added here, or it would be served the
        vectors of the plain encoder.
        """
        return (
            "pooled", model_identity(self._model_source()), self.max_length_, self.truncation,
            pooling, n_dims, str(self._autocast_dtype),
        )

    def _encode_pooled(self, texts, encoder, pooling):
        import torch

        from ._module import autocast_context

        width = encoder.config.hidden_size
        if not len(texts):
            return np.empty((0, width), np.float32)
        with torch.inference_mode(), autocast_context(self.device_, self._autocast_dtype):
            return self._outputs_in_chunks(
                texts, partial(self._pooled_sorted, encoder, pooling), description="embed"
            )

    def _pooled_sorted(self, encoder, pooling, dataset, batch_size):
        """Pooled vectors of a tokenized chunk, in the loader's length order."""
        from ._data import length_grouped_loader
        from ._module import pool

        loader = length_grouped_loader(
            dataset, batch_size, pad_token_id=self.tokenizer_.pad_token_id or 0
        )
        chunks = []
        for batch, _ in loader:
            batch = {name: tensor.to(self.device_) for name, tensor in batch.items()}
            hidden = encoder(**batch).last_hidden_state
            chunks.append(pool(hidden.float(), batch["attention_mask"], pooling).float().cpu().numpy())
        return np.concatenate(chunks)

    def _outputs_in_chunks(self, texts, sorted_outputs_of, description="predict"):
        """Outputs for ``texts`` in their order, computed ``PREDICT_CHUNK_ROWS`` at a time.

        ``sorted_outputs_of(dataset, batch_size)`` returns the outputs of a
        tokenized chunk in ``length_order`` (longest first, as the prediction
        loader batches them). ``batch_size`` is halved while the device runs out
        of memory (see ``_faults.BatchSizeBackoff``). With ``verbose``, inputs of
        more than one chunk get a progress bar. The heap is trimmed after each
        chunk (``utils._heap``), so memory stays bounded however many texts.
        """
        from tqdm.auto import tqdm

        from ._data import TokenizedTexts, length_order
        from ._faults import BatchSizeBackoff

        # A model fitted elsewhere and shipped to a worker predicts there.
        configure_worker_threads(self.device_)
        chunks = []
        backoff = BatchSizeBackoff(self.batch_size, self.device_)
        show = bool(getattr(self, "verbose", 0)) and len(texts) > PREDICT_CHUNK_ROWS
        with tqdm(total=len(texts), desc=description, unit="text", disable=not show) as bar:
            for start in range(0, len(texts), PREDICT_CHUNK_ROWS):
                dataset = TokenizedTexts(*self._tokenize(texts[start : start + PREDICT_CHUNK_ROWS]))
                sorted_outputs = backoff.run(sorted_outputs_of, dataset)
                chunks.append(restore_order(sorted_outputs, length_order(dataset.lengths)))
                bar.update(len(dataset))
                del dataset, sorted_outputs
                release_free_heap()  # else fragmentation grows the resident memory chunk after chunk
        backoff.warn_if_reduced(self)
        return np.concatenate(chunks)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = text_input_tags(tags.input_tags, text_pairs=True)
        return tags


def _column_names(X):
    """A DataFrame's column names when they are all strings (scikit-learn's rule), else None."""
    columns = getattr(X, "columns", None)
    if columns is None or not all(isinstance(name, str) for name in columns):
        return None
    return np.asarray(columns, dtype=object)


def model_identity(source):
    """A model's name, or for a folder its path with its files' sizes and times (cache keys)."""
    if not os.path.isdir(source):
        return source
    files = sorted(Path(source).rglob("*"))
    return source, [(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file()]


def restore_order(sorted_outputs, order):
    """Undo ``outputs = f(rows[order])``: row ``order[i]`` gets output ``i``."""
    outputs = np.empty_like(sorted_outputs)
    outputs[order] = sorted_outputs
    return outputs
