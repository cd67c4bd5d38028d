"""
===================================================
Fine-tuning a BERT classifier inside GridSearchCV
===================================================

:class:`~sk_textrec.BertClassifier` is a scikit-learn classifier that
fine-tunes a transformer encoder on raw text. It is cloned, fitted and scored
by :class:`~sklearn.model_selection.GridSearchCV` like any other estimator, so
its loss for rare classes and its training controls are tuned with the tools
you already use.

The example uses a tiny, randomly initialised BERT so that it runs in seconds
on a CPU; drop the ``make_tiny_bert()`` argument to fine-tune the packaged
all-MiniLM-L6-v2 instead.
"""

# %%
# Data: reviews where the interesting class is rare
# --------------------------------------------------
# :func:`~sk_textrec.datasets.make_product_reviews` generates seeded synthetic
# reviews; label 1 marks the rare negative reviews (here 15%).
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    train_test_split,
)

from sk_textrec import BertClassifier
from sk_textrec.datasets import make_product_reviews
from sk_textrec.metrics import imbalance_report
from sk_textrec.utils import make_tiny_bert

texts, y = make_product_reviews(
    n_samples=500, positive_rate=0.15, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    texts, y, test_size=0.3, stratify=y, random_state=0
)
print(X_train[0])
print(f"{len(X_train)} training reviews, {y_train.mean():.0%} negative")

# %%
# A search over the loss and the learning rate
# --------------------------------------------
# ``class_weight="balanced"`` and the focal loss are two answers to class
# imbalance; the grid compares them, each at two learning rates, by the
# average precision of the rare class on 3 folds. A fixed ``random_state``
# makes every fit reproducible.
tiny_bert = make_tiny_bert()  # a folder: a tiny random BERT and its tokenizer
clf = BertClassifier(
    tiny_bert,
    class_weight="balanced",
    max_epochs=3,
    batch_size=16,
    max_length=64,
    random_state=0,
)
param_grid = {"loss": ["cross_entropy", "focal"], "lr": [1e-3, 3e-3]}
search = GridSearchCV(
    clf,
    param_grid,
    scoring="average_precision",
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
)
search.fit(X_train, y_train)

results = pd.DataFrame(search.cv_results_)[
    ["param_loss", "param_lr", "mean_test_score", "std_test_score"]
]
print(results.round(3).to_string(index=False))
print("best:", search.best_params_)

# %%
# The refitted best model
# -----------------------
# ``best_estimator_`` was refitted on all the training reviews. Its skorch
# net is ``net_``; its history holds the training loss of every epoch.
best = search.best_estimator_
y_score = best.predict_proba(X_test)[:, 1]
print(imbalance_report(y_test, best.predict(X_test), y_score=y_score))

fig, (ax_scores, ax_loss) = plt.subplots(1, 2, figsize=(10, 3.8))
labels = [
    f"{loss}\nlr={lr:g}"
    for loss, lr in zip(results["param_loss"], results["param_lr"])
]
ax_scores.bar(
    labels,
    results["mean_test_score"],
    yerr=results["std_test_score"],
    color="tab:blue",
)
ax_scores.axhline(
    y_train.mean(),
    color="grey",
    linestyle="--",
    label="chance (positive rate)",
)
ax_scores.set(ylabel="average precision (3-fold CV)", title="Grid search")
ax_scores.legend(loc="lower right")
ax_loss.plot(
    np.arange(1, best.max_epochs + 1),
    best.net_.history[:, "train_loss"],
    marker="o",
)
ax_loss.set(
    xlabel="epoch", ylabel="training loss", title=f"Best model ({best.loss})"
)
fig.tight_layout()
plt.show()
