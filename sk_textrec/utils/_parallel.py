"""The parallelism rule: torch threads and GPUs of the workers of a parallel search.

When a search runs its fits side by side (``n_jobs > 1`` with joblib, or
joblib's ``"dask"`` backend), each worker must neither take every core nor
share a GPU with another worker by accident.

- **Threads.** joblib's process workers (loky, the default) already start with
  ``OMP_NUM_THREADS = cores // n_jobs``, which torch reads when it starts, so
  nothing is done there. Dask's nanny starts workers with one thread
  (``OMP_NUM_THREADS=1``), which leaves cores idle; in a Dask worker the
  estimators set torch's threads, once per worker process, to
  ``cores // (tasks that run at once on this host)``: the workers on the host
  times their threads. joblib's threading backend shares one process, whose
  thread count the estimators do not change.
- **GPUs.** ``device="auto"`` inside a worker process claims the first GPU that
  no other worker process holds, through a lock file per GPU in the temporary
  folder, held until the process ends; when every GPU is held the worker runs
  on the CPU with a warning. An explicit ``device`` is used as given.

A lock rather than a worker rank: ranks exist for Dask but not for loky's
workers, which are restarted with new numbers, and a lock also keeps two
searches of the same machine apart.
"""

import os
import sys
import tempfile
import warnings
from urllib.parse import urlparse

# (lock, device) claimed by this process; locks are released when it exits.
_claimed_gpu = None
_configured_threads = False
LOCK_FOLDER = tempfile.gettempdir()


def _dask_worker():
    """The Dask worker running this task, or None (Dask is never imported for this)."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        return get_worker()
    except ValueError:
        return None


def _joblib_nesting_level():
    """0 in the main process; 1 or more inside the workers of a joblib ``Parallel``."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return getattr(backend, "nesting_level", 0) or 0


def in_parallel_worker():
    """Whether this code runs in a worker of a parallel search (joblib or Dask)."""
    return _dask_worker() is not None or _joblib_nesting_level() > 0


def tasks_on_host(address, nthreads):
    """How many tasks run at once on the host of worker ``address``.

    ``nthreads`` maps every worker's address to its number of threads (what
    ``Client.nthreads()`` returns).
    """
    host = urlparse(address).hostname
    return sum(n for other, n in nthreads.items() if urlparse(other).hostname == host)


def torch_threads_for_worker():
    """Torch threads for this Dask worker (cores / tasks at once on its host), else None."""
    worker = _dask_worker()
    if worker is None:
        return None
    from distributed import get_client
    from joblib import cpu_count

    n_tasks = tasks_on_host(worker.address, get_client().nthreads())
    return max(1, cpu_count() // max(n_tasks, 1))


def configure_worker_threads(device):
    """Apply the thread rule once per worker process, for estimators that run on the CPU."""
    global _configured_threads
    if _configured_threads or not str(device).startswith("cpu"):
        return
    n_threads = torch_threads_for_worker()
    if n_threads is not None:
        import torch

        torch.set_num_threads(n_threads)
        _configured_threads = True


def _gpu_lock_path(index):
    # CUDA_VISIBLE_DEVICES renumbers GPUs: the lock names the physical one.
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    physical = visible.split(",")[index].strip() if visible else str(index)
    return os.path.join(LOCK_FOLDER, f"sk_textrec-gpu-{physical}.lock")


def auto_cuda_device(n_gpus):
    """``device="auto"`` on a machine with ``n_gpus`` CUDA GPUs.

    ``"cuda"`` outside parallel workers. A worker gets a GPU of its own for
    its lifetime (``"cuda:i"``), or ``"cpu"`` with a warning when other
    workers hold them all.
    """
    global _claimed_gpu
    if not in_parallel_worker():
        return "cuda"
    if _claimed_gpu is not None:
        return _claimed_gpu[1]
    from filelock import FileLock, Timeout

    for index in range(n_gpus):
        lock = FileLock(_gpu_lock_path(index))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        _claimed_gpu = (lock, f"cuda:{index}")
        return _claimed_gpu[1]
    warnings.warn(
        f"device='auto' in a parallel worker: the {n_gpus} GPU(s) of this machine are "
        "each held by another worker, so this one runs on the CPU. Use as many workers "
        "per machine as GPUs (one GPU per worker), or set device explicitly to share one.",
        UserWarning,
        stacklevel=4,
    )
    _claimed_gpu = (None, "cpu")
    return "cpu"
