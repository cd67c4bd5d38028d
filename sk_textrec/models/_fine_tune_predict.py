"""Prediction side of the fine-tuned estimators: raw outputs, compressed engines, distillation, pickling.

Split from ``_fine_tune`` (the ``fit`` side); :class:`FineTunedEncoderMixin`
inherits both.
"""

import functools

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._compress import check_inference
from ._tokenize import uses_token_type_ids


class FineTunedPredictionMixin:
    """Raw head outputs of a fitted ``net_`` (fp32, or a compressed engine), ``distill`` and pickling."""

    # Built from net_'s fp32 weights when needed; never pickled nor saved.
    _derived_attributes = ("_inference_engine",)

    def _raw_outputs(self, X, inference=None):
        """The heads' outputs side by side, in the order of ``X``, under inference mode.

        ``inference`` overrides the parameter (distillation asks the fp32 model).
        """
        import torch

        check_is_fitted(self, "net_")
        texts = self._validate_texts(X, reset=False)
        # Built before inference mode: tracing and quantizing need ordinary tensors.
        engine = self._engine(self.inference if inference is None else inference)
        with torch.inference_mode():
            if self.freeze != "encoder" or engine is not None:
                # A compressed engine runs the whole model: the cache holds fp32 vectors.
                return self._outputs_in_chunks(
                    texts, functools.partial(self._sorted_raw_outputs, engine=engine)
                )
            from ._base import PREDICT_CHUNK_ROWS
            from ._module import PooledHeads

            pooled = self._pooled_outputs(texts, self.net_.module_.encoder, self.pooling)
            heads = PooledHeads(self.net_.module_).eval()
            return np.concatenate([
                heads(torch.from_numpy(pooled[start : start + PREDICT_CHUNK_ROWS]).to(self.device_))
                .cpu().numpy()
                for start in range(0, max(len(pooled), 1), PREDICT_CHUNK_ROWS)
            ])

    def _sorted_raw_outputs(self, dataset, batch_size, engine=None):
        """Raw outputs of a tokenized chunk in the loader's length order, ``batch_size`` rows at a time.

        What ``net_.forward`` does, with a batch size that can be lowered when
        the device runs out of memory; a compressed ``engine`` (see
        ``_compress``) replaces the net when given.
        """
        from ._data import length_grouped_loader

        loader = length_grouped_loader(
            dataset, batch_size, pad_token_id=self.tokenizer_.pad_token_id or 0
        )
        if engine is None:
            return np.concatenate([self.net_.evaluation_step(batch).cpu().numpy() for batch in loader])
        return np.concatenate([engine(X) for X, _ in loader])

    def _engine(self, inference):
        """None for the fp32 net; else the compressed CPU engine, built once per setting.

        Only the engine of the current setting is kept: ``set_params(inference=...)``
        after ``fit`` takes effect at the next prediction.
        """
        if check_inference(inference) == "fp32":
            return None
        built = getattr(self, "_inference_engine", None)
        if built is None or built[0] != inference:
            from ._compress import build_engine

            pairs = self.n_text_fields_ == 2 and uses_token_type_ids(self.tokenizer_)
            engine = build_engine(self.net_.module_, inference, pairs=pairs, device=self.device_)
            self._inference_engine = (inference, engine)
        return self._inference_engine[1]

    def _restore_derived(self):
        """``sk_textrec.load``: compress the loaded fp32 weights for ``inference`` again."""
        self._engine(self.inference)

    def distill(self, X, n_layers=3, *, temperature=2.0, **params):
        """A smaller copy of this model with the lower ``n_layers`` encoder layers, trained on its outputs.

        The student starts from this model's embeddings, its first
        ``n_layers`` transformer layers and its heads, and is fine-tuned to
        reproduce this model's fp32 outputs on the texts ``X`` (no labels
        needed; the training texts are the natural choice): soft targets
        compared by the KL divergence at ``temperature`` for class heads, by
        the squared error for regression heads. It is a fitted estimator of
        the same class with the same parameters, labels and ``inference``
        setting, trained without early stopping on a score and without a
        checkpoint. The truncation is part of its fitted state, not of its
        parameters: fitting the student (or a clone) again trains a
        full-depth encoder.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts (or text pairs, if fitted on pairs) to distill on.
        n_layers : int, default=3
            Encoder layers the student keeps, from 1 to the encoder's depth.
        temperature : float, default=2.0
            Softmax temperature of the class heads' soft targets; higher
            values pass on more of the teacher's ranking of wrong classes.
        **params : dict
            Parameters of the student's training, e.g. ``max_epochs`` or ``lr``.

        Returns
        -------
        student : estimator
            A fitted estimator of the same class as ``self``.
        """
        from ._distill import distill

        return distill(self, X, n_layers, temperature, params)

    def __getstate__(self):
        # An ONNX Runtime session cannot be pickled; the engine is rebuilt from
        # the fp32 weights at the first prediction after loading. A new dict:
        # the one scikit-learn returns is the live __dict__. An adapters-only
        # pickle leaves the (merged) encoder out; unpickling rebuilds it.
        state = {name: value for name, value in super().__getstate__().items()
                 if name not in self._derived_attributes}
        if getattr(self, "_peft_adapters", None) is not None and self.peft_pickle == "adapters":
            from ._peft import without_encoder

            state["net_"] = without_encoder(self.net_)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        # skorch falls back to the CPU when a net trained on CUDA is loaded where
        # CUDA is missing; report the device the model actually sits on.
        if "net_" in state:
            self.device_ = str(self.net_.device)
            if self.net_.module_.encoder is None:  # an adapters-only pickle
                from ._peft import restore_encoder

                restore_encoder(self)
