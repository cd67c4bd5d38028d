"""Tests of the package's import-time behaviour."""

import subprocess
import sys


def test_import_does_not_load_torch():
    """Check that `import sk_textrec` imports neither torch, transformers nor skorch."""
    code = (
        "import sys, sk_textrec, sk_textrec.utils, sk_textrec.utils.estimator_checks,"
        " sk_textrec.augmentation, sk_textrec.over_sampling, sk_textrec.under_sampling,"
        " sk_textrec.model_selection, sk_textrec.metrics, sk_textrec.rerank, sk_textrec.ensemble;"
        "print([m for m in ('torch', 'transformers', 'skorch') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
