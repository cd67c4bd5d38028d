"""Resolution of the ``device`` and ``precision`` parameters, done in ``fit``."""

import warnings

_VALID_PRECISIONS = ("auto", "fp32", "bf16")


def resolve_device(device):
    """Return the torch device string that ``device`` stands for.

    ``"auto"`` picks CUDA, then Apple's MPS, then the CPU. Any other value is
    passed to :class:`torch.device` so that typos fail here, in ``fit``.
    """
    import torch

    if device is None or device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    try:
        return str(torch.device(device))
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"The 'device' parameter must be 'auto' or a torch device such as 'cpu', "
            f"'cuda' or 'cuda:1'. Got {device!r} instead."
        ) from exc


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
