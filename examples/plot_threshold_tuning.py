"""
===============================================
Tuning the decision threshold for a rare class
===============================================

A classifier's ``predict`` cuts its probabilities at 0.5, which is rarely the
right cut when the class that matters is rare.
:class:`~sk_textrec.ThresholdTunedClassifier` wraps any classifier (here a
TF-IDF pipeline; a :class:`~sk_textrec.BertClassifier` works the same) and
chooses the threshold that maximises an objective on scores of data the model
was not trained on. :class:`~sk_textrec.ThresholdCurveDisplay` plots the
objective, precision and recall against the threshold.
"""

# %%
# Data and a plain classifier
# ---------------------------
import matplotlib.pyplot as plt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_textrec import ThresholdCurveDisplay, ThresholdTunedClassifier
from sk_textrec.datasets import make_product_reviews

texts, y = make_product_reviews(
    n_samples=3000, positive_rate=0.05, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    texts, y, test_size=0.5, stratify=y, random_state=0
)

pipe = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), min_df=2),
    LogisticRegression(max_iter=1000),
)
pipe.fit(X_train, y_train)


def summary(name, y_pred):
    print(
        f"{name:<32} F1 {f1_score(y_test, y_pred):.3f}   precision "
        f"{precision_score(y_test, y_pred):.3f}   "
        f"recall {recall_score(y_test, y_pred):.3f}"
    )


summary("threshold 0.5", pipe.predict(X_test))

# %%
# The threshold of the best F1
# ----------------------------
# The threshold is chosen on out-of-fold scores (5-fold cross-validation on the
# training data), then the model is refitted on all of it. Built-in objectives
# are computed exactly at every distinct score. ``store_cv_results=True`` keeps
# the curve that was searched.
model = ThresholdTunedClassifier(pipe, objective="f1", store_cv_results=True)
model.fit(X_train, y_train)
print(
    f"best threshold {model.best_threshold_:.3f}, "
    f"out-of-fold F1 {model.best_score_:.3f}"
)
summary("tuned for F1", model.predict(X_test))

# %%
# The curve searched on the training folds and the same curve on the test
# reviews: the chosen threshold (the dot) sits near the test optimum.
fig, (ax_cv, ax_test) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
ThresholdCurveDisplay.from_cv_results(
    model, ax=ax_cv, name="out-of-fold (used to choose)"
)
ThresholdCurveDisplay.from_estimator(
    model, X_test, y_test, ax=ax_test, name="test reviews"
)
plt.tight_layout()
plt.show()

# %%
# A constraint instead of a trade-off
# -----------------------------------
# Often the requirement is a floor: "flag as many negative reviews as possible,
# but at least 90% of the flagged ones must be negative". The search then
# maximises recall among the thresholds whose precision meets the bound (and
# raises an error naming the best reachable precision when none does).
strict = ThresholdTunedClassifier(
    pipe, objective="recall", constraint={"precision": 0.9}
)
strict.fit(X_train, y_train)
print(f"threshold {strict.best_threshold_:.3f}")
summary("max recall, precision >= 0.9", strict.predict(X_test))

# %%
# With a BERT model, each cross-validation fold is a fine-tune; use
# ``cv=0.2, refit=False`` to tune on one held-out fifth and keep that model:
# a single fine-tune in all.
