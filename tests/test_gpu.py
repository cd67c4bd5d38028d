"""GPU-only tests (marker ``gpu``): fit on CUDA, bf16 by default, pickles that load on a CPU-only machine.

They skip, with the reason, where torch sees no CUDA GPU. Run only them with
``pytest -m gpu``.
"""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sk_textrec import BertClassifier

torch = pytest.importorskip("torch")

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(
        not torch.cuda.is_available(),
        reason="needs a CUDA GPU: torch.cuda.is_available() is False on this machine",
    ),
]

REPO_ROOT = Path(__file__).resolve().parents[1]

# Unpickles a model in a process that sees no GPU and prints its probabilities.
_PREDICT_ON_CPU = """
import pickle, sys
import numpy as np
import torch
assert not torch.cuda.is_available()
model = pickle.load(open(sys.argv[1], "rb"))
np.save(sys.argv[2], model.predict_proba(pickle.load(open(sys.argv[3], "rb"))))
print(model.device_)
"""


def _fast(tiny_bert, **params):
    defaults = dict(max_epochs=2, lr=1e-3, batch_size=8, random_state=0)
    return BertClassifier(tiny_bert, **{**defaults, **params})


def _linear_output_dtypes(model, texts):
    """The dtypes that the encoder's linear layers compute in while ``model`` predicts."""
    dtypes = set()
    hooks = [
        layer.register_forward_hook(lambda module, inputs, output: dtypes.add(output.dtype))
        for layer in model.net_.module_.encoder.modules()
        if isinstance(layer, torch.nn.Linear)
    ]
    try:
        model.predict_proba(texts)
    finally:
        for hook in hooks:
            hook.remove()
    return dtypes


def _predict_on_cpu(model, texts, tmp_path):
    """Probabilities from ``model`` pickled and loaded in a process where CUDA is hidden."""
    model_file, texts_file, out = tmp_path / "model.pkl", tmp_path / "texts.pkl", tmp_path / "proba.npy"
    model_file.write_bytes(pickle.dumps(model))
    texts_file.write_bytes(pickle.dumps(list(texts)))
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _PREDICT_ON_CPU, str(model_file), str(out), str(texts_file)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "cpu"
    return np.load(out)


def test_gpu_fit_uses_bf16_autocast_by_default(tiny_bert, reviews):
    """Check that precision='auto' on CUDA computes in bf16, and precision='fp32' in fp32."""
    if not torch.cuda.is_bf16_supported():
        pytest.skip("this CUDA GPU has no bf16 support, so precision='auto' means fp32")
    texts, y = reviews
    model = _fast(tiny_bert).fit(texts, y)
    assert model.device_.startswith("cuda")
    assert next(model.net_.module_.parameters()).is_cuda
    assert _linear_output_dtypes(model, texts) == {torch.bfloat16}
    fp32 = _fast(tiny_bert, precision="fp32").fit(texts, y)
    assert _linear_output_dtypes(fp32, texts) == {torch.float32}


def test_gpu_model_pickles_and_predicts_on_cpu(tiny_bert, reviews, tmp_path):
    """Check that a model trained on CUDA predicts on CUDA and, unpickled where CUDA is hidden, on the CPU alike."""
    texts, y = reviews
    model = _fast(tiny_bert).fit(texts, y)
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 2)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(model)).predict_proba(texts), proba, atol=1e-6)
    # The CPU computes in fp32 what the GPU computed in bf16: close, not equal.
    np.testing.assert_allclose(_predict_on_cpu(model, texts, tmp_path), proba, atol=0.05)


def test_gpu_accelerate_one_process(tiny_bert, reviews, tmp_path):
    """Check that training through accelerate on one GPU keeps bf16, predicts and pickles for the CPU."""
    state = pytest.importorskip("accelerate.state")
    # accelerate keeps one state per process: a CPU Accelerator of an earlier test would stick.
    state.AcceleratorState._reset_state(reset_partial_state=True)
    texts, y = reviews
    model = _fast(tiny_bert, accelerator="auto").fit(texts, y)
    assert model.device_.startswith("cuda")
    assert not hasattr(model.net_, "accelerator")
    if torch.cuda.is_bf16_supported():
        assert _linear_output_dtypes(model, texts) == {torch.bfloat16}
    proba = model.predict_proba(texts)
    plain = _fast(tiny_bert).fit(texts, y).predict_proba(texts)
    # As without an accelerator, up to the GPU's non-deterministic bf16 kernels.
    np.testing.assert_allclose(proba, plain, atol=1e-3)
    np.testing.assert_allclose(_predict_on_cpu(model, texts, tmp_path), proba, atol=0.05)
