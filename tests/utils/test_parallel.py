"""Tests of the parallelism rule (threads and GPUs per worker), on the CPU with mocked GPUs."""

import warnings

import pytest
from filelock import FileLock
from joblib import Parallel, delayed, parallel_backend

from sk_textrec.utils import _parallel
from sk_textrec.utils._device import resolve_device

torch = pytest.importorskip("torch")


@pytest.fixture
def two_gpus(monkeypatch, tmp_path):
    """A machine with two (mocked) CUDA GPUs, lock files in tmp_path, nothing claimed yet."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(_parallel, "LOCK_FOLDER", str(tmp_path))
    monkeypatch.setattr(_parallel, "_claimed_gpu", None)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


def test_auto_device_outside_workers_is_plain_cuda(two_gpus):
    """Check that device='auto' in the main process is 'cuda', as before."""
    assert resolve_device("auto") == "cuda"


def test_auto_device_in_worker_claims_a_free_gpu(two_gpus, monkeypatch):
    """Check that a worker skips a GPU held by another worker and keeps the one it claims."""
    monkeypatch.setattr(_parallel, "in_parallel_worker", lambda: True)
    other_worker = FileLock(_parallel._gpu_lock_path(0))
    other_worker.acquire(timeout=0)
    try:
        assert resolve_device("auto") == "cuda:1"
        assert resolve_device("auto") == "cuda:1"
    finally:
        other_worker.release()
    assert resolve_device("auto") == "cuda:1"  # claimed for the life of the process
    assert resolve_device("cpu") == "cpu"


def test_auto_device_in_worker_falls_back_to_cpu_when_all_gpus_held(two_gpus, monkeypatch):
    """Check that a worker with no free GPU runs on the CPU and says why."""
    monkeypatch.setattr(_parallel, "in_parallel_worker", lambda: True)
    held = [FileLock(_parallel._gpu_lock_path(i)) for i in range(2)]
    for lock in held:
        lock.acquire(timeout=0)
    try:
        with pytest.warns(UserWarning, match="held by another worker"):
            assert resolve_device("auto") == "cpu"
    finally:
        for lock in held:
            lock.release()


def test_gpu_locks_name_physical_gpus(monkeypatch):
    """Check that CUDA_VISIBLE_DEVICES renumbering does not let two workers share a GPU."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,1")
    assert _parallel._gpu_lock_path(0).endswith("sk_textrec-gpu-3.lock")
    assert _parallel._gpu_lock_path(1).endswith("sk_textrec-gpu-1.lock")


def test_joblib_workers_are_detected():
    """Check that the code of a joblib worker knows it is one, and the main process does not."""
    assert not _parallel.in_parallel_worker()
    with parallel_backend("threading"):
        inside = Parallel(n_jobs=2)(delayed(_parallel.in_parallel_worker)() for _ in range(2))
    assert inside == [True, True]
    assert Parallel(n_jobs=1)(delayed(_parallel.in_parallel_worker)() for _ in range(1)) == [False]


@pytest.mark.parametrize(
    "address, expected",
    [("tcp://10.0.0.1:4001", 3), ("tcp://10.0.0.2:4000", 4), ("tls://10.0.0.3:1", 0)],
)
def test_tasks_on_host_counts_threads_of_workers_on_the_same_host(address, expected):
    """Check that only the workers of the same host share its cores."""
    nthreads = {"tcp://10.0.0.1:4000": 2, "tcp://10.0.0.1:4001": 1, "tcp://10.0.0.2:4000": 4}
    assert _parallel.tasks_on_host(address, nthreads) == expected


def test_threads_untouched_outside_dask_workers(monkeypatch):
    """Check that the estimators leave torch's threads alone outside Dask workers."""
    monkeypatch.setattr(_parallel, "_configured_threads", False)
    monkeypatch.setattr(torch, "set_num_threads", pytest.fail)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _parallel.configure_worker_threads("cpu")
    assert _parallel.torch_threads_for_worker() is None
