"""What BertClassifier and BertRegressor share: fine-tuning an encoder with heads through skorch.

The estimators differ in how targets become heads and losses, and how raw head
outputs become predictions; everything else — parameters, validation split,
the skorch net and its callbacks, seeding — is here, once; prediction, the
compressed engines, distillation and pickling are in ``_fine_tune_predict``.
"""

import copy
import os
from numbers import Integral, Real

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from ..utils._sklearn_compat import HasMethods, Interval, StrOptions
from ._base import HFEncoderMixin
from ._compress import INFERENCE_OPTIONS
from ._fine_tune_predict import FineTunedPredictionMixin

# An epoch with at least this many batches gets a progress bar when verbose.
_PROGRESS_BAR_MIN_BATCHES = 20


class FineTunedEncoderMixin(FineTunedPredictionMixin, HFEncoderMixin):
    """Shared parameters, ``fit`` machinery and prediction of the fine-tuned estimators.

    A subclass turns its targets into ``(targets, tasks, head_sizes)`` and calls
    :meth:`_fit_encoder`; it turns :meth:`_raw_outputs` into predictions, and
    tells :meth:`_validation_scorer` how to read raw outputs and targets.
    """

    _fine_tune_parameter_constraints = {
        **HFEncoderMixin._shared_parameter_constraints,
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "warmup_ratio": [Interval(Real, 0, 1, closed="both")],
        "freeze": [StrOptions({"embeddings", "encoder"}), Interval(Integral, 0, None, closed="left"), None],
        "pooling": [StrOptions({"mean", "cls"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "early_stopping_scoring": [str, callable, None],
        "adversarial": [StrOptions({"fgm", "pgd"}), None],
        "adversarial_epsilon": [Interval(Real, 0, None, closed="neither")],
        "adversarial_steps": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "net_params": [dict, None],
        "on_divergence": [StrOptions({"raise", "restore"})],
        "checkpoint": [str, os.PathLike, None],
        "inference": [StrOptions(set(INFERENCE_OPTIONS))],
        "accelerator": [StrOptions({"auto"}), HasMethods(["prepare", "unwrap_model"]), None],
        "peft": [StrOptions({"lora"}), HasMethods(["to_dict"]), None],
        "peft_pickle": [StrOptions({"adapters", "full"})],
        "warm_start": ["boolean"],
    }
    def _draw_seed(self):
        """One seed for everything random in ``fit``, drawn from ``random_state``."""
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _continues(self):
        """Whether this fit continues the fitted weights (``warm_start`` on a fitted model)."""
        return bool(self.warm_start) and hasattr(self, "net_")

    def _fit_encoder(
        self, texts, targets, sample_weight, *, tasks, head_sizes, stratify, seed,
        encoder=None, initial_weights=None, warm=False,
    ):
        """Tokenize, split, build the skorch net and train it; sets ``net_`` and ``n_epochs_``.

        Training ends by compressing the model for ``inference``.

        Parameters
        ----------
        texts : ndarray of shape (n,) or (n, 2)
        targets : ndarray of shape (n, n_target_columns)
        sample_weight : ndarray of shape (n,)
        tasks : list of (loss module, output slice, target slice, weight)
            See :class:`~sk_textrec.models._losses.MultiTaskLoss`.
        head_sizes : list of int
            Width of each head, in the order of the output slices.
        stratify : ndarray of shape (n,) or None
            Labels the validation split is stratified on.
        seed : int
        encoder : transformers config, default=None
            Architecture of the encoder instead of the pretrained model
            (``_build_net``); with it, ``initial_weights`` are loaded.
        initial_weights : dict of tensors, default=None
            State dict the module starts from (a distilled student's).
        warm : bool, default=False
            Continue from the fitted module (``warm_start``) with a fresh
            optimizer and learning-rate schedule; the caller has checked that
            the targets fit its heads.
        """
        import torch

        if self.early_stopping_scoring is not None and self.validation_fraction is None:
            raise ValueError(
                "The 'early_stopping_scoring' parameter needs validation rows to score: "
                "set validation_fraction (e.g. 0.1) as well."
            )
        from ._accelerate import accelerator_device, check_precision, resolve_accelerator
        from ._peft import check_peft

        check_peft(self)
        if warm:
            fitted_heads = [head.out_features for head in self.net_.module_.heads]
            if list(head_sizes) != fitted_heads:
                raise ValueError(
                    f"This fit needs heads of widths {list(head_sizes)}, the fitted "
                    f"{type(self).__name__} has {fitted_heads} (multi_output or the targets "
                    "changed). A warm_start fit trains the fitted heads; fit with "
                    "warm_start=False instead."
                )
        # A warm fit trains a copy: when it fails (a crash, Ctrl-C) the fitted model
        # is left as it was, and the same fit again resumes its checkpoint, whose
        # key hashes these starting weights.
        previous = self.net_ if warm else None
        warm_module = copy.deepcopy(previous.module_) if warm else None
        accelerator = resolve_accelerator(self)
        device = None if accelerator is None else accelerator_device(accelerator)
        if warm:
            # The tokenizer and max_length_ stay those of the fitted model; the
            # device and precision are those asked for now.
            self._set_up_device(device)
        else:
            self._set_up_runtime(device)
        self._inference_engine = None
        if accelerator is not None:
            check_precision(accelerator, self._autocast_dtype, self.precision)
        from ._checkpoint import open_checkpoint
        from ._data import PooledRows, TokenizedTexts
        from ._faults import training_faults
        from ._module import PooledHeads

        dataset = TokenizedTexts(*self._tokenize(texts), targets, sample_weight)
        # A resumed training keeps the seed it was started with (random_state may be None).
        checkpoint = open_checkpoint(self, texts, targets, sample_weight, seed, start=warm_module)
        seed = seed if checkpoint is None else checkpoint.seed
        train, valid = self._split(dataset, stratify, seed)
        try:
            with torch.random.fork_rng(devices=self._rng_devices()):
                torch.manual_seed(seed)
                if warm:
                    self._prepare_warm_module(warm_module)
                heads_only = self._trains_heads_only()
                # A frozen encoder's net only encodes; the heads' net is the one accelerated.
                self.net_ = self._build_net(
                    train, valid, tasks, head_sizes, seed, encoder, module=warm_module,
                    accelerator=None if heads_only else accelerator,
                )
                if initial_weights is not None:
                    self.net_.initialize()
                    self.net_.module_.load_state_dict(initial_weights)
                    # skorch's fit would otherwise initialize the module again.
                    self.net_.warm_start = True
                full_net = None
                if heads_only:
                    # The encoder's outputs do not change during training: encode each
                    # text once (through the caches) and train the heads on them.
                    full_net = self.net_ if initial_weights is not None else self.net_.initialize()
                    # Encoding draws loader seeds from torch's RNG, and only on cache
                    # misses: kept apart, training draws what it would draw anyway.
                    with torch.random.fork_rng(devices=self._rng_devices()):
                        pooled = self._pooled_outputs(texts, full_net.module_.encoder, self.pooling)
                    train, valid = self._split(
                        PooledRows(pooled, dataset.lengths, targets, sample_weight), stratify, seed
                    )
                    self.net_ = self._build_net(
                        train, valid, tasks, head_sizes, seed, module=PooledHeads(full_net.module_),
                        accelerator=accelerator,
                    )
                if checkpoint is not None:
                    checkpoint.attach(self.net_)
                with training_faults(self, checkpoint):
                    self._train(train)
                if full_net is not None:
                    # The heads were trained in place: the encoder-with-heads is the model.
                    full_net.history = self.net_.history
                    full_net.train_split = None
                    self.net_ = full_net
        except BaseException:
            if previous is not None:
                self.net_ = previous
            raise
        if self.peft is not None:
            from ._peft import merge_adapters

            merge_adapters(self, self.model_name_or_path, warm=warm)
        elif hasattr(self, "_peft_adapters"):  # a warm fit without adapters changed every weight
            del self._peft_adapters
        self.n_epochs_ = len(self.net_.history)
        self._engine(self.inference)
        return self

    def _trains_heads_only(self):
        """Whether ``fit`` trains the heads on the frozen encoder's cached pooled outputs.

        Adversarial training perturbs the encoder's word embeddings, so it runs
        the encoder on every batch; adapters change the encoder.
        """
        return self.freeze == "encoder" and self.adversarial is None and self.peft is None

    def _prepare_warm_module(self, module):
        """Apply the current parameters that do not change the fitted module's architecture.

        What trains is set again: a fit without adapters may follow one with
        them (whose merged encoder is frozen), or ``freeze`` may have changed.
        """
        from ._module import freeze_parameters

        module.autocast_dtype = self._autocast_dtype
        module.dropout.p = self.dropout
        module.pooling = self.pooling
        if self.peft is None:
            module.encoder.requires_grad_(True)
            freeze_parameters(module.encoder, self.freeze)
        else:
            from ._peft import add_adapters

            module.encoder = add_adapters(module.encoder, self.peft)

    def _split(self, dataset, stratify, seed):
        if self.validation_fraction is None:
            return dataset, None
        try:
            train_idx, valid_idx = train_test_split(
                np.arange(len(dataset)),
                test_size=self.validation_fraction,
                stratify=stratify,
                random_state=seed,
            )
        except ValueError as exc:
            raise ValueError(
                f"Cannot hold out a {'stratified ' if stratify is not None else ''}"
                f"validation_fraction={self.validation_fraction} of {len(dataset)} rows: "
                f"{exc} Use more rows, a larger fraction or validation_fraction=None."
            ) from exc
        return dataset.subset(train_idx), dataset.subset(valid_idx)

    def _rng_devices(self):
        import torch

        if self.device_.startswith("cuda"):
            return [torch.device(self.device_).index or 0]
        return []

    def _callbacks(self, n_batches, valid):
        from skorch.callbacks import ProgressBar

        from ._adversarial import AdversarialTraining
        from ._callbacks import EarlyStopping, ValidationScoring, WarmupLinearSchedule
        from ._divergence import DivergenceGuard

        total_steps = n_batches * self.max_epochs
        callbacks = [
            # First, so that it sees a diverged epoch before early stopping scores it.
            ("divergence_guard", DivergenceGuard(self.on_divergence, n_batches)),
            (
                "lr_schedule",
                WarmupLinearSchedule(round(self.warmup_ratio * total_steps), total_steps),
            )
        ]
        if self.adversarial is not None:
            callbacks.append((
                "adversarial",
                AdversarialTraining(self.adversarial, self.adversarial_epsilon, self.adversarial_steps),
            ))
        if valid is not None:
            monitor, lower_is_better = "valid_loss", True
            if self.early_stopping_scoring is not None:
                monitor, lower_is_better = self._validation_metric_name(), False
                callbacks.append((monitor, ValidationScoring(monitor, self._validation_scorer())))
            callbacks.append(("early_stopping", EarlyStopping(self.patience, monitor, lower_is_better)))
        if self.verbose and n_batches >= _PROGRESS_BAR_MIN_BATCHES:
            callbacks.append(("progress_bar", ProgressBar()))
        return callbacks

    def _validation_metric_name(self):
        scoring = self.early_stopping_scoring
        name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "score")
        return f"valid_{name}"

    def _build_net(
        self, train, valid, tasks, head_sizes, seed, encoder=None, module=None, accelerator=None
    ):
        """The skorch net; ``encoder`` (a transformers config) replaces the model source.

        ``sk_textrec.load`` passes the saved encoder's config so that the net is
        built without the original model, then loads the saved (merged) weights:
        no adapters are added. A ``module`` (a ``warm_start`` fit's fitted module,
        or the heads of a frozen encoder) is trained as it is. With an
        ``accelerator`` the net trains through it (see ``_accelerate``).
        """
        import torch
        from skorch import NeuralNet
        from skorch.helper import predefined_split

        from ._data import length_grouped_loader
        from ._losses import MultiTaskLoss
        from ._module import EncoderWithHeads

        n_batches = -(-len(train) // self.batch_size)
        net_class, accelerated = NeuralNet, {}
        if accelerator is not None:
            from ._accelerate import AcceleratedNet, accelerated_net_params, batches_per_process

            n_batches = batches_per_process(accelerator, n_batches)
            net_class, accelerated = AcceleratedNet, accelerated_net_params(accelerator)
        pad_token_id = self.tokenizer_.pad_token_id or 0
        if module is None:
            module_params = {
                "module": EncoderWithHeads,
                "module__model_name_or_path": self._model_source() if encoder is None else encoder,
                "module__head_sizes": head_sizes,
                "module__pooling": self.pooling,
                "module__dropout": self.dropout,
                "module__freeze": self.freeze,
                "module__trust_remote_code": self.trust_remote_code,
                "module__autocast_dtype": self._autocast_dtype,
                "module__peft": self.peft if encoder is None else None,
            }
        else:
            module_params = {"module": module}
        params = {
            **module_params,
            "criterion": MultiTaskLoss,
            "criterion__tasks": tasks,
            "optimizer": torch.optim.AdamW,
            "optimizer__weight_decay": self.weight_decay,
            "lr": self.lr,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "iterator_train": length_grouped_loader,
            "iterator_train__shuffle": True,
            "iterator_train__seed": seed,
            "iterator_train__pad_token_id": pad_token_id,
            "iterator_valid": length_grouped_loader,
            "iterator_valid__pad_token_id": pad_token_id,
            "train_split": None if valid is None else predefined_split(valid),
            "callbacks": self._callbacks(n_batches, valid),
            "device": self.device_,
            # The pickled module is a HuggingFace model, not a plain tensor dict.
            "torch_load_kwargs": {"weights_only": False},
            "verbose": self.verbose,
            **accelerated,
            **(self.net_params or {}),
        }
        return net_class(**params)

    def _train(self, train):
        from ._callbacks import StopTraining

        try:
            self.net_.fit(train, y=None)
        except StopTraining:
            self.net_.notify("on_train_end", X=train, y=None)
        if getattr(self.net_, "accelerator", None) is not None:
            from ._accelerate import detach_accelerator

            self.net_ = detach_accelerator(self.net_)
        # AdamW's moment estimates are twice the size of the weights and are not
        # needed to predict; dropping them keeps pickles close to the weights.
        self.net_.optimizer_.state.clear()
        # The validation rows are not needed after training either.
        self.net_.train_split = None
        # A warm fit hands skorch the fitted module itself; kept as the `module`
        # parameter too, it would be pickled a second time beside `module_`.
        self.net_.module = type(self.net_.module_)
