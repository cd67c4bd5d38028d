"""
=================================================================
Text pairs, a BERT + TF-IDF blend and the measured presets
=================================================================

Reviews have titles, searches have a query and a product title: two texts per
row. The BERT estimators and :class:`~sk_textrec.feature_extraction.TfidfTextVectorizer`
read a two-column input as text pairs. A fine-tuned BERT and a TF-IDF model
make different mistakes, so a blend often beats both; its weights must be
learned on rows neither model trained on, which
:class:`~sk_textrec.ensemble.HoldoutStackingClassifier` does with one
held-out part instead of k extra fine-tunes.
:func:`~sk_textrec.make_rare_class_classifier` ships the winners of our
benchmark (``docs/quality.md``) as ready, unfitted estimators.

A tiny random BERT keeps the example fast: its scores say nothing about the
real MiniLM (see the benchmark for those).
"""

# %%
# (title, text) pairs
# -------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import PrecisionRecallDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_textrec import BertClassifier, make_rare_class_classifier
from sk_textrec.datasets import make_product_reviews
from sk_textrec.ensemble import HoldoutStackingClassifier
from sk_textrec.feature_extraction import TfidfTextVectorizer
from sk_textrec.utils import make_tiny_bert

texts, y = make_product_reviews(n_samples=600, positive_rate=0.15, random_state=0)
titles = np.where(y == 1, "Not for me", "Review")
titles[::3] = ""  # many reviews have no title: an empty text is valid
pairs = np.column_stack([titles, texts]).astype(object)
X_train, X_test, y_train, y_test = train_test_split(
    pairs, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# A BERT, a TF-IDF model and their blend, all on pairs
# ----------------------------------------------------
bert = BertClassifier(make_tiny_bert(), max_epochs=3, lr=2e-3, class_weight="balanced",
                      random_state=0)
tfidf = make_pipeline(TfidfTextVectorizer(), LogisticRegression(class_weight="balanced",
                                                                 max_iter=1000))
blend = HoldoutStackingClassifier(
    [("bert", bert), ("tfidf", tfidf)], stack_method="decision_function",
    holdout_size=0.2, random_state=0,
)
fig, ax = plt.subplots(figsize=(5, 4))
for name, model in (("BERT", bert), ("TF-IDF", tfidf), ("blend", blend)):
    model.fit(X_train, y_train)
    PrecisionRecallDisplay.from_estimator(model, X_test, y_test, name=name, ax=ax)
print("blend weights (log-odds of BERT, TF-IDF):", blend.final_estimator_.coef_.round(2))

# %%
# A preset: one call, one fit, a tuned threshold
# ----------------------------------------------
# The presets are unfitted ``ThresholdTunedClassifier`` objects whose threshold
# is tuned for F1 on a held-out fifth of the training rows. Here the fast preset
# gets the tiny BERT and a few more epochs than its real-MiniLM setting.
preset = make_rare_class_classifier("fast", model_name_or_path=make_tiny_bert())
preset.set_params(estimator__max_epochs=3, estimator__lr=2e-3)
preset.fit(X_train, y_train)
print(f"tuned threshold {preset.best_threshold_:.3f}; "
      f"rare-class recall {np.mean(preset.predict(X_test)[y_test == 1] == 1):.2f}")
