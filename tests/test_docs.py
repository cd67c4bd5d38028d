"""Fast checks of the documentation site's sources (no Sphinx build)."""

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def api_reference():
    """docs/sphinxext/api_reference.py, the generator of the API reference's listing."""
    path = DOCS / "sphinxext" / "api_reference.py"
    spec = importlib.util.spec_from_file_location("api_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resolve(full_name):
    module, _, name = full_name.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_api_reference_lists_every_exported_name(api_reference):
    """Check that every name in a public module's __all__ is listed, linked to a page of that object."""
    sections = dict(api_reference.api_sections())
    for module in api_reference.public_modules():
        if module in api_reference.NOT_API:
            continue
        exported = api_reference.exported_names(module)
        listed = sections.get(module, [])
        assert len(listed) == len(exported), f"{module}: {exported} listed as {listed}"
        for name, full_name in zip(exported, listed):
            assert _resolve(full_name) is getattr(importlib.import_module(module), name), full_name


def test_api_reference_has_one_page_per_object(api_reference):
    """Check that an object exported by several modules gets one page, under its shortest path."""
    pages = {}
    for _, full_names in api_reference.api_sections():
        for full_name in full_names:
            pages.setdefault(id(_resolve(full_name)), set()).add(full_name)
    assert all(len(names) == 1 for names in pages.values())
    assert any(name == "sk_textrec.BertClassifier" for names in pages.values() for name in names)


def test_api_reference_covers_the_public_subpackages(api_reference):
    """Check that the reference has a section for each public subpackage and module."""
    sections = {module for module, _ in api_reference.api_sections()}
    expected = {"sk_textrec"} | {
        f"sk_textrec.{name}"
        for name in ("models", "over_sampling", "under_sampling", "augmentation", "model_selection",
                     "metrics", "rerank", "datasets", "utils", "utils.estimator_checks", "pipeline")
    }
    assert expected <= sections


def test_public_modules_define_all(api_reference):
    """Check that every public module says what it exports, so that its names reach the reference."""
    modules = set(api_reference.public_modules()) - api_reference.NOT_API
    missing = sorted(module for module in modules if not hasattr(importlib.import_module(module), "__all__"))
    hint = "or list them in NOT_API (docs/sphinxext/api_reference.py)"
    assert not missing, f"define __all__ in {missing}, {hint}"


def test_api_index_rst_generates_pages_for_home_names_only(api_reference):
    """Check that a section generates pages for its own names and links the re-exported ones."""
    rst = api_reference.api_index_rst([
        ("sk_textrec.models", ["sk_textrec.BertClassifier"]),
        ("sk_textrec.datasets", ["sk_textrec.datasets.load_reviews_csv"]),
    ])
    models = rst[rst.index(".. module:: sk_textrec.models"):rst.index(".. module:: sk_textrec.datasets")]
    assert ":toctree:" not in models and "~sk_textrec.BertClassifier" in models
    datasets = rst[rst.index(".. module:: sk_textrec.datasets"):]
    assert ":toctree: generated/" in datasets and re.search(r"^   load_reviews_csv$", datasets, re.M)


def test_write_api_index_drops_pages_of_names_no_longer_exported(api_reference, tmp_path):
    """Check that the generated page of a name that left __all__ is deleted, the others kept."""
    generated = tmp_path / "generated"
    generated.mkdir()
    (generated / "sk_textrec.BertClassifier.rst").write_text("kept")
    (generated / "sk_textrec.RemovedClassifier.rst").write_text("stale")
    index = api_reference.write_api_index(tmp_path / "index.rst")
    assert ".. module:: sk_textrec.models" in index.read_text(encoding="utf-8")
    assert sorted(page.name for page in generated.iterdir()) == ["sk_textrec.BertClassifier.rst"]


def test_docs_every_page_is_in_a_toctree():
    """Check that every markdown page of docs/ is in a toctree, where the site's navigation finds it."""
    toctree_entries = set()
    for page in DOCS.glob("*.md"):
        for block in re.findall(r"```\{toctree\}\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for line in block.splitlines():
                if line.strip() and not line.startswith(":"):
                    toctree_entries.add(re.sub(r"^.*<(.+)>$", r"\1", line.strip()))
    pages = {page.stem for page in DOCS.glob("*.md")} - {"index"}
    missing = sorted(pages - toctree_entries)
    assert not missing, f"add {missing} to the toctree of docs/guide.md (user guide) or docs/index.md"
