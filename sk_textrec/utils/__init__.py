"""Utilities: input validation, the text-aware estimator checks and a tiny BERT for tests.

The compliance suite lives in :mod:`sk_textrec.utils.estimator_checks`.
"""

from ._testing import make_tiny_bert
from ._validation import check_label_values, check_sample_weight, check_text_input

__all__ = ["check_label_values", "check_sample_weight", "check_text_input", "make_tiny_bert"]
