"""Fault-tolerant training: the whole training state after every epoch, and resuming from it.

A fit with ``checkpoint=folder`` works in ``folder/<key>/``, where the key is a
hash of the estimator's class and parameters, the model's identity and the
training data (texts, targets, sample weights). The clones of a grid search
differ in parameters or in their fold's rows, so they can share one folder
without ever resuming each other's training.

After each epoch, ``epoch-NNNN/`` is written under a temporary name and renamed
into place, so a kill during the write leaves the previous epoch intact:

- ``params.pt``, ``optimizer.pt``, ``criterion.pt``, ``history.json``: written
  by skorch's ``save_params`` (what its ``Checkpoint`` uses), read back as
  ``load_params`` would but with ``weights_only=True``, so that loading a
  checkpoint runs no code from it;
- ``state.pt``: the rest, which skorch does not keep: torch's random states,
  the learning-rate schedule's step, early stopping's best score, best epoch,
  misses and best weights;
- ``progress.json``: the number of epochs and the seed drawn from
  ``random_state`` (which also fixes the validation split and batch order).

A ``fit`` that finds ``epoch-NNNN`` loads it at the start of training and
continues with the batch order of epoch NNNN + 1; it ends with the weights an
uninterrupted run reaches. The key's folder is removed when ``fit`` succeeds
(Keras's ``BackupAndRestore`` does the same): it holds the model and the
optimizer's moments, three times the model's size, for every fit of a search.
"""

import json
import os
import shutil
import uuid
from pathlib import Path

import joblib
import torch
from skorch.callbacks import Callback, LRScheduler
from skorch.history import History

from ._base import model_identity
from ._callbacks import EarlyStopping
from ._divergence import cpu_state_dict

# Parameters that do not change what training computes: a fit that differs
# from the interrupted one only in them resumes it (``inference`` acts after training).
_NOT_IN_KEY = frozenset({"verbose", "checkpoint", "on_divergence", "inference", "cache_size", "memory"})
_SKORCH_FILES = {
    "f_params": "params.pt",
    "f_optimizer": "optimizer.pt",
    "f_criterion": "criterion.pt",
    "f_history": "history.json",
}


def _hash_param(value):
    """joblib's hash of a parameter; ``repr`` for what cannot be pickled (a lambda).

    A ``repr`` with a memory address changes from one process to the next, so
    such a fit never resumes; it never resumes the wrong training either.
    """
    try:
        return joblib.hash(value)
    except Exception:  # pickling errors have no common base class
        return repr(value)


def checkpoint_key(estimator, texts, targets, sample_weight, start=None):
    """The name of the folder of one training: class, parameters, model and data.

    A ``warm_start`` fit passes the fitted module it starts from as ``start``:
    its weights stand for the model, and two warm fits on the same rows from
    different weights must not resume each other.
    """
    params = {
        name: _hash_param(value)
        for name, value in estimator.get_params(deep=False).items()
        if name not in _NOT_IN_KEY
    }
    if start is None:
        params["model_name_or_path"] = joblib.hash(model_identity(estimator._model_source()))
    else:
        params["start"] = joblib.hash({name: tensor.detach().float().cpu().numpy()
                                       for name, tensor in start.state_dict().items()})
    data = joblib.hash((texts, targets, sample_weight))
    return f"{type(estimator).__name__}-{joblib.hash((params, data))}"


def _epoch_folders(folder):
    """Complete epoch folders, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("epoch-*") if (path / "progress.json").exists())


def open_checkpoint(estimator, texts, targets, sample_weight, seed, start=None):
    """The checkpoint callback of this fit, resuming the last complete epoch; None without a folder.

    ``start``: the fitted module a ``warm_start`` fit continues (see :func:`checkpoint_key`).
    """
    if estimator.checkpoint is None:
        return None
    root = Path(os.path.expanduser(os.fspath(estimator.checkpoint))).absolute()
    if root.exists() and not root.is_dir():
        raise ValueError(
            f"The 'checkpoint' parameter must be a folder; {str(root)!r} is a file."
        )
    folder = root / checkpoint_key(estimator, texts, targets, sample_weight, start)
    saved = _epoch_folders(folder)
    if not saved:
        return TrainingCheckpoint(folder, seed)
    progress = json.loads((saved[-1] / "progress.json").read_text())
    return TrainingCheckpoint(folder, progress["seed"], resume_from=saved[-1],
                              epochs_done=progress["epochs"])


def _load_skorch_files(net, folder):
    """What ``net.load_params`` does, with ``weights_only=True``.

    skorch would use the net's ``torch_load_kwargs``, whose ``weights_only=False``
    the pickled net needs; state dicts and the JSON history need no code to load.
    """
    for attribute, key in (("module_", "f_params"), ("optimizer_", "f_optimizer"),
                           ("criterion_", "f_criterion")):
        state_dict = torch.load(folder / _SKORCH_FILES[key], map_location=net.device, weights_only=True)
        getattr(net, attribute).load_state_dict(state_dict)
    net.history = History.from_file(folder / _SKORCH_FILES["f_history"])


def _rng_state(device):
    state = {"cpu": torch.get_rng_state()}
    device = torch.device(device)
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    elif device.type == "mps":
        state["mps"] = torch.mps.get_rng_state()
    return state


def _set_rng_state(state, device):
    torch.set_rng_state(state["cpu"])
    if "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], torch.device(device))
    if "mps" in state:
        torch.mps.set_rng_state(state["mps"])


def _callback_states(net, epoch):
    """What our early stopping and the learning-rate schedule carry from one epoch to the next."""
    states = {}
    for name, callback in net.callbacks_:
        if isinstance(callback, EarlyStopping):
            current = callback.best_epoch_ == epoch
            # Plain Python numbers: state.pt loads with weights_only=True.
            states[name] = {
                "best_score": float(callback.best_score_),
                "best_epoch": int(callback.best_epoch_),
                "misses": int(callback.misses_),
                # When the best epoch is this one its weights are params.pt.
                "best_weights": None if current else callback.best_weights_,
            }
        elif isinstance(callback, LRScheduler) and callback.lr_scheduler_ is not None:
            states[name] = {
                "scheduler": callback.lr_scheduler_.state_dict(),
                "batch_idx": callback.batch_idx_,
            }
    return states


def _restore_callback_states(net, states):
    for name, callback in net.callbacks_:
        state = states.get(name)
        if state is None:
            continue
        if isinstance(callback, EarlyStopping):
            callback.best_score_ = state["best_score"]
            callback.best_epoch_ = state["best_epoch"]
            callback.misses_ = state["misses"]
            weights = state["best_weights"]
            callback.best_weights_ = weights if weights is not None else cpu_state_dict(net.module_)
        elif isinstance(callback, LRScheduler):
            callback.lr_scheduler_.load_state_dict(state["scheduler"])
            callback.batch_idx_ = state["batch_idx"]


class TrainingCheckpoint(Callback):
    """Save the training state after every epoch; load it when training begins.

    Added last to the net's callbacks (:meth:`attach`): it saves after early
    stopping and the schedule have updated their state for the epoch, and it
    restores after the schedule has built its torch scheduler.

    Parameters
    ----------
    folder : Path
        The folder of this training (root / key).
    seed : int
        The seed of this training, saved so that a resumed fit uses it even
        when ``random_state`` is None.
    resume_from : Path, default=None
        The epoch folder to load, if any.
    epochs_done : int, default=0
        The number of epochs in ``resume_from``.
    """

    def __init__(self, folder, seed, resume_from=None, epochs_done=0):
        self.folder = folder
        self.seed = seed
        self.resume_from = resume_from
        self.epochs_done = epochs_done

    def attach(self, net):
        """Add this callback to an uninitialized net; a resumed one runs only the epochs left.

        Its batch order starts where the saved epochs ended. ``on_train_end``
        puts ``max_epochs`` back, so the trained net looks like an uninterrupted one.
        """
        net.callbacks = [*(net.callbacks or []), ("checkpoint", self)]
        self.max_epochs_ = net.max_epochs
        net.set_params(
            max_epochs=max(net.max_epochs - self.epochs_done, 0),
            iterator_train__first_epoch=self.epochs_done,
        )

    def on_train_begin(self, net, **kwargs):
        self.last_saved_ = self.epochs_done
        if self.resume_from is None:
            return
        _load_skorch_files(net, self.resume_from)
        state = torch.load(self.resume_from / "state.pt", map_location="cpu", weights_only=True)
        _restore_callback_states(net, state["callbacks"])
        _set_rng_state(state["rng"], net.device)

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f".epoch-{epoch:04d}-{uuid.uuid4().hex}.tmp"
        temp.mkdir()
        net.save_params(**{key: temp / name for key, name in _SKORCH_FILES.items()})
        torch.save(
            {"rng": _rng_state(net.device), "callbacks": _callback_states(net, epoch)},
            temp / "state.pt",
        )
        # Written last: an epoch folder without it is incomplete.
        (temp / "progress.json").write_text(json.dumps({"epochs": epoch, "seed": self.seed}))
        final = self.folder / f"epoch-{epoch:04d}"
        if final.exists() and not (final / "progress.json").exists():
            shutil.rmtree(final, ignore_errors=True)  # incomplete: never resumed, replaced
        try:
            os.replace(temp, final)
        except OSError:  # a fit with the same key saved this epoch first: the same state
            shutil.rmtree(temp, ignore_errors=True)
        for older in _epoch_folders(self.folder)[:-1]:
            shutil.rmtree(older, ignore_errors=True)
        self.last_saved_ = epoch

    def on_train_end(self, net, **kwargs):
        # Plain attributes: skorch's set_params refuses iterator parameters
        # once the net is initialized.
        net.max_epochs = self.max_epochs_
        net.iterator_train__first_epoch = 0

    def remove(self):
        """Delete this training's folder (after a successful fit)."""
        shutil.rmtree(self.folder, ignore_errors=True)
