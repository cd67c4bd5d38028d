"""Compliance checks for estimators that take raw text.

scikit-learn's :func:`sklearn.utils.estimator_checks.parametrize_with_checks`
yields no check at all for an estimator whose tags say
``input_tags.two_d_array=False``, which is every text estimator. This module
runs the scikit-learn checks that need no data, and text versions of the checks
that do, on a small review-like data set built here.

The checks live in private modules by subject (``_checks_fitted``: API contract
and outputs; ``_checks_input``: accepted and refused input; ``_checks_pairs``:
text pairs; ``_checks_samplers``: ``fit_resample``) and are public here.
Every check is a public function ``check_*(name, estimator)``: ``name`` is used
in messages and ``estimator`` is cloned before it is fitted. A check returns
nothing and raises (mostly ``AssertionError``) when the estimator breaks the
contract. Which checks run follows the estimator's type and tags: all of them
get the API and input checks; classifiers, transformers (``transform``) and
samplers (``fit_resample``, imbalanced-learn style) get their own.

Outputs compared after refitting, pickling or re-batching must agree to within
1e-5; check models in fp32 (``precision="fp32"`` on GPUs with bf16).
"""

import re
import warnings
from functools import partial
from unittest import SkipTest

from sklearn.base import is_classifier
from sklearn.exceptions import EstimatorCheckFailedWarning
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
)
from sklearn.utils.validation import has_fit_parameter

from ._check_data import _is_sampler, _output_methods
from ._checks_fitted import (
    check_text_batch_invariance,
    check_text_classifier_classes,
    check_text_classifier_multiclass,
    check_text_fit_does_not_change_params,
    check_text_fit_idempotent,
    check_text_fit_returns_self,
    check_text_outputs,
    check_text_pickle,
    check_text_sample_order_invariance,
    check_text_unfitted_raises,
)
from ._checks_input import (
    check_text_classifier_one_label,
    check_text_classifier_one_sample,
    check_text_empty_input_raises,
    check_text_input_containers,
    check_text_input_not_modified,
    check_text_length_mismatch_raises,
    check_text_lone_surrogate_raises,
    check_text_missing_label_raises,
    check_text_missing_raises,
    check_text_negative_sample_weight_raises,
    check_text_non_string_raises,
    check_text_two_columns_raises,
    check_text_unusual_text,
)
from ._checks_pairs import (
    check_text_pairs_batch_invariance,
    check_text_pairs_empty_fields,
    check_text_pairs_form_mismatch_raises,
    check_text_pairs_order_matters,
    check_text_pairs_pickle,
    check_text_pairs_three_columns_raises,
)
from ._checks_samplers import (
    check_text_sampler_fit_resample,
    check_text_sampler_sample_indices,
    check_text_sampler_strategy_counts,
)
from ._sklearn_compat import _get_check_estimator_ids
from ._tags import accepts_text_pairs

__all__ = [
    "check_estimator",
    "parametrize_with_checks",
    "check_text_batch_invariance",
    "check_text_classifier_classes",
    "check_text_classifier_multiclass",
    "check_text_classifier_one_label",
    "check_text_classifier_one_sample",
    "check_text_empty_input_raises",
    "check_text_fit_does_not_change_params",
    "check_text_fit_idempotent",
    "check_text_fit_returns_self",
    "check_text_input_containers",
    "check_text_input_not_modified",
    "check_text_length_mismatch_raises",
    "check_text_missing_raises",
    "check_text_non_string_raises",
    "check_text_outputs",
    "check_text_pairs_batch_invariance",
    "check_text_pairs_empty_fields",
    "check_text_pairs_form_mismatch_raises",
    "check_text_pairs_order_matters",
    "check_text_pairs_pickle",
    "check_text_pairs_three_columns_raises",
    "check_text_pickle",
    "check_text_sample_order_invariance",
    "check_text_sampler_fit_resample",
    "check_text_sampler_sample_indices",
    "check_text_sampler_strategy_counts",
    "check_text_two_columns_raises",
    "check_text_unfitted_raises",
    "check_text_unusual_text",
    "check_text_lone_surrogate_raises",
    "check_text_missing_label_raises",
    "check_text_negative_sample_weight_raises",
]


_SKLEARN_API_CHECKS = (
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_do_not_raise_errors_in_init_or_set_params,
    check_mixin_order,
    check_get_params_invariance,
    check_set_params,
    check_parameters_default_constructible,
)


_CHECK_NAMES = {"check_estimator_cloneable"} | {check.__name__ for check in _SKLEARN_API_CHECKS}


_CHECK_NAMES |= {name for name in __all__ if name.startswith("check_text_")}


def _yield_checks(estimator):
    """The checks that apply to ``estimator``, chosen by its type and tags."""
    tags = get_tags(estimator)
    classifier, sampler = is_classifier(estimator), _is_sampler(estimator)
    deterministic = not tags.non_deterministic
    yield check_estimator_cloneable  # first: every other check clones
    yield from _SKLEARN_API_CHECKS
    yield from (
        check_text_fit_returns_self,
        check_text_fit_does_not_change_params,
        check_text_input_not_modified,
        check_text_unusual_text,
        check_text_missing_raises,
        check_text_non_string_raises,
        check_text_empty_input_raises,
        check_text_lone_surrogate_raises,
    )
    if accepts_text_pairs(estimator):
        yield check_text_pairs_three_columns_raises
        if _output_methods(estimator):
            yield from (
                check_text_pairs_form_mismatch_raises,
                check_text_pairs_pickle,
                check_text_pairs_empty_fields,
            )
            if deterministic:
                yield from (check_text_pairs_order_matters, check_text_pairs_batch_invariance)
    else:
        yield check_text_two_columns_raises
    if classifier or sampler or tags.target_tags.required:
        yield check_text_length_mismatch_raises
        yield check_text_missing_label_raises
    if has_fit_parameter(estimator, "sample_weight"):
        yield check_text_negative_sample_weight_raises
    if deterministic:
        yield check_text_fit_idempotent
    if _output_methods(estimator):
        if tags.requires_fit:
            yield check_text_unfitted_raises
        yield from (check_text_outputs, check_text_input_containers, check_text_pickle)
        if deterministic:
            yield from (check_text_sample_order_invariance, check_text_batch_invariance)
    if classifier:
        yield from (
            check_text_classifier_classes,
            check_text_classifier_one_sample,
            check_text_classifier_one_label,
        )
        if tags.classifier_tags is None or tags.classifier_tags.multi_class:
            yield check_text_classifier_multiclass
    if sampler:  # imbalanced-learn style: fit_resample(X, y) -> X_res, y_res
        yield check_text_sampler_fit_resample
        yield check_text_sampler_strategy_counts
        yield check_text_sampler_sample_indices


def _checks(estimator):
    name = type(estimator).__name__
    return [partial(check, name) for check in _yield_checks(estimator)]


def _expected_failures(estimator, expected_failed_checks):
    if callable(expected_failed_checks):
        expected_failed_checks = expected_failed_checks(estimator)
    expected_failed_checks = dict(expected_failed_checks or {})
    unknown = sorted(set(expected_failed_checks) - _CHECK_NAMES)
    if unknown:
        raise ValueError(
            f"expected_failed_checks names unknown checks {unknown}; the checks are the "
            f"check_* functions of {__name__}."
        )
    return expected_failed_checks


def _check_id(obj):
    """sklearn's test id, with absolute paths (temporary model folders) elided."""
    test_id = _get_check_estimator_ids(obj)
    if test_id is None or not hasattr(obj, "get_params"):
        return test_id
    # Temporary paths differ between runs and pytest-xdist workers; ids must not.
    return re.sub(r"""(['"])(?:/|[A-Za-z]:[\\/]).*?\1""", "...", test_id)


def check_estimator(estimator, *, expected_failed_checks=None, on_fail="raise"):
    """Run every text-aware check that applies to an estimator.

    Parameters
    ----------
    estimator : estimator instance
        The text estimator or pipeline to check; it is cloned by each check.
    expected_failed_checks : dict or callable, default=None
        ``{check_name: reason}`` of checks expected to fail, or a callable that
        returns such a dict for ``estimator``. Their failures are reported with
        status ``"xfail"`` and never raised.
    on_fail : {"raise", "warn"} or None, default="raise"
        On an unexpected failure: raise its exception at once, issue an
        :class:`~sklearn.exceptions.EstimatorCheckFailedWarning` and go on, or
        only record it.

    Returns
    -------
    results : list of dict
        One dict per check, with keys ``estimator``, ``check_name``,
        ``exception``, ``status`` (``"passed"``, ``"failed"``, ``"xfail"`` or
        ``"skipped"``), ``expected_to_fail`` and ``expected_to_fail_reason``.

    See Also
    --------
    parametrize_with_checks : The same checks as pytest test cases.

    Examples
    --------
    TfidfVectorizer reads texts with ``str`` methods, so bad items raise
    AttributeError rather than ValueError or TypeError, it accepts lone
    surrogates and it reads a DataFrame as its column names; LogisticRegression
    fails to sort a None label (TypeError). A plain TF-IDF pipeline fails those
    checks:

    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec.utils.estimator_checks import check_estimator
    >>> pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    >>> results = check_estimator(pipe, on_fail=None)
    >>> failed = [result["check_name"] for result in results if result["status"] == "failed"]
    >>> for check_name in failed:
    ...     print(check_name)
    check_text_missing_raises
    check_text_non_string_raises
    check_text_lone_surrogate_raises
    check_text_two_columns_raises
    check_text_missing_label_raises
    check_text_input_containers

    Declared as expected failures, they are reported as ``"xfail"``:

    >>> expected = dict.fromkeys(failed, "TfidfVectorizer does not validate its texts")
    >>> results = check_estimator(pipe, expected_failed_checks=expected)
    >>> sorted({result["status"] for result in results})
    ['passed', 'xfail']
    """
    if isinstance(estimator, type):
        raise TypeError(f"Pass an estimator instance, not the class {estimator.__name__}.")
    if on_fail not in ("raise", "warn", None):
        raise ValueError(f"on_fail must be 'raise', 'warn' or None; got {on_fail!r}.")
    expected = _expected_failures(estimator, expected_failed_checks)
    results = []
    for check in _checks(estimator):
        check_name = check.func.__name__
        reason = expected.get(check_name)
        exception = None
        try:
            check(estimator)
            status = "passed"
        except SkipTest as exc:
            exception, status = exc, "skipped"
        except Exception as exc:
            if on_fail == "raise" and reason is None:
                raise
            exception, status = exc, ("failed" if reason is None else "xfail")
        result = {
            "estimator": estimator,
            "check_name": check_name,
            "exception": exception,
            "status": status,
            "expected_to_fail": reason is not None,
            "expected_to_fail_reason": reason or "Check is not expected to fail",
        }
        if on_fail == "warn" and status == "failed":
            warnings.warn(EstimatorCheckFailedWarning(**result))
        results.append(result)
    return results


def parametrize_with_checks(estimators, *, expected_failed_checks=None):
    """Pytest decorator that makes one test case per estimator and text check.

    Each case gets ``estimator`` and ``check`` (a ``functools.partial`` of a
    check function and the estimator's class name) and must call
    ``check(estimator)``. Ids read ``<estimator repr>-<check name>``, with
    absolute paths shown as ``...``, so ``pytest -k check_text_pickle`` works.

    Parameters
    ----------
    estimators : list of estimator instances
        Estimators or pipelines to check.
    expected_failed_checks : dict or callable, default=None
        ``{check_name: reason}`` for every estimator, or a callable that
        returns such a dict for a given estimator; those cases are marked
        ``xfail``.

    Returns
    -------
    decorator : pytest.mark.parametrize
        Parametrizes ``"estimator, check"``.

    See Also
    --------
    check_estimator : Run the same checks without pytest.

    Examples
    --------
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec.utils.estimator_checks import parametrize_with_checks
    >>> @parametrize_with_checks(
    ...     [make_pipeline(TfidfVectorizer(), LogisticRegression())],
    ...     expected_failed_checks={"check_text_missing_raises": "AttributeError on None"},
    ... )
    ... def test_text_estimator(estimator, check):
    ...     check(estimator)
    """
    import pytest

    if any(isinstance(estimator, type) for estimator in estimators):
        raise TypeError("Pass estimator instances, not classes.")
    cases = []
    for estimator in estimators:
        expected = _expected_failures(estimator, expected_failed_checks)
        for check in _checks(estimator):
            reason = expected.get(check.func.__name__)
            marks = [pytest.mark.xfail(reason=reason)] if reason is not None else []
            cases.append(pytest.param(estimator, check, marks=marks))
    return pytest.mark.parametrize("estimator, check", cases, ids=_check_id)
