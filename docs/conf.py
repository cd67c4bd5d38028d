"""Sphinx configuration of the sk_textrec site (``make docs``).

The markdown pages in this folder are the sources (myst-parser); the API
reference is generated from the packages' ``__all__`` (sphinxext/api_reference.py)
and their numpydoc docstrings; the gallery runs the scripts of ../examples.
Nothing is fetched from the network: no intersphinx.
"""

import os
import sys
from pathlib import Path

# HuggingFace's progress bars (saving the tiny BERT, loading MiniLM) would be
# captured into the examples' output.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

DOCS = Path(__file__).resolve().parent
# Document the checkout, not whatever sk_textrec the environment has installed.
sys.path.insert(0, str(DOCS.parent))
sys.path.insert(0, str(DOCS / "sphinxext"))

import sk_textrec  # noqa: E402
from api_reference import write_api_index  # noqa: E402

# Written before Sphinx reads the sources, so autosummary generates a page for
# every exported name, including names added since the last build.
write_api_index(DOCS / "api" / "index.rst")

project = "sk_textrec"
author = "the sk_textrec developers"
copyright = "the sk_textrec developers"
release = version = sk_textrec.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "sphinxext", "api/backreferences"]

# GitHub gives every heading an anchor; so does MyST with this, so that
# `page.md#section` links work in both places.
myst_heading_anchors = 3

autosummary_generate = True
# Inherited members are listed too (fit_resample of the samplers' base class),
# but only those sk_textrec defines: see _skip_members_of_other_libraries.
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Checks that the docs say what the code does: sections known and in order, a
# summary, every parameter documented once, in the signature's order, with a type
# and a description, return values described. Style checks (a See Also or an
# Examples section on every method, punctuation, the verb form of summaries) are
# left out: they would fail the build without making a page wrong.
numpydoc_validation_checks = {
    "GL06", "GL07", "GL08", "GL10", "SS01",
    "PR01", "PR02", "PR03", "PR04", "PR07", "PR10",
    "RT01", "RT03", "YD01",
}
# The public check_text_* functions share one signature, check(name, estimator),
# documented once in their module's docstring (as scikit-learn's checks are).
numpydoc_validation_exclude = {r"\.check_text_\w+$"}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*",  # run every example, not only plot_*.py
    "within_subsection_order": "FileNameSortKey",
    # "Examples using X" on the API pages (the minigallery of their template).
    "doc_module": ("sk_textrec",),
    "backreferences_dir": "api/backreferences",
    # Run every example, then fail the build if any of them raised: one build
    # reports all broken examples.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "reset_modules": ("matplotlib", "gallery_setup.one_torch_thread"),
}

html_theme = "pydata_sphinx_theme"
html_title = f"sk_textrec {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"index": [], "getting_started": []}


def _skip_members_of_other_libraries(app, what, name, obj, skip, options):
    """Leave out the members that a class inherits from another library.

    ``get_params``, ``score``, ``set_output``, ``set_fit_request`` & co. are
    scikit-learn's API, documented on its site; their docstrings point at
    labels of that site, which an offline build cannot resolve.
    """
    module = getattr(getattr(obj, "fget", obj), "__module__", None) or ""  # a property: its getter
    return True if module and module.split(".")[0] != "sk_textrec" else None


def setup(app):
    app.connect("autodoc-skip-member", _skip_members_of_other_libraries)
