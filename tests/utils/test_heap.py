"""Tests of the heap trimming between prediction chunks."""

import sys

import pytest

from sk_textrec.utils import _heap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_release_free_heap_runs_malloc_trim_on_glibc():
    """Check that glibc's malloc_trim is found and runs."""
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert _heap.release_free_heap() is True


def test_release_free_heap_is_a_no_op_without_malloc_trim(monkeypatch):
    """Check that a C library without malloc_trim (musl, macOS, Windows) makes it a no-op."""
    monkeypatch.setattr(_heap, "_malloc_trim", lambda: None)
    assert _heap.release_free_heap() is False
