"""What BertClassifier and TextEmbedder share: model, tokenizer, device, tags.

Nothing here imports torch at module level: ``import sk_textrec`` stays light.
"""

import os
from numbers import Integral

import numpy as np

from ..utils._device import resolve_device, resolve_precision
from ..utils._model_source import model_load_errors, resolve_model_source
from ..utils._sklearn_compat import Interval, StrOptions


# transformers' placeholder for "no limit known" is int(1e30).
_UNSET_TOKENIZER_LIMIT = int(1e20)


class HFEncoderMixin:
    """Shared parameters and fit-time set-up of the HuggingFace-backed estimators."""

    _shared_parameter_constraints = {
        "model_name_or_path": [str, os.PathLike, None],
        "max_length": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, None],
        "precision": [StrOptions({"auto", "fp32", "bf16"})],
        "trust_remote_code": ["boolean"],
    }

    def _model_source(self):
        """The model folder or hub id; the packaged MiniLM when not given.

        A path that does not exist fails here, in ``fit``, naming the parameter.
        """
        return resolve_model_source(self.model_name_or_path)

    def _set_up_runtime(self):
        """Resolve ``device_``, the autocast dtype, ``tokenizer_`` and ``max_length_``."""
        from transformers import AutoConfig, AutoTokenizer

        self.device_ = resolve_device(self.device)
        self._autocast_dtype = resolve_precision(self.precision, self.device_)
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

    def _tokenize(self, texts):
        from ._data import tokenize

        return tokenize(self.tokenizer_, texts, self.max_length_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def restore_order(sorted_outputs, order):
    """Undo ``outputs = f(rows[order])``: row ``order[i]`` gets output ``i``."""
    outputs = np.empty_like(sorted_outputs)
    outputs[order] = sorted_outputs
    return outputs
