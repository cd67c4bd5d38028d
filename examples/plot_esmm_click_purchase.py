"""
=====================================================================
Multi-task heads: the ESMM chain for clicks and purchases
=====================================================================

Purchases are rare and happen only after a click. Training a conversion model
on clicked impressions alone ignores most of the data and gives no purchase
probability for the impressions nobody clicked. The ESMM chain (Ma et al.,
SIGIR 2018) trains one encoder with two heads on *every* impression: one for
P(click), one for P(purchase | click), with the loss on P(click) and on
P(click and purchase) = their product.

:class:`~sk_textrec.BertClassifier` builds it with ``multi_output="esmm"`` and
a two-column ``y`` of (clicked, purchased). This example uses synthetic
impressions of a few product titles whose true probabilities are known, and a
tiny random BERT, so that it runs in seconds.
"""

# %%
# Impressions with a known truth
# ------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sk_textrec import BertClassifier
from sk_textrec.utils import make_tiny_bert

truth = {
    "great toy for kids": (0.8, 0.5),
    "nice toy": (0.5, 0.2),
    "cheap broken toy": (0.2, 0.05),
}
rng = np.random.default_rng(0)
titles, rows = [], []
for title, (p_click, p_purchase_given_click) in truth.items():
    clicked = rng.random(300) < p_click
    purchased = clicked & (rng.random(300) < p_purchase_given_click)
    titles += [title] * 300
    rows.append(np.column_stack([clicked, purchased]).astype(int))
Y = np.vstack(rows)
print(f"{len(titles)} impressions, {Y[:, 0].mean():.0%} clicked, {Y[:, 1].mean():.1%} purchased")

# %%
# One encoder, two heads, trained on every impression
# ---------------------------------------------------
# ``predict_proba`` follows scikit-learn's multi-output convention: one array
# per column, here P(click) and P(click and purchase), each as ``[P(0), P(1)]``.
clf = BertClassifier(
    make_tiny_bert(), multi_output="esmm", max_epochs=6, lr=3e-3, batch_size=32,
    random_state=0,
).fit(titles, Y)
p_click, p_click_and_purchase = clf.predict_proba(list(truth))

# %%
# The learned chain against the truth
# -----------------------------------
labels = list(truth)
x = np.arange(len(labels))
true_click = [click for click, _ in truth.values()]
true_both = [click * purchase for click, purchase in truth.values()]
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(x - 0.3, true_click, 0.2, label="true P(click)", color="#9ecae1")
ax.bar(x - 0.1, p_click[:, 1], 0.2, label="learned P(click)", color="#3182bd")
ax.bar(x + 0.1, true_both, 0.2, label="true P(click and purchase)", color="#fdae6b")
ax.bar(x + 0.3, p_click_and_purchase[:, 1], 0.2, label="learned P(click and purchase)",
       color="#e6550d")
ax.set_xticks(x, labels)
ax.set_ylabel("probability")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# Auxiliary targets
# -----------------
# When only one label is wanted but denser related labels exist (for a rare
# 1-2 star review: "not recommended", the department), pass them as
# ``auxiliary_targets``: they train extra heads on the same encoder, and the
# classifier stays a plain classifier of ``y`` that fits in
# ``ThresholdTunedClassifier`` and ``GridSearchCV`` (request them with
# ``set_fit_request(auxiliary_targets=True)`` when metadata routing is on).
purchased_only = BertClassifier(make_tiny_bert(), max_epochs=2, lr=3e-3, random_state=0)
purchased_only.fit(titles, Y[:, 1], auxiliary_targets=Y[:, 0])
print(purchased_only.classes_, purchased_only.predict_proba(labels).round(3))
