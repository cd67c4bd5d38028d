"""skorch callbacks that BertClassifier adds to its net."""

import numpy as np
from skorch.callbacks import Callback, LRScheduler

from ._accelerate import bare_module, gathered


class StopTraining(Exception):
    """Raised by :class:`EarlyStopping`; caught by BertClassifier.fit.

    skorch's own EarlyStopping raises KeyboardInterrupt, which makes a real
    Ctrl-C look like a planned stop. A dedicated exception keeps them apart.
    """


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    The best weights are kept (on the CPU) and restored when training ends, so
    the model is the one of the best epoch, not of the last.
    """

    def __init__(self, patience, monitor="valid_loss", lower_is_better=True):
        self.patience = patience
        self.monitor = monitor
        self.lower_is_better = lower_is_better

    def on_train_begin(self, net, **kwargs):
        self.best_score_ = float("inf") if self.lower_is_better else -float("inf")
        self.best_epoch_ = 0
        self.misses_ = 0
        self.best_weights_ = None

    def _improved(self, score):
        return score < self.best_score_ if self.lower_is_better else score > self.best_score_

    def on_epoch_end(self, net, **kwargs):
        score = net.history[-1, self.monitor]
        epoch = net.history[-1, "epoch"]
        if self._improved(score):
            self.best_score_, self.best_epoch_, self.misses_ = score, epoch, 0
            self.best_weights_ = {
                name: tensor.detach().to("cpu", copy=True)
                for name, tensor in bare_module(net).state_dict().items()
            }
            return
        self.misses_ += 1
        if self.misses_ >= self.patience:
            if net.verbose:
                print(
                    f"Stopping: {self.monitor} has not improved for {self.patience} "
                    f"epochs; restoring the weights of epoch {self.best_epoch_}."
                )
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        if self.best_weights_ is not None and self.best_epoch_ != net.history[-1, "epoch"]:
            bare_module(net).load_state_dict(self.best_weights_)
        # The copy has served its purpose; keeping it would double the pickle.
        self.best_weights_ = None


class ValidationScoring(Callback):
    """Score the validation rows each epoch with a scikit-learn scorer.

    The outputs of the validation batches, which skorch computes anyway for
    ``valid_loss``, are collected as they pass, so scoring costs no extra
    forward pass; under an accelerator they are gathered from every process.
    ``score(outputs, targets)`` turns the module's raw outputs and
    the target rows into a number; it is recorded in the history as ``name``.
    """

    def __init__(self, name, score):
        self.name = name
        self.score = score

    def on_epoch_begin(self, net, **kwargs):
        self.outputs_, self.targets_ = [], []

    def on_batch_end(self, net, batch, training, y_pred=None, **kwargs):
        if not training:
            outputs, targets = gathered(net, (y_pred.detach().float(), batch[1]["target"]))
            self.outputs_.append(outputs.cpu().numpy())
            self.targets_.append(targets.cpu().numpy())

    def on_epoch_end(self, net, **kwargs):
        net.history.record(
            self.name, float(self.score(np.concatenate(self.outputs_), np.concatenate(self.targets_)))
        )
        self.outputs_, self.targets_ = [], []

    def on_train_end(self, net, **kwargs):
        # The scorer refers back to the estimator; the history already holds the scores.
        self.score = None


class WarmupLinearSchedule(LRScheduler):
    """Linear warm-up then linear decay to 0, stepped every batch.

    A skorch LRScheduler around ``transformers.get_linear_schedule_with_warmup``
    that does not pickle its torch scheduler: that object references the
    optimizer and with it a second copy of every weight.
    """

    def __init__(self, num_warmup_steps, num_training_steps):
        from transformers import get_linear_schedule_with_warmup

        super().__init__(
            policy=get_linear_schedule_with_warmup,
            step_every="batch",
            num_warmup_steps=num_warmup_steps,
            num_training_steps=num_training_steps,
        )

    def __getstate__(self):
        state = self.__dict__.copy()
        state["lr_scheduler_"] = None
        return state
