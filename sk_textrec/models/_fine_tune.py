"""What BertClassifier and BertRegressor share: fine-tuning an encoder with heads through skorch.

The estimators differ in how targets become heads and losses, and how raw head
outputs become predictions; everything else — parameters, validation split,
the skorch net and its callbacks, seeding, chunked prediction, pickling — is
here, once.
"""

import copy
import os
from numbers import Integral, Real

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import HasMethods, Interval, StrOptions
from ._base import HFEncoderMixin

# An epoch with at least this many batches gets a progress bar when verbose.
_PROGRESS_BAR_MIN_BATCHES = 20


class FineTunedEncoderMixin(HFEncoderMixin):
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

    def _fit_encoder(self, texts, targets, sample_weight, *, tasks, head_sizes, stratify, seed,
                     warm=False):
        """Tokenize, split, build the skorch net and train it; sets ``net_`` and ``n_epochs_``.

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
        if warm:
            # The tokenizer and max_length_ stay those of the fitted model; the
            # device and precision are those asked for now.
            self._set_up_device()
        else:
            self._set_up_runtime()
        from ._checkpoint import open_checkpoint
        from ._data import TokenizedTexts
        from ._faults import training_faults

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
                self.net_ = self._build_net(train, valid, tasks, head_sizes, seed, module=warm_module)
                if checkpoint is not None:
                    checkpoint.attach(self.net_)
                with training_faults(self, checkpoint):
                    self._train(train)
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
        return self

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

    def _build_net(self, train, valid, tasks, head_sizes, seed, encoder=None, module=None):
        """The skorch net; ``encoder`` (a transformers config) replaces the model source.

        ``sk_textrec.load`` passes the saved encoder's config so that the net is
        built without the original model, then loads the saved (merged) weights:
        no adapters are added. A ``warm_start`` fit passes its fitted ``module``,
        which the net trains as it is.
        """
        import torch
        from skorch import NeuralNet
        from skorch.helper import predefined_split

        from ._data import length_grouped_loader
        from ._losses import MultiTaskLoss
        from ._module import EncoderWithHeads

        n_batches = -(-len(train) // self.batch_size)
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
            **(self.net_params or {}),
        }
        return NeuralNet(**params)

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
        # A warm fit hands skorch the fitted module itself; kept as the `module`
        # parameter too, it would be pickled a second time beside `module_`.
        self.net_.module = type(self.net_.module_)

    def _raw_outputs(self, X):
        """The heads' outputs side by side, in the order of ``X``, under inference mode."""
        import torch

        check_is_fitted(self, "net_")
        texts = self._validate_texts(X, reset=False)
        with torch.inference_mode():
            return self._outputs_in_chunks(texts, self._sorted_raw_outputs)

    def _sorted_raw_outputs(self, dataset, batch_size):
        """Raw outputs of a tokenized chunk in the loader's length order, ``batch_size`` rows at a time.

        What ``net_.forward`` does, with a batch size that can be lowered when
        the device runs out of memory.
        """
        from ._data import length_grouped_loader

        loader = length_grouped_loader(
            dataset, batch_size, pad_token_id=self.tokenizer_.pad_token_id or 0
        )
        return np.concatenate([self.net_.evaluation_step(batch).cpu().numpy() for batch in loader])

    def __getstate__(self):
        # A copy: on Python 3.11+ the default state is the instance's own __dict__.
        state = dict(super().__getstate__())
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
