"""Give the heap memory that prediction freed back to the operating system.

glibc's allocator keeps memory that torch frees for reuse, but the activations of
length-grouped batches have a different shape in every batch and fragment its heap:
without trimming, the resident memory of ``predict_proba`` on all-MiniLM-L6-v2 rose
from chunk to chunk although nothing was kept (``benchmarks/bench_memory.py`` keeps the
runs before and after this trim); ``malloc_trim(0)`` after each chunk returns it.
Other C libraries (musl, macOS, Windows) have no ``malloc_trim``: nothing is done.
"""

import ctypes
import functools
import sys


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


def release_free_heap():
    """Return the free pages of the C heap to the system (glibc); a no-op elsewhere.

    Returns
    -------
    released : bool
        Whether ``malloc_trim`` ran.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
