"""Where a model comes from: a local folder or a HuggingFace hub id.

One rule for every parameter that names a model (``model_name_or_path`` of
the estimators and augmenters, the demo's ``--model``):

- an existing folder is a local model (``~`` is expanded);
- a string that looks like a path -- absolute, starting with ``.`` or ``~``,
  with a Windows drive or a backslash, or with more than the one ``/`` of
  ``org/name`` -- and does not exist is "no such model folder", a ValueError
  naming the parameter (transformers would report a malformed hub repo id);
- anything else (``name`` or ``org/name``) is a hub id. When it cannot be
  loaded, the error says both possibilities: a hub id that could not be
  loaded (offline, a typo, a private model) or a local folder that does not
  exist here.

Nothing here imports transformers.
"""

import contextlib
import os
import re

# What the hub accepts as a repo id: "name" or "org/name" of word characters, '-' and '.'.
_HUB_ID = re.compile(r"[\w.-]+(/[\w.-]+)?")
_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:")


def looks_like_path(source):
    """Whether the string ``source`` can only be meant as a filesystem path."""
    separators = source.count("/") + source.count("\\")
    return (
        os.path.isabs(source)
        or source.startswith((".", "~"))
        or "\\" in source
        or _WINDOWS_DRIVE.match(source) is not None
        or separators > 1
    )


def resolve_model_source(model_name_or_path, *, input_name="model_name_or_path"):
    """The local folder or hub id that ``model_name_or_path`` names.

    ``None`` is the packaged all-MiniLM-L6-v2. An existing folder is returned
    with ``~`` expanded; a path-like string or ``os.PathLike`` that does not
    exist, a file, or a string that is neither a path nor a hub id is a
    ValueError naming ``input_name``; anything else is returned as a hub id.
    """
    if model_name_or_path is None:
        from ._optional import default_model_path

        return default_model_path()
    if not isinstance(model_name_or_path, (str, os.PathLike)):
        raise TypeError(f"The {input_name!r} parameter must be a str or path-like, a local "
                        f"folder or a HuggingFace model name; got {type(model_name_or_path).__name__}.")
    source = os.fspath(model_name_or_path)
    path = os.path.expanduser(source)
    if os.path.isdir(path):
        return path
    if os.path.exists(path):
        raise ValueError(f"The {input_name!r} parameter names the file {source!r}; give the model "
                         "folder that holds its config.json, weights and tokenizer files.")
    if isinstance(model_name_or_path, os.PathLike) or looks_like_path(source):
        raise ValueError(f"The {input_name!r} parameter: no such model folder {source!r} (looked for "
                         f"{os.path.abspath(path)!r}).")
    if _HUB_ID.fullmatch(source) is None:
        raise ValueError(f"The {input_name!r} parameter {source!r} is neither an existing model folder "
                         "nor a HuggingFace model name ('name' or 'org/name').")
    return source


@contextlib.contextmanager
def model_load_errors(source, *, purpose=None, input_name="model_name_or_path"):
    """Turn transformers' loading errors for ``source`` into one that says what to check.

    transformers raises OSError or ValueError for a folder without a model and
    OSError for a hub id it cannot reach; both become an OSError (the model
    could not be read) whose message names the parameter and the
    possibilities, with transformers' error as ``__cause__``.
    """
    try:
        yield
    except (OSError, ValueError) as exc:
        subject = f"{purpose} could not load" if purpose else "Could not load"
        if os.path.isdir(source):
            raise OSError(
                f"{subject} the model folder {source!r} (the {input_name!r} parameter): it exists "
                "but does not hold a model transformers can load (config.json, weights, "
                f"tokenizer files). ({exc})"
            ) from exc
        raise OSError(
            f"{subject} the model {source!r} (the {input_name!r} parameter). It is not a local "
            "folder, so it was read as a HuggingFace hub id, and either that hub id could not be "
            "loaded (no internet or HF_HUB_OFFLINE set and not in the cache, a typo, a private "
            "model) or it was meant as a local folder that does not exist here (pass its path, "
            f"e.g. './{source}'). ({exc})"
        ) from exc
