"""What the commands share: user errors, options, torch threads, prediction in chunks."""

import argparse
import contextlib
import os

import numpy as np

# Rows predicted (and, for `predict`, read and written) at a time.
CHUNK_ROWS = 4096


class CommandError(Exception):
    """A problem for the user to fix (a file, a column, a label): one line, exit status 2."""


@contextlib.contextmanager
def user_errors(*kinds):
    """Turn the errors of reading user input into :class:`CommandError`."""
    try:
        yield
    except kinds or (OSError, ValueError, TypeError) as exc:
        raise CommandError(str(exc)) from exc


def positive_int(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {value}")
    return number


def non_negative_int(value):
    """A seed: numpy and torch take seeds >= 0 only."""
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {value}")
    return number


def add_encoding_option(parser):
    """``--encoding`` of the ``--data`` CSV file, shared by every command that reads one."""
    parser.add_argument("--encoding", default="utf-8-sig",
                        help="text encoding of --data, e.g. latin-1, cp1252, gb18030, utf-16 "
                        "(default: UTF-8, with or without a byte-order mark)")


def add_runtime_options(parser, *, device=True):
    """``--device``, ``--threads`` and ``--quiet``, shared by the commands that run a model."""
    if device:
        parser.add_argument("--device", default="auto",
                            help="'auto', 'cpu', 'cuda', 'cuda:1', 'mps' (default: %(default)s)")
    parser.add_argument("--threads", type=positive_int, metavar="N",
                        help="torch CPU threads (default: the cores that the 1-minute load "
                        "average shows idle, at least 1)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bars or training table")


def add_column_options(parser):
    """The columns of a model's input; defaults from the model folder (set by `fit`)."""
    parser.add_argument("--text-col", metavar="COL",
                        help="text column (default: the one the model was fitted on, else 'text')")
    parser.add_argument("--pair-col", metavar="COL",
                        help="first text of each pair, for a model fitted on text pairs "
                        "(default: the one it was fitted on)")


def model_columns(args, manifest, names=("text_col", "pair_col", "label_col")):
    """Each column option: given, else recorded by `fit` in the model folder, else a default."""
    recorded = ((manifest.get("metadata") or {}).get("cli") or {}).get("columns", {})
    defaults = {"text_col": "text", "pair_col": None, "label_col": None, "group_col": None}
    return {name: getattr(args, name, None) or recorded.get(name) or defaults[name] for name in names}


@contextlib.contextmanager
def torch_threads(threads):
    """Run with ``threads`` torch threads, or as many as there are idle cores.

    On a shared machine torch's default (one thread per core) is slow: threads
    wait for each other while other processes hold the cores; one thread then
    trains about twice as fast. The 1-minute load average tells how many cores
    are idle. The previous setting is restored on exit.
    """
    import torch

    previous = torch.get_num_threads()
    if threads is None:
        try:
            busy = os.getloadavg()[0]
        except (AttributeError, OSError):  # no load average (Windows)
            busy = 0.0
        threads = max(1, min(previous, round((os.cpu_count() or 1) - busy)))
    torch.set_num_threads(threads)
    try:
        yield threads
    finally:
        torch.set_num_threads(previous)


def check_device(device):
    from ..utils._device import resolve_device

    with user_errors(ValueError):
        return resolve_device(device)


def check_model_source(model, option):
    """The model folder or hub id that ``option`` names, checked before any data is read:
    a folder that does not exist is a user error in a second."""
    from ..utils._model_source import resolve_model_source

    with user_errors(ValueError, TypeError):
        return resolve_model_source(model, input_name=option)


def plain(label):
    """A numpy scalar as the Python value it holds, so that it prints as ``1``."""
    return label.item() if isinstance(label, np.generic) else label


def proba_and_labels(model, X):
    """Probabilities (None for a regressor) and predictions of ``X``, in one pass where possible.

    A ThresholdTunedClassifier applies its tuned rule to the probabilities just
    computed, and a BertClassifier predicts their argmax, instead of running
    the model a second time.
    """
    from ..model_selection import ThresholdTunedClassifier
    from ..models import BertClassifier

    if not hasattr(model, "predict_proba"):
        return None, np.asarray(model.predict(X))
    proba = model.predict_proba(X)
    if isinstance(proba, list):
        raise CommandError("The command line predicts one column of labels; this model "
                           "predicts several (a multi-output BertClassifier).")
    if isinstance(model, ThresholdTunedClassifier) and model.response_method_ == "predict_proba":
        labels = model._decide(model._response_scores(proba, "predict_proba", model.estimator_))
    elif isinstance(model, BertClassifier):
        labels = model.classes_[np.argmax(proba, axis=1)]
    else:
        labels = model.predict(X)
    return proba, np.asarray(labels)


def check_model_input(model, X):
    """Predict one row, so that input the model refuses (pairs for a model of single
    texts, say) is a user error before any work, not a traceback after some."""
    with user_errors(ValueError, TypeError):
        proba_and_labels(model, X[:1])


def progress(total, *, quiet, description):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="row", disable=quiet)


def describe_model(model):
    """One line: the estimator, what it wraps, its classes and decision threshold."""
    inner = getattr(model, "estimator", None)
    text = type(model).__name__ + (f" around {type(inner).__name__}" if inner is not None else "")
    classes = getattr(model, "classes_", None)
    if classes is not None:
        text += f"; classes {[plain(label) for label in classes]}"
    if hasattr(model, "best_threshold_"):
        text += (f"; decision threshold {model.best_threshold_:.4g} on P({plain(model.pos_label_)!r}),"
                 f" tuned for {model.objective}")
    return text


def rows_of(values, columns):
    """The model input of a chunk of ``iter_csv_columns``: texts, or (pair, text) pairs."""
    texts = np.array(values["text_col"], dtype=object)
    if columns.get("pair_col") is None:
        return texts
    return np.column_stack([np.array(values["pair_col"], dtype=object), texts])


def read_csv_chunks(path, columns, *, required, encoding, chunk_rows=None):
    """Chunks of the named columns of a CSV file; a row with an empty or missing required
    cell is an error, as is a file not in ``encoding`` (the loader's message)."""
    from ..datasets._csv import describe_rows, iter_csv_columns

    with user_errors():
        for values, missing, _ in iter_csv_columns(path, columns, required=required,
                                                   chunk_rows=chunk_rows, encoding=encoding):
            if missing:
                raise CommandError(f"In {path!r}, {describe_rows(missing)}. Fill or remove these rows.")
            yield values
