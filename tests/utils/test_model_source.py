"""Tests of the one rule for model paths: local folder, no such folder, or hub id."""

import os

import numpy as np
import pytest

from sk_textrec import BertClassifier, TextEmbedder
from sk_textrec.augmentation import EmbeddingNeighbourSynonyms
from sk_textrec.utils._model_source import looks_like_path, model_load_errors, resolve_model_source


@pytest.mark.parametrize("source, expected", [
    ("bert-base-uncased", False),
    ("sentence-transformers/all-MiniLM-L6-v2", False),
    ("./models/mine", True),
    ("../mine", True),
    ("~/models/mine", True),
    ("/abs/path", True),
    ("org/name/sub", True),
    ("C:\\models\\mine", True),
    ("D:/models", True),
    ("models\\mine", True),
])
def test_looks_like_path(source, expected):
    """Check which strings can only be filesystem paths."""
    assert looks_like_path(source) is expected


def test_resolve_model_source_local_folders(tmp_path, monkeypatch):
    """Check that existing folders are local, relative, absolute, path-like or under ~."""
    folder = tmp_path / "org" / "name"
    folder.mkdir(parents=True)
    assert resolve_model_source(str(folder)) == str(folder)
    assert resolve_model_source(folder) == str(folder)
    monkeypatch.chdir(tmp_path)
    assert resolve_model_source("org/name") == "org/name"  # an existing folder wins over a hub id
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_model_source("~/org/name") == str(folder)


@pytest.mark.parametrize("source, err_msg", [
    ("./no/such/model", r"'model_name_or_path' parameter: no such model folder './no/such/model'"),
    ("/no/such/model", "no such model folder"),
    ("~/no-such-model-here", "no such model folder"),
    ("org/name/extra", "no such model folder"),
    ("my model", "neither an existing model folder nor a HuggingFace model name"),
    ("", "neither an existing model folder"),
])
def test_resolve_model_source_errors(source, err_msg, tmp_path, monkeypatch):
    """Check that a missing path-like source is 'no such model folder', naming the parameter."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=err_msg):
        resolve_model_source(source)


def test_resolve_model_source_pathlike_and_file(tmp_path):
    """Check that a missing os.PathLike is a folder error and a file is refused."""
    with pytest.raises(ValueError, match="no such model folder"):
        resolve_model_source(tmp_path / "missing")
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"")
    with pytest.raises(ValueError, match="names the file"):
        resolve_model_source(str(file))
    with pytest.raises(TypeError, match="'model_name_or_path' parameter must be a str"):
        resolve_model_source(3)


def test_resolve_model_source_hub_ids_pass():
    """Check that 'name' and 'org/name' that are not folders are returned as hub ids."""
    assert resolve_model_source("no-such-model-xyz") == "no-such-model-xyz"
    assert resolve_model_source("no-such-org/no-such-model") == "no-such-org/no-such-model"


def test_model_load_errors_names_both_possibilities(monkeypatch):
    """Check that a hub id that fails offline says hub id or missing folder, keeping the cause."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import AutoConfig

    with pytest.raises(OSError, match="read as a HuggingFace hub id") as exc_info:
        with model_load_errors("no-such-org/no-such-model-xyz"):
            AutoConfig.from_pretrained("no-such-org/no-such-model-xyz")
    message = str(exc_info.value)
    assert "could not be loaded" in message and "local folder that does not exist" in message
    assert isinstance(exc_info.value.__cause__, OSError)


def test_model_load_errors_existing_folder_without_model(tmp_path):
    """Check that a folder without a model says so and keeps transformers' error as cause."""
    from transformers import AutoConfig

    with pytest.raises(OSError, match="exists but does not hold a model") as exc_info:
        with model_load_errors(str(tmp_path), purpose="TextEmbedder"):
            AutoConfig.from_pretrained(str(tmp_path))
    assert str(exc_info.value).startswith("TextEmbedder could not load")
    assert exc_info.value.__cause__ is not None


def test_estimators_reject_missing_model_folder_before_loading(tmp_path):
    """Check that BertClassifier and TextEmbedder fail in fit on a missing folder, naming it."""
    missing = os.path.join(str(tmp_path), "not-there")
    texts, y = ["good", "bad"] * 3, np.array([1, 0] * 3)
    with pytest.raises(ValueError, match="no such model folder"):
        BertClassifier(missing).fit(texts, y)
    with pytest.raises(ValueError, match="no such model folder"):
        TextEmbedder(missing).fit(texts)
    with pytest.raises(ValueError, match="no such model folder"):
        EmbeddingNeighbourSynonyms(missing).synonyms_of("dress")
