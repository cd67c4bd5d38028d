"""Multi-process (multi-GPU) training through HuggingFace ``accelerate`` and skorch's AccelerateMixin.

skorch's :class:`~skorch.hf.AccelerateMixin` prepares the module, the criterion,
the optimizer and every DataLoader with the ``Accelerator``; this module adds
what sk_textrec needs around it:

- **Checks in fit**: ``device`` stays "auto" (the accelerator places the model),
  no ``checkpoint``, a mixed precision that agrees with ``precision``, and
  ``batch_size`` divisible by the number of processes when batches are split.
- **One history**: with several processes, skorch's ``DistributedHistory``
  shares the batch records, so the epoch losses that early stopping and the
  divergence guard read are the same in every process and they stop together.
- **A plain net after training**: the fitted ``net_`` is a skorch ``NeuralNet``
  on the accelerator's device, without the Accelerator, its wrappers or its
  store: it pickles, predicts without ``accelerate`` and ``sk_textrec.save``
  handles it like any other.

Precision: ``EncoderWithHeads`` autocasts inside its own ``forward``, the
innermost context, so the estimator's ``precision`` decides. An Accelerator
whose ``mixed_precision`` would decide otherwise ("fp16", or "bf16" where
``precision`` means fp32) is refused rather than silently overridden.
"""

from skorch import NeuralNet
from skorch.hf import AccelerateMixin
from skorch.utils import noop

from ..utils._optional import import_optional


class AcceleratedNet(AccelerateMixin, NeuralNet):
    """skorch's NeuralNet, trained through an ``accelerate.Accelerator``."""

    def _initialize_accelerator(self):
        # skorch prepares the criterion as well, but DistributedDataParallel
        # refuses a module with nothing to train, such as our losses: those
        # are only moved to the accelerator's device.
        criteria = self._criteria
        trained = [name for name in criteria if _has_trainable_parameters(getattr(self, name + "_"))]
        for name in set(criteria) - set(trained):
            getattr(self, name + "_").to(self.accelerator.device)
        self._criteria = trained
        try:
            return super()._initialize_accelerator()
        finally:
            self._criteria = criteria


def _has_trainable_parameters(module):
    return any(parameter.requires_grad for parameter in getattr(module, "parameters", list)())


def bare_module(net):
    """``net.module_`` without the wrapper (e.g. DistributedDataParallel) that ``prepare`` put around it.

    Callbacks that read state dicts or submodules use it: a wrapped module's
    state-dict keys start with ``module.`` and it has no ``encoder`` attribute.
    """
    accelerator = getattr(net, "accelerator", None)
    return net.module_ if accelerator is None else accelerator.unwrap_model(net.module_)


def backward(net, loss):
    """``loss.backward()``, or the accelerator's (which scales the loss for gradient accumulation)."""
    accelerator = getattr(net, "accelerator", None)
    if accelerator is None:
        loss.backward()
    else:
        accelerator.backward(loss)


def gathered(net, tensor):
    """``tensor`` from every process (the duplicated rows of an uneven last batch dropped)."""
    accelerator = getattr(net, "accelerator", None)
    return tensor if accelerator is None else accelerator.gather_for_metrics(tensor)


def accelerator_device(accelerator):
    """The accelerator's device as ``device_`` names it: "cpu", not the "cpu:0" of CPU processes.

    A model pickled with tensors on "cpu:0" cannot be loaded again.
    """
    device = accelerator.device
    return "cpu" if device.type == "cpu" else str(device)


def resolve_accelerator(estimator):
    """The Accelerator that ``fit`` trains with, or None; incompatible parameters fail here.

    ``"auto"`` builds ``Accelerator(split_batches=True)``: ``batch_size`` stays
    the number of rows of one optimizer step, whatever the number of processes.
    """
    if estimator.accelerator is None:
        return None
    accelerate = import_optional("accelerate", extra="accelerate", purpose="The 'accelerator' parameter")
    accelerator = estimator.accelerator
    if isinstance(accelerator, str):
        config = accelerate.DataLoaderConfiguration(split_batches=True)
        accelerator = accelerate.Accelerator(dataloader_config=config)
    elif not isinstance(accelerator, accelerate.Accelerator):
        raise TypeError(
            "The 'accelerator' parameter must be None, 'auto' or an accelerate.Accelerator. "
            f"Got {type(accelerator).__name__} instead."
        )
    name = type(estimator).__name__
    if estimator.device != "auto":
        raise ValueError(
            f"The 'device' parameter of {name} must stay 'auto' with an accelerator (the "
            f"accelerator places the model on {accelerator.device}). Got {estimator.device!r} instead."
        )
    if estimator.checkpoint is not None:
        raise ValueError(
            f"{name} cannot checkpoint a training run through an accelerator: set "
            "checkpoint=None or accelerator=None."
        )
    if accelerator.num_processes > 1 and estimator.on_divergence == "restore":
        raise ValueError(
            "on_divergence='restore' needs to drop the diverged epoch from the history, which "
            "the history shared by several processes cannot do: use on_divergence='raise'."
        )
    if _split_batches(accelerator) and estimator.batch_size % accelerator.num_processes:
        raise ValueError(
            f"The 'batch_size' parameter ({estimator.batch_size}) must be divisible by the "
            f"{accelerator.num_processes} processes that split each batch between them."
        )
    return accelerator


def check_precision(accelerator, autocast_dtype, precision):
    """Refuse an Accelerator whose mixed precision would override ``precision``."""
    import torch

    mixed = str(accelerator.mixed_precision)
    if mixed == "no" or (mixed == "bf16" and autocast_dtype == torch.bfloat16):
        return
    raise ValueError(
        f"The accelerator's mixed_precision={mixed!r} conflicts with precision={precision!r}, "
        f"which means {'fp32' if autocast_dtype is None else autocast_dtype} here: the "
        "estimator's precision decides the autocast. Build the Accelerator with "
        "mixed_precision='no' and set precision instead."
    )


def _split_batches(accelerator):
    return accelerator.dataloader_config.split_batches


def batches_per_process(accelerator, n_batches):
    """Training batches each process runs per epoch, of the ``n_batches`` the sampler makes.

    The learning-rate schedule steps once per batch in every process (skorch
    does not prepare it), so its length is counted in these.
    """
    if _split_batches(accelerator):
        return n_batches
    return -(-n_batches // accelerator.num_processes)


def accelerated_net_params(accelerator):
    """What the skorch net gets, on top of the usual parameters, to train through ``accelerator``."""
    params = {
        "accelerator": accelerator,
        "device": None,
        # The epoch table once, and `verbose` still honoured (skorch's PrintLog
        # only checks it for `print`); not the accelerator's bound print, which
        # would take the accelerator into the pickle.
        "callbacks__print_log__sink": print if accelerator.is_main_process else noop,
    }
    if accelerator.num_processes > 1:
        params["history"] = _shared_history(accelerator)
        # accelerate's sharding drops a short batch unless it comes last.
        params["iterator_train__short_batch_last"] = True
    return params


def _shared_history(accelerator):
    """skorch's DistributedHistory on a TCPStore that the main process opens on a free port."""
    import os

    import torch.distributed as dist
    from skorch.history import DistributedHistory

    host = os.environ.get("MASTER_ADDR", "127.0.0.1")
    store, port = None, [None]
    if accelerator.is_main_process:
        # The workers connect after the port is broadcast, so the master must not wait for them.
        store = dist.TCPStore(host, 0, accelerator.num_processes, is_master=True, wait_for_workers=False)
        port = [store.port]
    dist.broadcast_object_list(port, src=0)
    if store is None:
        store = dist.TCPStore(host, port[0], accelerator.num_processes, is_master=False)
    return DistributedHistory(
        store=store, rank=accelerator.process_index, world_size=accelerator.num_processes
    )


def detach_accelerator(net):
    """A plain NeuralNet with the trained state of ``net``, for prediction and pickling.

    The accelerator lets go of what it prepared (``free_memory``): it would
    otherwise keep the model alive, and the estimator's ``accelerator``
    parameter could not be pickled.
    """
    device = accelerator_device(net.accelerator)
    net.accelerator.free_memory()
    state = dict(net.__dict__)
    for name in ("accelerator", "unwrap_after_train", "_wrapped_with_accelerator"):
        state.pop(name)
    plain = NeuralNet.__new__(NeuralNet)
    plain.__dict__.update(state)
    plain.device = device
    # The prepared optimizer refers to the accelerator's state; keep the torch optimizer.
    plain.optimizer_ = getattr(net.optimizer_, "optimizer", net.optimizer_)
    # A DistributedHistory refers to the store of a finished run; keep its records.
    plain.history_ = getattr(net.history_, "history", net.history_)
    return plain
