"""Every private scikit-learn import of the package, in one place.

When scikit-learn moves one of these, this is the only file to change.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.metrics._scorer import _BaseScorer, _get_response_method_name, _Scorer
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import RealNotInt
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import (
    _check_method_params,
    _check_pos_label_consistency,
    _check_response_method,
    _estimator_has,
    _num_samples,
)


# The two testing helpers below are imported on first use: their modules import
# pytest and every scikit-learn estimator, which `import sk_textrec` must not pay.
def _get_check_estimator_ids(obj):
    from sklearn.utils._test_common.instance_generator import _get_check_estimator_ids

    return _get_check_estimator_ids(obj)


def set_random_state(estimator, random_state=0):
    from sklearn.utils._testing import set_random_state

    return set_random_state(estimator, random_state)


__all__ = [
    "_BaseComposition",
    "HasMethods",
    "RealNotInt",
    "_BaseScorer",
    "_Scorer",
    "_check_response_method",
    "_get_response_method_name",
    "_check_method_params",
    "_check_pos_label_consistency",
    "_estimator_has",
    "_num_samples",
    "_safe_indexing",
    "_routing_enabled",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_fit_context",
    "_get_check_estimator_ids",
    "set_random_state",
    "validate_params",
]
