"""
=====================================================
Checking your own text estimators for compliance
=====================================================

scikit-learn's :func:`~sklearn.utils.estimator_checks.check_estimator` and
``parametrize_with_checks`` run no data checks at all on an estimator whose
tags say it takes 1-D text. :mod:`sk_textrec.utils.estimator_checks` runs
scikit-learn's checks that need no data plus text versions of those that do
(fitting, outputs, pickling, sample order, empty and unusual texts, bad
input...), on sk_textrec's estimators and on your own pipelines, directly or
as pytest test cases.
"""

# %%
# Running the checks on a pipeline
# --------------------------------
# :func:`~sk_textrec.utils.estimator_checks.check_estimator` raises at the
# first failure by default; with ``on_fail=None`` it records every result.
# A plain TF-IDF pipeline fails four checks: ``TfidfVectorizer`` does not
# validate its texts (``None`` or a number fails with an ``AttributeError``
# deep inside, not a clear ``ValueError``), and it reads a DataFrame as its
# column names.
import os
import tempfile
import textwrap

import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from sk_textrec import BertClassifier, RandomTextOverSampler, make_pipeline
from sk_textrec.utils import make_tiny_bert
from sk_textrec.utils.estimator_checks import check_estimator

tfidf = make_pipeline(TfidfVectorizer(), LogisticRegression())
results = pd.DataFrame(check_estimator(tfidf, on_fail=None))
print(results["status"].value_counts().to_string())
results.loc[results["status"] == "failed", ["check_name", "exception"]]

# %%
# Failures you accept are declared, with a reason, and reported as ``xfail``:
expected = {
    name: "TfidfVectorizer does not validate its texts"
    for name in results.loc[results["status"] == "failed", "check_name"]
}
results = pd.DataFrame(check_estimator(tfidf, expected_failed_checks=expected))
print(results["status"].value_counts().to_string())

# %%
# sk_textrec's own estimators pass every check that applies to them; here a
# pipeline of a sampler and a :class:`~sk_textrec.BertClassifier` on a tiny
# random BERT (the checks fit it a few dozen times).
bert = make_pipeline(
    RandomTextOverSampler(random_state=0),
    BertClassifier(make_tiny_bert(), max_epochs=1, random_state=0),
)
results = pd.DataFrame(check_estimator(bert))
print(results["status"].value_counts().to_string())
print(textwrap.fill(", ".join(results["check_name"]), width=79))

# %%
# In your test suite
# ------------------
# :func:`~sk_textrec.utils.estimator_checks.parametrize_with_checks` makes one
# pytest case per estimator and check, so a failure names both and
# ``pytest -k check_text_pickle`` reruns one check. Here is a whole test
# module, written to a file and run by pytest:
test_module = textwrap.dedent("""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from sk_textrec import RandomTextOverSampler, make_pipeline
    from sk_textrec.utils.estimator_checks import parametrize_with_checks

    TFIDF_FAILURES = dict.fromkeys(
        ["check_text_missing_raises", "check_text_non_string_raises",
         "check_text_lone_surrogate_raises", "check_text_two_columns_raises",
         "check_text_missing_label_raises", "check_text_input_containers"],
        "TfidfVectorizer and LogisticRegression do not validate texts and labels",
    )


    def expected_failures(estimator):
        steps = getattr(estimator, "named_steps", {})
        return TFIDF_FAILURES if "tfidfvectorizer" in steps else {}


    @parametrize_with_checks(
        [
            RandomTextOverSampler(random_state=0),
            make_pipeline(TfidfVectorizer(), LogisticRegression()),
        ],
        expected_failed_checks=expected_failures,
    )
    def test_text_estimators(estimator, check):
        check(estimator)
""")

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "test_my_text_estimators.py")
    with open(path, "w") as file:
        file.write(test_module)
    exit_code = pytest.main(
        [path, "-q", "-p", "no:cacheprovider", "-p", "no:warnings"]
    )
print("pytest exit code:", int(exit_code))
assert exit_code == 0, "the compliance checks failed"
