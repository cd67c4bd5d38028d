"""
==========================================
Per-group thresholds and equal opportunity
==========================================

A model's scores are rarely calibrated alike for every group of users or
items. Here reviews come from two channels: the website and a mobile app,
whose reviews are full of typos. A single threshold then finds fewer of
the app's negative reviews. :class:`~sk_textrec.ThresholdTunedClassifier`
tunes one threshold per group when ``fit`` gets ``groups``, and with
``equal_opportunity=True`` it tunes them together so that the groups'
true-positive rates (recall) stay within ``groups_tolerance`` of each other
(equality of opportunity, Hardt et al. 2016).
"""

# %%
# Reviews from two channels
# -------------------------
# A third of the reviews are typed in the app:
# :class:`~sk_textrec.augmentation.CharacterNoise` gives them typos, which
# break the word features the model relies on.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_textrec import ThresholdTunedClassifier
from sk_textrec.augmentation import CharacterNoise
from sk_textrec.datasets import make_product_reviews
from sk_textrec.metrics import (
    equal_opportunity_difference,
    group_classification_report,
)

texts, y = make_product_reviews(
    n_samples=4000, positive_rate=0.1, random_state=0
)
channel = np.where(
    np.random.default_rng(0).random(len(texts)) < 1 / 3, "app", "web"
)
app = channel == "app"
texts[app] = CharacterNoise(p=0.15).augment(list(texts[app]), random_state=0)
print(texts[app][0])

X_train, X_test, y_train, y_test, g_train, g_test = train_test_split(
    texts,
    y,
    channel,
    test_size=0.5,
    stratify=np.char.add(channel, y.astype(str)),
    random_state=0,
)

# %%
# Three decision rules
# --------------------
# One threshold for everyone, one per channel, and one per channel under the
# equal-opportunity constraint; all maximise F1 on out-of-fold scores.
pipe = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), min_df=2),
    LogisticRegression(max_iter=1000),
)
one = ThresholdTunedClassifier(pipe).fit(X_train, y_train)
per_group = ThresholdTunedClassifier(pipe).fit(
    X_train, y_train, groups=g_train
)
equal = ThresholdTunedClassifier(pipe, equal_opportunity=True)
equal.fit(X_train, y_train, groups=g_train)

print(f"one threshold: {one.best_threshold_:.3f}")
for name, model in [("per channel", per_group), ("equal opportunity", equal)]:
    thresholds = model.group_thresholds_
    print(f"{name}: app {thresholds['app']:.3f}, web {thresholds['web']:.3f}")

# %%
# Recall and precision per channel on the test reviews
# ----------------------------------------------------
# ``predict`` takes the groups of the rows to apply their thresholds.
# :func:`~sk_textrec.metrics.group_classification_report` gives the rates of
# every group and the largest gaps between them.
rules = {
    "one threshold": one,
    "per channel": per_group,
    "per channel, equal opportunity": equal,
}
rows = {}
for name, model in rules.items():
    y_pred = model.predict(X_test, groups=g_test)
    gap = equal_opportunity_difference(y_test, y_pred, groups=g_test)
    print(f"{name}: recall gap between the channels {gap:.3f}")
    report = group_classification_report(
        y_test, y_pred, groups=g_test, output_dict=True
    )
    for group in ("app", "web"):
        rows[name, group] = report["groups"][group]
rates = pd.DataFrame(rows).T

y_pred = equal.predict(X_test, groups=g_test)
print(group_classification_report(y_test, y_pred, groups=g_test))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, rate in zip(axes, ["tpr", "precision"]):
    rates[rate].unstack().plot.barh(ax=ax, width=0.8, xlim=(0, 1))
    ax.set(xlabel=rate if rate != "tpr" else "recall (true-positive rate)")
    ax.invert_yaxis()
fig.suptitle("Negative reviews found, per channel")
plt.tight_layout()
plt.show()

# %%
# One threshold finds fewer of the app's negative reviews than of the web's.
# Per-channel thresholds narrow the gap. The equal-opportunity rule narrows it
# most, by lowering the app's threshold (more of its negative reviews found,
# at a cost in precision) and raising the web's (fewer found there): equal
# recall is not free. Which rule is right is a product decision; the report
# puts the trade-off in numbers.
