"""Tests of resolve_device: unavailable CUDA / MPS devices fail in fit, saying what there is."""

import pytest

from sk_textrec import TextEmbedder
from sk_textrec.utils._device import resolve_device

torch = pytest.importorskip("torch")


@pytest.fixture
def gpus(monkeypatch):
    """Pretend this machine has ``n`` CUDA GPUs (0: a CPU-only machine with a CUDA build)."""
    def set_gpus(n, cuda_build="12.8"):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: n > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: n)
        monkeypatch.setattr(torch.version, "cuda", cuda_build)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    return set_gpus


@pytest.mark.parametrize("n_gpus, device, expected", [
    (2, "cuda:1", "cuda:1"),
    (2, "cuda", "cuda"),
    (1, "auto", "cuda"),
    (0, "auto", "cpu"),
    (0, "cpu", "cpu"),
])
def test_resolve_device_available(gpus, n_gpus, device, expected):
    """Check that devices this machine has resolve to themselves and 'auto' picks CUDA first."""
    gpus(n_gpus)
    assert resolve_device(device) == expected


@pytest.mark.parametrize("n_gpus, cuda_build, device, err_msg", [
    (2, "12.8", "cuda:7", r"'cuda:7' but there are 2 CUDA GPU\(s\).*'cpu', 'cuda' \('cuda:0' to 'cuda:1'\)"),
    (1, "12.8", "cuda:1", r"there are 1 CUDA GPU\(s\).*'cuda' \('cuda:0'\)"),
    (0, None, "cuda", "this torch build has no CUDA support; the devices available are 'cpu'"),
    (0, None, "cuda:7", "no CUDA support"),
    (0, "12.8", "cuda:0", "no CUDA GPU is visible"),
    (0, None, "mps", "MPS is not available"),
    (0, None, "gpu", "must be 'auto' or a torch device"),
])
def test_resolve_device_unavailable(gpus, n_gpus, cuda_build, device, err_msg):
    """Check that an unavailable device is a ValueError naming 'device' and what is available."""
    gpus(n_gpus, cuda_build)
    with pytest.raises(ValueError, match="The 'device' parameter"):
        resolve_device(device)
    with pytest.raises(ValueError, match=err_msg):
        resolve_device(device)


def test_unavailable_device_fails_in_fit_before_loading(gpus, tmp_path):
    """Check that fit fails on the device before it looks at the model folder."""
    gpus(0, None)
    with pytest.raises(ValueError, match="'device' parameter is 'cuda:7'"):
        TextEmbedder(str(tmp_path / "no-model"), device="cuda:7").fit(["a text"])
