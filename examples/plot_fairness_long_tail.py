"""
=================================================================
Evaluating beyond accuracy: imbalance, fairness and the long tail
=================================================================

One accuracy number hides what matters for a model on rare outcomes in a
shop: how it does on the rare class, whether it serves every department
alike, and whether it still works for the long tail of rarely reviewed
products and for brand-new ones. This example scores one model three ways
with :mod:`sk_textrec.metrics` and the protocols of
:mod:`sk_textrec.model_selection`.
"""

# %%
# Reviews of products with a long-tailed popularity
# -------------------------------------------------
# The synthetic reviews name their product; each is sold by one of many
# sellers whose popularity follows a power law, and an item is a
# (product, seller) pair. A few items get many reviews, most get one or two.
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sk_textrec import ThresholdTunedClassifier
from sk_textrec.datasets import make_product_reviews
from sk_textrec.metrics import group_classification_report, imbalance_report
from sk_textrec.model_selection import cold_start_split, popularity_buckets

df = make_product_reviews(
    n_samples=5000, positive_rate=0.1, random_state=0, as_frame=True
)
departments = {
    "clothing": "dress|jeans|sweater|blouse|jacket|skirt|t-shirt|coat|"
    "swimsuit|boots",
    "toys": "toy car|puzzle|board game|teddy bear|building set|doll",
    "home": "desk lamp|water bottle|backpack|coffee mug|throw pillow",
}
department_of = {
    product: department
    for department, products in departments.items()
    for product in products.split("|")
}
# The longest name first, so that "toy car" wins over "car".
names = sorted(department_of, key=len, reverse=True)
pattern = re.compile("|".join(map(re.escape, names)))
df["product"] = [next(iter(pattern.findall(t.lower())), None) for t in df.text]
df = df.dropna(subset=["product"]).reset_index(drop=True)  # hidden by typos
df["department"] = df["product"].map(department_of)
seller = np.random.default_rng(0).zipf(1.1, size=len(df)) % 30
df["item"] = df["product"] + " #" + seller.astype(str)

counts = df["item"].value_counts()
print(
    f"{len(counts)} items, reviews per item: median {counts.median():.0f}, "
    f"max {counts.max()}"
)
df[["text", "department", "item", "label"]].head()

# %%
# A split that holds whole products out
# -------------------------------------
# :func:`~sk_textrec.model_selection.cold_start_split` puts every review of 20%
# of the items in the test part (cold items, never seen in training) and a
# share of the other items' reviews (warm items).
train, test = cold_start_split(
    df, items=df["item"], cold_size=0.2, test_size=0.25, random_state=0
)
print(f"{len(train)} training reviews, {len(test)} test reviews")

pipe = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), min_df=2),
    LogisticRegression(max_iter=1000),
)
model = ThresholdTunedClassifier(pipe, objective="f1").fit(
    train["text"], train["label"]
)
y_pred = model.predict(test["text"])
y_score = model.predict_proba(test["text"])[:, 1]

# %%
# The rare class
# --------------
# :func:`~sk_textrec.metrics.imbalance_report` extends scikit-learn's
# classification report with specificity, PR-AUC, ROC-AUC, balanced accuracy,
# G-mean and the expected calibration error.
print(imbalance_report(test["label"], y_pred, y_score=y_score))

# %%
# Departments
# -----------
# :func:`~sk_textrec.metrics.group_classification_report` gives each group's
# rates and the largest gaps between groups (``difference`` = max - min,
# ``ratio`` = min / max): a true-positive-rate gap is an equal-opportunity gap,
# a selection-rate gap a demographic-parity gap.
print(
    group_classification_report(
        test["label"], y_pred, groups=test["department"], y_score=y_score
    )
)

# %%
# Head, torso, tail and cold items
# --------------------------------
# :func:`~sk_textrec.model_selection.popularity_buckets` labels each test
# review's item by its number of training reviews: the most reviewed 20% of
# the items are the head, the least reviewed half the tail, items without a
# training review are cold. The same report, by bucket, shows whether the
# model holds up for products it knows little or nothing about.
buckets = popularity_buckets(test["item"], reference=train["item"])
report = group_classification_report(
    test["label"], y_pred, groups=buckets, y_score=y_score, output_dict=True
)
by_bucket = pd.DataFrame(report["groups"]).T
by_bucket = by_bucket.loc[["head", "torso", "tail", "cold"]].round(3)
by_bucket = by_bucket.astype({"support": int, "positives": int})
print(by_bucket[["support", "positives", "tpr", "precision", "f1-score"]])

by_department = pd.DataFrame(
    group_classification_report(
        test["label"], y_pred, groups=test["department"], output_dict=True
    )["groups"]
).T
fig, (ax_dep, ax_pop) = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
by_department[["tpr", "precision", "f1-score"]].plot.bar(
    ax=ax_dep, rot=0, legend=False
)
ax_dep.set(title="by department", ylim=(0, 1))
by_bucket[["tpr", "precision", "f1-score"]].plot.bar(ax=ax_pop, rot=0)
ax_pop.set(title="by item popularity in training")
ax_pop.legend(["recall (TPR)", "precision", "F1"], loc="lower right")
plt.tight_layout()
plt.show()

# %%
# A text model reads the review, not the product's history, so cold items are
# scored as well as the others here. A model built on item history (ratings
# so far, collaborative filtering) would fail on the cold bucket; the
# evaluation page of the user guide runs this comparison on real clothing
# reviews.
