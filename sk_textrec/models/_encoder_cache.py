"""Per-text caches of a frozen encoder's pooled outputs, shared by the fits of a search.

A pretrained encoder that is not trained (``TextEmbedder``, or a fine-tuned
estimator with ``freeze="encoder"``, whose encoder then runs in evaluation
mode) maps a text to the same vector in every fit. The candidates and folds of
a grid search see the same texts again and again, so each distinct text is
encoded once:

- **in this process**, by a least-recently-used table of at most
  ``cache_size`` vectors (``0`` turns it off), shared by every estimator and
  clone in the process (the worker of a parallel search included);
- **across processes and runs**, with ``memory`` (a folder or a
  ``joblib.Memory``): vectors are appended to ``<folder>/sk_textrec_encoder_cache/
  <settings>/`` in blocks of one call's new texts, written under a temporary
  name and renamed into place, so parallel workers can share the folder.

Entries are keyed by the encoder settings (the model's identity, the resolved
``max_length``, ``truncation``, pooling, single texts or pairs, precision) and
a hash of the text. Only the vectors are cached; whatever follows them
(normalising, the heads) is computed on every call.
"""

import hashlib
import json
import os
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

import numpy as np

DEFAULT_CACHE_SIZE = 100_000
_FOLDER_NAME = "sk_textrec_encoder_cache"


class _LeastRecentlyUsed:
    """Vectors by key, at most ``limit`` of them; thread-safe (threaded joblib and Dask workers)."""

    def __init__(self):
        self._rows = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._rows)

    def get(self, keys):
        with self._lock:
            found = {key: self._rows[key] for key in keys if key in self._rows}
            for key in found:
                self._rows.move_to_end(key)
        return found

    def put(self, rows, limit):
        with self._lock:
            for key, row in rows.items():
                self._rows[key] = row
                self._rows.move_to_end(key)
            while len(self._rows) > limit:
                self._rows.popitem(last=False)

    def clear(self):
        with self._lock:
            self._rows.clear()


# One table per process: clones of an estimator (a search makes many) share it.
_IN_MEMORY = _LeastRecentlyUsed()


def settings_key(*settings):
    """A short stable name for the encoder settings: part of every entry's key."""
    return hashlib.blake2b(repr(settings).encode(), digest_size=16).hexdigest()


def _text_keys(settings, texts):
    """One key per row: a hash of the text, or of both texts of a pair, under the settings."""
    salt = settings.encode()
    if texts.ndim == 2:
        # JSON escapes every character, so no pair can collide with another.
        rows = (json.dumps([str(a), str(b)]).encode() for a, b in texts)
    else:
        rows = (str(text).encode("utf-8", "surrogatepass") for text in texts)
    return [hashlib.blake2b(row, digest_size=16, key=salt).hexdigest() for row in rows]


def _cache_folder(memory, settings):
    """``<location>/sk_textrec_encoder_cache/<settings>`` for ``memory``, or None."""
    if memory is None:
        return None
    if isinstance(memory, (str, os.PathLike)):
        location = memory
    elif hasattr(memory, "location"):
        location = memory.location
    else:
        raise ValueError(
            "The 'memory' parameter must be a folder, a joblib.Memory or None; "
            f"got {type(memory).__name__}, which has no 'location'."
        )
    return None if location is None else Path(location).expanduser() / _FOLDER_NAME / settings


def _read_folder(folder, wanted):
    """The vectors of the keys in ``wanted`` that some block in ``folder`` holds."""
    found = {}
    if not folder.is_dir():
        return found
    for block in sorted(folder.glob("*.npz")):
        # allow_pickle=False: a shared folder must not be able to run code here.
        with np.load(block, allow_pickle=False) as data:
            keys = data["keys"]
            rows = [i for i, key in enumerate(keys) if key in wanted and key not in found]
            if rows:
                values = data["values"]
                found.update({keys[i]: values[i] for i in rows})
        if len(found) == len(wanted):
            break
    return found


def _write_block(folder, keys, values):
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    temporary = folder / f".{name}.tmp"
    with open(temporary, "wb") as file:
        np.savez(file, keys=np.asarray(keys, dtype="U32"), values=values)
    os.replace(temporary, folder / f"{name}.npz")


def cached_outputs(texts, settings, compute, *, cache_size, memory):
    """Rows of ``compute`` for ``texts``, computing each distinct text at most once per cache.

    Parameters
    ----------
    texts : ndarray of shape (n,) or (n, 2), dtype=object
    settings : str
        :func:`settings_key` of everything besides the text that the vectors depend on.
    compute : callable
        ``compute(positions)`` returns the float32 vectors of ``texts[positions]``.
    cache_size : int
        Vectors kept in this process; 0 keeps none and looks none up.
    memory : str, path-like, joblib.Memory or None
        Folder (or the location of a ``joblib.Memory``) shared across processes.

    Returns
    -------
    vectors : ndarray of shape (n, width), dtype=float32
    """
    folder = _cache_folder(memory, settings)
    if not len(texts) or (cache_size == 0 and folder is None):
        return compute(np.arange(len(texts)))
    keys = _text_keys(settings, texts)
    first_position = {}
    for position, key in enumerate(keys):
        first_position.setdefault(key, position)
    found = _IN_MEMORY.get(first_position) if cache_size else {}
    new = {}
    missing = [key for key in first_position if key not in found]
    if missing and folder is not None:
        new.update(_read_folder(folder, set(missing)))
        missing = [key for key in missing if key not in new]
    if missing:
        computed = compute(np.array([first_position[key] for key in missing]))
        if folder is not None:
            _write_block(folder, missing, computed)
        # Copies, so that an evicted row frees its memory rather than pinning its block.
        new.update({key: row.copy() for key, row in zip(missing, computed)})
    if cache_size:
        _IN_MEMORY.put(new, cache_size)
    found.update(new)
    return np.stack([found[key] for key in keys])


def clear_memory_cache():
    """Empty this process's table (tests, or to free its memory at once)."""
    _IN_MEMORY.clear()
