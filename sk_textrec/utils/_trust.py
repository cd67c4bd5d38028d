"""What a saved model may hold and what loading trusts (see ``sk_textrec.persistence``).

Two rules, one per direction:

- **Saving** refuses functions other than the metric functions of
  scikit-learn, imbalanced-learn and sk_textrec: a lambda cannot be loaded
  anywhere, and loading any other function would mean running code the
  loader has not reviewed.
- **Loading** trusts, beyond skops' own defaults (scikit-learn's estimators,
  numpy, scipy, builtins), the classes defined in sk_textrec and
  imbalanced-learn (pure Python over numpy), scikit-learn's ``Bunch`` and
  scorer objects, and the metric functions above.
  Everything else must be named by the caller. The encoder estimators are
  never trusted from the skops file: their state comes from the folder's own
  files (``models/_saved.py``).
"""

import functools
import importlib
import numbers
import re
import types

import numpy as np

_METRIC_MODULES = ("sklearn.metrics", "imblearn.metrics", "sk_textrec.metrics")
_TRUSTED_CLASS_PACKAGES = ("sk_textrec", "imblearn")
# Dotted Python names only: a name from a file is never imported otherwise.
_DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_FUNCTION_TYPES = (
    types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.BuiltinMethodType,
)
# Leaves of the object graph: nothing to look into.
_ATOMS = (str, bytes, numbers.Number, np.ndarray, np.generic, type, types.ModuleType, range)


def type_name(obj):
    """skops' name of a type or function: ``module.qualname``."""
    return f"{obj.__module__}.{obj.__qualname__}"


def walk(obj, path, *, state=None):
    """Every object reachable from ``obj`` once, as ``(path, object)`` pairs.

    Descends into containers, ``functools.partial`` objects and the state of
    other objects: ``state(obj)``, by default what pickling stores
    (``__getstate__`` or ``__dict__``). ``path`` says where an object sits,
    e.g. ``"ThresholdTunedClassifier.estimator.early_stopping_scoring"``.
    """
    state = state or object_state
    seen = set()
    stack = [(path, obj)]
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield path, obj
        if isinstance(obj, _ATOMS) or isinstance(obj, _FUNCTION_TYPES):
            continue
        if isinstance(obj, dict):
            children = [(f"{path}[{key!r}]", value) for key, value in obj.items()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            children = [(f"{path}[{i}]", value) for i, value in enumerate(obj)]
        elif isinstance(obj, functools.partial):
            children = [(f"{path}.func", obj.func), (f"{path}.args", obj.args),
                        (f"{path}.keywords", obj.keywords)]
        else:
            children = [(f"{path}.{name}", value) for name, value in state(obj).items()]
        stack.extend(reversed(children))


def object_state(obj):
    """What pickling (and skops) would store of ``obj``: its state dict, if any."""
    getstate = getattr(obj, "__getstate__", None)
    state = getstate() if callable(getstate) else None
    if isinstance(state, dict):
        return state
    return getattr(obj, "__dict__", None) or {}


def _public_metric(obj):
    """Whether ``obj`` is a function exported by the metrics module of a trusted library."""
    name = getattr(obj, "__name__", None)
    for module_name in _METRIC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if name is not None and getattr(module, name, None) is obj:
            return True
    return False


def check_savable(estimator, *, state):
    """Raise a TypeError naming the first object that a saved model may not hold.

    That is a function other than a trusted metric, or metadata-routing
    requests, which refer back to their estimator in a cycle that skops
    cannot store.
    """
    from sklearn.utils.metadata_routing import MetadataRequest

    for path, obj in walk(estimator, type(estimator).__name__, state=state):
        if isinstance(obj, MetadataRequest):
            raise TypeError(
                f"Cannot save {path}: metadata-routing requests (set_fit_request, "
                "set_score_request, ...) cannot be stored in a model folder yet. Save the "
                "estimator without them (`del est._metadata_request` on the estimator that "
                "holds them) and set them again after loading."
            )
        if isinstance(obj, _FUNCTION_TYPES) and not _public_metric(obj):
            module = getattr(obj, "__module__", None) or "?"
            raise TypeError(
                f"Cannot save {path}: it is the function {obj.__qualname__!r} of module "
                f"{module!r}. A saved model holds data only (loading a function would run "
                "its code), so sk_textrec.save accepts only the metric functions of "
                "scikit-learn, imbalanced-learn and sk_textrec. Use a scorer name (e.g. "
                "'average_precision') or sklearn.metrics.make_scorer of one of those "
                "functions instead; or keep this model with pickle / joblib and load it "
                "only from sources you trust."
            )


def _resolve(name):
    """The object a dotted name stands for, or None (only in trusted libraries)."""
    if not _DOTTED_NAME.match(name):
        return None
    module_name, _, attribute = name.rpartition(".")
    top = module_name.split(".")[0]
    if top not in ("sklearn", *_TRUSTED_CLASS_PACKAGES):
        return None
    try:
        obj = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(obj, attribute, None)


@functools.lru_cache(maxsize=1)
def _sklearn_data_holders():
    from sklearn.utils import Bunch

    from ._sklearn_compat import _Scorer

    return {type_name(cls) for cls in (Bunch, _Scorer)}


def is_trusted_by_default(name, excluded):
    """Whether ``sk_textrec.load`` trusts the type or function ``name`` from a file.

    ``excluded`` is a tuple of classes never trusted (the encoder estimators).
    """
    if name in _sklearn_data_holders():
        return True
    obj = _resolve(name)
    if obj is None or type_name(obj) != name:
        return False
    if isinstance(obj, type):
        package = obj.__module__.split(".")[0]
        return package in _TRUSTED_CLASS_PACKAGES and not issubclass(obj, excluded)
    return isinstance(obj, _FUNCTION_TYPES) and _public_metric(obj)
