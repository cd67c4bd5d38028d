"""The divergence guard: a loss or a weight that stops being finite ends training, loudly.

Without it a learning rate that is too high gives NaN weights, NaN
probabilities and a constant prediction with no error at all. The guard reads
the loss that skorch has already recorded for every training batch (no extra
work per batch) and checks the weights once per epoch, because a gradient can
overflow while its batch's loss was still finite.
"""

import math
import warnings

import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from ._accelerate import bare_module
from ._callbacks import StopTraining


def cpu_state_dict(module):
    """A copy of the module's weights on the CPU (they survive later steps and fit in RAM)."""
    return {name: tensor.detach().to("cpu", copy=True) for name, tensor in module.state_dict().items()}


class DivergenceGuard(Callback):
    """Stop training as soon as the training loss or a weight is NaN or infinite.

    Parameters
    ----------
    on_divergence : {"raise", "restore"}
        ``"raise"``: a ``FloatingPointError`` that names the epoch, the batch,
        the learning rate and what to try. ``"restore"``: load the weights of
        the last complete epoch, warn (``ConvergenceWarning``) and stop; when no
        epoch has completed there is nothing to restore and it raises too.
    n_batches : int
        Training batches per epoch, for the message.
    """

    def __init__(self, on_divergence="raise", n_batches=None):
        self.on_divergence = on_divergence
        self.n_batches = n_batches

    def on_train_begin(self, net, **kwargs):
        self.good_weights_ = None
        self.good_epoch_ = 0

    def on_epoch_begin(self, net, **kwargs):
        self.batch_ = 0
        # The weights at the start of an epoch are those of the last complete
        # one, found finite by on_epoch_end (or loaded from a checkpoint).
        completed = len(net.history) - 1
        if self.on_divergence == "restore" and completed > 0:
            self.good_weights_, self.good_epoch_ = cpu_state_dict(bare_module(net)), completed

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            self.batch_ += 1
            # The rate this batch's optimizer step uses; the schedule moves after it.
            self.lr_ = net.optimizer_.param_groups[0]["lr"]

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        loss = net.history[-1, "batches", -1, "train_loss"]
        if not math.isfinite(loss):
            of = f" of {self.n_batches}" if self.n_batches else ""
            self._diverged(
                net,
                f"The training loss became {loss} at epoch {net.history[-1, 'epoch']}, batch "
                f"{self.batch_}{of} (learning rate {self.lr_:.3g} at that step, peak lr={net.lr:g}).",
            )

    def on_epoch_end(self, net, **kwargs):
        finite = torch.stack([torch.isfinite(p).all() for p in net.module_.parameters()]).all()
        if not finite:
            self._diverged(
                net,
                f"The weights became NaN or infinite during epoch {net.history[-1, 'epoch']} "
                f"although every batch's loss was finite (a gradient overflowed; peak lr={net.lr:g}).",
            )

    def _diverged(self, net, what):
        advice = (
            f"Try a lower lr (e.g. {net.lr / 10:g}), a longer warm-up (warmup_ratio) or "
            "precision='fp32' if training in bf16, and look for extreme sample weights"
        )
        if self.on_divergence == "restore" and self.good_weights_ is not None:
            bare_module(net).load_state_dict(self.good_weights_)
            del net.history[-1]  # the epoch that diverged did not complete
            warnings.warn(
                f"{what} Restored the weights of epoch {self.good_epoch_} and stopped "
                f"training. {advice}.",
                ConvergenceWarning,
                stacklevel=2,
            )
            raise StopTraining
        if self.on_divergence == "restore":
            advice += "; on_divergence='restore' had no complete epoch to go back to"
        else:
            advice += "; or set on_divergence='restore' to keep the weights of the last complete epoch"
        raise FloatingPointError(f"{what} The model's weights are no longer usable. {advice}.")

    def on_train_end(self, net, **kwargs):
        # The copy has served its purpose; keeping it would double the pickle.
        self.good_weights_ = None
