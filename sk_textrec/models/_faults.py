"""Faults around training and prediction: Ctrl-C, running out of GPU memory.

- **Ctrl-C.** skorch's ``NeuralNet.partial_fit`` catches ``KeyboardInterrupt``
  and returns as if training had ended, so a search would carry on with a
  half-trained model. The interrupt handler is wrapped for the duration of
  training to note a real Ctrl-C (SIGINT), and ``fit`` re-raises it once skorch
  has returned. A ``KeyboardInterrupt`` raised by code, as skorch's own
  ``EarlyStopping`` does, still ends training quietly.
- **Out of memory while predicting** halves the batch size and tries the chunk
  again, down to 1 row, and warns once per call; **while training** it is a
  clear error that names the parameters to lower: a smaller batch would change
  the training, so it is not done behind the user's back.
"""

import contextlib
import signal
import threading
import warnings


def is_out_of_memory(exc):
    """Whether ``exc`` is torch running out of accelerator memory (CUDA or MPS)."""
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc)
    )


def _release_cached_memory():
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


@contextlib.contextmanager
def _sigint_noted():
    """Yield a list that gets an entry when Ctrl-C is pressed; the previous handler still runs.

    Only the main thread can set signal handlers, and only a Python-level
    handler (the default raises ``KeyboardInterrupt``) is wrapped; elsewhere
    nothing is noted and nothing changes.
    """
    noted = []
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous) or threading.current_thread() is not threading.main_thread():
        yield noted
        return

    def note_and_forward(signum, frame):
        noted.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, note_and_forward)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupt_message(net, checkpoint):
    epoch = len(net.history)
    message = f"Training was interrupted (Ctrl-C) during epoch {epoch}."
    if checkpoint is None:
        return f"{message} Nothing was saved: set checkpoint=<folder> to be able to resume."
    if checkpoint.last_saved_ == 0:
        return f"{message} No epoch had completed, so there is nothing to resume in {checkpoint.folder}."
    return (
        f"{message} The state after epoch {checkpoint.last_saved_} is saved in "
        f"{checkpoint.folder}: fit again with the same parameters and data to resume from it."
    )


@contextlib.contextmanager
def training_faults(estimator, checkpoint):
    """Around training: re-raise a Ctrl-C, explain running out of memory, clean up the checkpoint."""
    with _sigint_noted() as interrupted:
        try:
            yield
        except RuntimeError as exc:
            if not is_out_of_memory(exc):
                raise
            _release_cached_memory()
            raise type(exc)(
                f"Out of memory on {estimator.device_} while training {type(estimator).__name__} "
                f"with batch_size={estimator.batch_size} and max_length={estimator.max_length_}. "
                "Lower batch_size or max_length (memory grows with both), freeze part of the "
                f"encoder or use precision='bf16'. The error was: {exc}"
            ) from exc
    if interrupted:
        raise KeyboardInterrupt(_interrupt_message(estimator.net_, checkpoint))
    if checkpoint is not None:
        checkpoint.remove()


class BatchSizeBackoff:
    """Run prediction steps with the largest batch size that fits in memory.

    ``run(compute, *args)`` calls ``compute(*args, batch_size)``; on an
    out-of-memory error it halves the batch size (down to 1) and calls again.
    The batch size found is kept for the following calls, so one prediction
    pays for the search once; :meth:`warn_if_reduced` then warns once.
    """

    def __init__(self, batch_size, device):
        self.requested = self.batch_size = batch_size
        self.device = device

    def run(self, compute, *args):
        while True:
            try:
                return compute(*args, self.batch_size)
            except RuntimeError as exc:
                if not is_out_of_memory(exc):
                    raise
                _release_cached_memory()
                if self.batch_size == 1:
                    raise type(exc)(
                        f"Out of memory on {self.device} even with batches of 1 row. Lower "
                        f"max_length or predict on the CPU. The error was: {exc}"
                    ) from exc
                self.batch_size //= 2

    def warn_if_reduced(self, estimator):
        if self.batch_size < self.requested:
            warnings.warn(
                f"{type(estimator).__name__} ran out of memory on {self.device} with "
                f"batch_size={self.requested} and predicted with batch_size={self.batch_size} "
                "instead. Set batch_size lower to avoid the retries.",
                UserWarning,
                stacklevel=3,
            )
