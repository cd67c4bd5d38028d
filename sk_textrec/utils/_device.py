"""Resolution of the ``device`` and ``precision`` parameters, done in ``fit``."""

import warnings

_VALID_PRECISIONS = ("auto", "fp32", "bf16")


def _available_devices(torch):
    """The devices this machine offers, as a phrase for error messages."""
    devices = ["'cpu'"]
    n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if n_gpus:
        devices.append("'cuda'" + (f" ('cuda:0' to 'cuda:{n_gpus - 1}')" if n_gpus > 1 else " ('cuda:0')"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("'mps'")
    return ", ".join(devices)


def _check_available(torch, device, given):
    """Raise a ValueError naming the parameter when ``device`` is not on this machine."""
    if device.type == "cuda":
        if not torch.cuda.is_available():
            why = ("this torch build has no CUDA support" if torch.version.cuda is None
                   else "no CUDA GPU is visible")
        elif device.index is not None and device.index >= torch.cuda.device_count():
            why = f"there are {torch.cuda.device_count()} CUDA GPU(s)"
        else:
            return
    elif device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return
        why = "Apple's MPS is not available here"
    else:
        return
    raise ValueError(
        f"The 'device' parameter is {given!r} but {why}; the devices available are "
        f"{_available_devices(torch)}. Use device='auto' to pick the best one."
    )


def resolve_device(device):
    """Return the torch device string that ``device`` stands for.

    ``"auto"`` picks CUDA, then Apple's MPS, then the CPU; inside the worker
    of a parallel search, a GPU no other worker holds (see ``_parallel``). Any other value is
    passed to :class:`torch.device` so that typos fail here, in ``fit``, and a
    CUDA or MPS device that this machine does not have is a ValueError that
    says which devices it has.
    """
    import torch

    if device is None or device == "auto":
        if torch.cuda.is_available():
            from ._parallel import auto_cuda_device

            # Inside a parallel worker: a GPU of its own, never one another worker uses.
            return auto_cuda_device(torch.cuda.device_count())
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"The 'device' parameter must be 'auto' or a torch device such as 'cpu', "
            f"'cuda' or 'cuda:1'. Got {device!r} instead."
        ) from exc
    _check_available(torch, resolved, device)
    return str(resolved)


def resolve_precision(precision, device):
    """Return the autocast dtype for ``precision`` on ``device`` (None = fp32).

    ``"auto"`` means bf16 autocast on a CUDA device that supports it and plain
    fp32 everywhere else: on CPUs bf16/fp16 matmuls are 10-100x slower than fp32.
    """
    import torch

    if precision not in _VALID_PRECISIONS:
        raise ValueError(
            f"The 'precision' parameter must be one of {_VALID_PRECISIONS}. "
            f"Got {precision!r} instead."
        )
    on_cuda = device.startswith("cuda")
    if precision == "fp32":
        return None
    if precision == "auto":
        if on_cuda and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return None
    if not on_cuda:
        warnings.warn(
            f"precision='bf16' on device {device!r} is usually much slower than fp32; "
            "use precision='auto' to get fp32 there.",
            UserWarning,
            stacklevel=3,
        )
    return torch.bfloat16
