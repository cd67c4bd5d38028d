"""Model folders that are safe to load: ``save`` and ``load``.

A folder written by :func:`save` holds data only:

- ``model.json``: the manifest — format, library versions, the estimator's
  parameters, classes and thresholds in readable JSON, and the SHA-256 of
  every file that loading reads;
- ``estimator.skops``: the scikit-learn side of the estimator (pipelines,
  TF-IDF models, thresholds, the BERT estimators' parameters and fitted
  attributes) in skops' format, which refuses types it was not told to trust;
- ``encoders/<i>/``: per fitted BERT estimator, its weights
  (``model.safetensors``: encoder and heads), the encoder's ``config.json``
  and the tokenizer's files;
- ``README.md``: a model card (data, evaluation, how to load, versions).

:func:`load` checks every file against its hash, loads the skops file
trusting only the types of sk_textrec, scikit-learn and imbalanced-learn
(and those the caller names), and rebuilds each BERT estimator from its
config and weights: nothing from the folder is executed. Pickle keeps
working as before for trusted, same-version use.
"""

import copy
import hashlib
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path, PurePath, PurePosixPath

from .utils._model_card import write_card
from .utils._sklearn_compat import validate_params

__all__ = ["load", "save"]

FORMAT = "sk_textrec-model"
FORMAT_VERSION = 1
MANIFEST_FILE = "model.json"
SKOPS_FILE = "estimator.skops"


def _graph_state(obj):
    """What is saved of ``obj``: an encoder estimator without its torch objects."""
    from .models._saved import is_encoder, saved_state
    from .utils._trust import object_state

    return saved_state(obj) if is_encoder(obj) else object_state(obj)


def _sha256(file):
    digest = hashlib.sha256()
    with open(file, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_target(path, overwrite):
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{os.fspath(path)!r} is a file; save writes a folder.")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{os.fspath(path)!r} exists and is not empty. Pass overwrite=True to replace it."
        )


@validate_params(
    {
        "estimator": [object],
        "path": [str, os.PathLike],
        "description": [str, None],
        "metadata": [dict, None],
        "overwrite": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def save(estimator, path, *, description=None, metadata=None, overwrite=False):
    """Save an estimator to a folder that :func:`load` reads without running its code.

    Works for :class:`~sk_textrec.BertClassifier`,
    :class:`~sk_textrec.BertRegressor`, :class:`~sk_textrec.TextEmbedder`,
    the presets (a :class:`~sk_textrec.ThresholdTunedClassifier` around a
    BertClassifier or a :class:`~sk_textrec.HoldoutStackingClassifier` of
    BERT and TF-IDF), and pipelines and meta-estimators containing them,
    fitted or not. The weights are written as trained (fp32) on the CPU
    whatever the device, so a model saved on a GPU loads on a CPU.

    The folder is written beside ``path`` first and moved into place when
    complete: an interrupted save leaves no half-written model.

    Parameters
    ----------
    estimator : estimator instance
        What to save.
    path : str or path-like
        The folder to write (created, with its parents).
    description : str, default=None
        What the model was trained on and for, shown in the model card.
    metadata : dict, default=None
        Facts for tools that read the folder, kept in ``model.json`` under
        ``"metadata"`` (JSON-serialisable values only).
    overwrite : bool, default=False
        Replace an existing non-empty folder.

    Returns
    -------
    path : pathlib.Path
        The folder.

    Raises
    ------
    TypeError
        If the estimator holds a function other than a metric function of
        scikit-learn, imbalanced-learn or sk_textrec (a lambda scorer, a
        custom function): loading it would mean running its code. The
        message names where it sits and what to use instead.
    FileExistsError
        If ``path`` is a non-empty folder and ``overwrite`` is False.

    See Also
    --------
    load : Read the folder back.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec import TextEmbedder, load, make_pipeline, save
    >>> from sk_textrec.utils import make_tiny_bert
    >>> texts, y = ["love it", "great fit", "awful", "returned it"] * 3, [1, 1, 0, 0] * 3
    >>> model = make_pipeline(TextEmbedder(make_tiny_bert(), device="cpu"),
    ...                       LogisticRegression()).fit(texts, y)
    >>> folder = tempfile.mkdtemp()
    >>> _ = save(model, folder, overwrite=True, description="4 toy reviews")
    >>> (load(folder).predict_proba(texts) == model.predict_proba(texts)).all()
    np.True_
    """
    import skops.io as sio

    from .utils._trust import check_savable, walk

    path = Path(path)
    _check_target(path, overwrite)
    check_savable(estimator, state=_graph_state)
    try:  # now, rather than after the weights are written
        json.dumps(metadata)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"The 'metadata' parameter must hold JSON values only: {exc}.") from exc
    parts = list(walk(estimator, type(estimator).__name__, state=_graph_state))
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.saving-", dir=path.parent))
    try:
        stubs, encoders = _write_encoders(parts, staging)
        # Paths (checkpoint=Path(...)) are written as their strings: skops does
        # not trust pathlib, and a PosixPath cannot be built on Windows.
        paths = {id(obj): os.fspath(obj) for _, obj in parts if isinstance(obj, PurePath)}
        replaced = {**stubs, **paths}
        try:
            data = sio.dumps(copy.deepcopy(estimator, replaced))
        except Exception as exc:  # skops names the type it cannot store
            raise TypeError(f"Cannot save {type(estimator).__name__}: {exc}") from exc
        (staging / SKOPS_FILE).write_bytes(data)
        manifest = _manifest(estimator, parts, encoders, sio.get_untrusted_types(data=data),
                             description, metadata)
        manifest["files"] = {file.relative_to(staging).as_posix(): _sha256(file)
                             for file in sorted(staging.rglob("*")) if file.is_file()}
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        write_card(staging, manifest)
        _replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path


def _write_encoders(parts, staging):
    """Write the files of every BERT estimator among ``parts``; their stubs by id, and their records."""
    from .models._saved import is_encoder, save_encoder
    from .utils._model_card import fitted_summary, readable
    from .utils._trust import type_name

    stubs, encoders = {}, []
    for where, obj in parts:
        if is_encoder(obj):
            folder = f"encoders/{sum(encoder['folder'] is not None for encoder in encoders)}"
            stub = stubs[id(obj)] = save_encoder(obj, staging, folder)
            encoders.append({
                "path": where, "class": type_name(type(obj)), "folder": stub.folder,
                "model_name_or_path": readable(obj.model_name_or_path), "device": stub.device,
                "fitted": fitted_summary(obj),
            })
    return stubs, encoders


def _manifest(estimator, parts, encoders, untrusted, description, metadata):
    """``model.json`` but for the file hashes: what the folder holds, for people and tools."""
    from .models._saved import encoder_classes, is_encoder
    from .utils._model_card import fitted_summary, library_versions, readable
    from .utils._trust import is_trusted_by_default, type_name

    excluded = tuple(encoder_classes().values())
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else None
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "saved_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": library_versions(),
        "description": description,
        "metadata": metadata,
        "estimator": {"class": type_name(type(estimator)), "params": readable(params),
                      "fitted": fitted_summary(estimator)},
        "estimators": [{"path": where, "class": type_name(type(obj)), "fitted": fitted}
                       for where, obj in parts[1:]
                       if hasattr(obj, "get_params") and not is_encoder(obj)
                       for fitted in [fitted_summary(obj)] if fitted],
        "encoders": encoders,
        "trusted_needed": [name for name in untrusted if not is_trusted_by_default(name, excluded)],
    }


def _replace(staging, path):
    """Move the finished folder into place; an old one is removed only then."""
    old = None
    if path.exists():
        old = path.parent / f".{path.name}.replaced-{os.getpid()}"
        path.rename(old)
    staging.rename(path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(path):
    """The manifest of a model folder, or a clear error if there is none or it is damaged."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"No model folder at {os.fspath(path)!r}.")
    file = path / MANIFEST_FILE
    if not file.is_file():
        raise ValueError(
            f"{os.fspath(path)!r} is not an sk_textrec model folder: it has no {MANIFEST_FILE} "
            "(folders are written by sk_textrec.save)."
        )
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{os.fspath(file)!r} is damaged ({exc}); the folder cannot be loaded. Copy it "
            "again from its source."
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{os.fspath(file)!r} is not the manifest of an sk_textrec model folder.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} has format version {manifest.get('format_version')!r}; this "
            f"sk_textrec reads version {FORMAT_VERSION}. Load it with the sk_textrec version "
            f"that saved it ({manifest.get('versions', {}).get('sk-textrec', 'unknown')})."
        )
    return manifest


def _verify_files(path, manifest):
    """Every file that loading reads exists and has the SHA-256 it had when saved."""
    files = manifest.get("files")
    if not isinstance(files, dict) or SKOPS_FILE not in files:
        raise ValueError(f"The manifest of {os.fspath(path)!r} lists no files; it was altered.")
    for name, digest in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"The manifest of {os.fspath(path)!r} names a file outside it: {name!r}.")
        file = path / relative
        if not file.is_file():
            raise ValueError(
                f"{os.fspath(path)!r} lacks {name}, which was saved with it: the folder is "
                "incomplete. Copy it again from its source."
            )
        if _sha256(file) != digest:
            raise ValueError(
                f"{os.fspath(file)!r} does not match the SHA-256 recorded when it was saved: "
                "it was changed or truncated (an interrupted copy?). Copy the folder again "
                "from its source."
            )


@validate_params(
    {"path": [str, os.PathLike], "trusted": [list, None]},
    prefer_skip_nested_validation=True,
)
def load(path, *, trusted=None):
    """Load an estimator saved by :func:`save`, running no code from the folder.

    Every file is first checked against the SHA-256 recorded in
    ``model.json``. The scikit-learn side is loaded by skops, which builds
    only trusted types: skops' defaults (scikit-learn's estimators, numpy,
    scipy), the classes of sk_textrec and imbalanced-learn, and the metric
    functions of the three libraries. Any other type (your own transformer
    class, say) is refused unless named in ``trusted``. Each BERT estimator
    is rebuilt from its saved config, tokenizer and safetensors weights,
    with ``trust_remote_code=False``; no network and no training data are
    needed. It runs on the device it was saved on where this machine has
    it, on the CPU otherwise (with a warning).

    Parameters
    ----------
    path : str or path-like
        A folder written by :func:`save`.
    trusted : list of str or type, default=None
        Further types to trust, as listed in the error that refuses them
        (e.g. ``["mypackage.MyTransformer"]``). Name only types whose code you
        trust: loading runs their ``__setstate__`` and later their methods.

    Returns
    -------
    estimator : estimator instance
        The saved estimator, ready to predict.

    Raises
    ------
    ValueError
        If the folder is incomplete or a file was changed or truncated.
    TypeError
        If the folder holds types that are not trusted.

    See Also
    --------
    save : Write the folder.

    Examples
    --------
    >>> import tempfile
    >>> from sk_textrec import BertClassifier, load, save
    >>> from sk_textrec.utils import make_tiny_bert
    >>> texts, y = ["love it", "awful"] * 4, ["pos", "neg"] * 4
    >>> clf = BertClassifier(make_tiny_bert(), max_epochs=1, device="cpu",
    ...                      random_state=0).fit(texts, y)
    >>> folder = tempfile.mkdtemp()
    >>> loaded = load(save(clf, folder, overwrite=True))
    >>> loaded.classes_.tolist(), bool((loaded.predict_proba(texts) == clf.predict_proba(texts)).all())
    (['neg', 'pos'], True)
    """
    import skops.io as sio

    from .models._saved import EncoderStub, encoder_classes, restore_encoder
    from .utils._trust import is_trusted_by_default, type_name, walk

    path = Path(path)
    manifest = read_manifest(path)
    _verify_files(path, manifest)
    data = (path / SKOPS_FILE).read_bytes()
    excluded = tuple(encoder_classes().values())
    named = {name if isinstance(name, str) else type_name(name) for name in trusted or ()}
    untrusted = sio.get_untrusted_types(data=data)
    refused = [name for name in untrusted
               if name not in named and not is_trusted_by_default(name, excluded)]
    if refused:
        raise TypeError(
            f"{os.fspath(path)!r} holds types that sk_textrec.load does not trust: {refused}. "
            "Loading them would run their code. If you trust the folder's source and these "
            f"types, pass trusted={refused}."
        )
    estimator = sio.loads(data, trusted=untrusted)
    folders = {encoder["folder"] for encoder in manifest.get("encoders", []) if encoder.get("folder")}
    restored = {}
    for _, obj in walk(estimator, ""):
        if isinstance(obj, EncoderStub):
            if obj.folder is not None and obj.folder not in folders:
                raise ValueError(f"{os.fspath(path)!r} refers to an encoder folder the manifest "
                                 f"does not list ({obj.folder!r}); it was altered.")
            restored[id(obj)] = restore_encoder(obj, path)
    return copy.deepcopy(estimator, restored)
