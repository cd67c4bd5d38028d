"""
=================================================
Augmenting rare reviews to over-sample a class
=================================================

An augmenter rewrites texts: ``augment(texts, random_state)`` returns one new
text per input, the same ones for the same seed. Used by
:class:`~sk_textrec.AugmentationOverSampler`, augmenters create the new rows of
the rare class, instead of the exact copies that
:class:`~sk_textrec.RandomTextOverSampler` adds. Augmenters are small
scikit-learn style objects, so a grid search can tune them through the
pipeline (``augmentationoversampler__augmenter__...``).
"""

# %%
# What each augmenter does
# ------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_textrec import (
    AugmentationOverSampler,
    RandomTextOverSampler,
    make_pipeline,
)
from sk_textrec.augmentation import (
    AugmentationSequence,
    CharacterNoise,
    DictSynonyms,
    EmbeddingNeighbourSynonyms,
    OneOf,
    RandomDeletion,
    RandomInsertion,
    RandomSwap,
    SynonymReplacement,
)
from sk_textrec.datasets import make_product_reviews

review = "The fabric is thin and scratchy. It runs too small, sending it back."
thesaurus = DictSynonyms(
    {
        "thin": ["flimsy", "sheer"],
        "scratchy": ["itchy", "rough"],
        "small": ["tight", "snug"],
        "sending": ["shipping", "returning"],
    }
)
augmenters = {
    "SynonymReplacement": SynonymReplacement(p=0.3, synonyms=thesaurus),
    "RandomInsertion": RandomInsertion(p=0.2, synonyms=thesaurus),
    "RandomSwap": RandomSwap(p=0.2),
    "RandomDeletion": RandomDeletion(p=0.2),
    "CharacterNoise": CharacterNoise(p=0.05),
}
for name, augmenter in augmenters.items():
    print(f"{name:>19}: {augmenter.augment([review], random_state=0)[0]}")

# %%
# Without a thesaurus,
# :class:`~sk_textrec.augmentation.EmbeddingNeighbourSynonyms` proposes the
# nearest words of an encoder's vocabulary (here the packaged
# all-MiniLM-L6-v2, offline). They are related words, not always synonyms:
# antonyms such as "expensive" for "cheap" come along, so check them on your
# domain before relying on them.
neighbours = EmbeddingNeighbourSynonyms(n_neighbors=4)
for word in ["cheap", "small", "gown"]:
    print(f"{word}: {neighbours.synonyms_of(word)}")

# %%
# Augmenters compose: :class:`~sk_textrec.augmentation.AugmentationSequence`
# applies all in order, :class:`~sk_textrec.augmentation.OneOf` one per text.
eda = OneOf(
    [
        ("synonyms", SynonymReplacement(p=0.2, synonyms=thesaurus)),
        ("swap", RandomSwap(p=0.1)),
        ("delete", RandomDeletion(p=0.1)),
    ]
)
augmenter = AugmentationSequence(
    [("eda", eda), ("typos", CharacterNoise(p=0.02))]
)
for text in augmenter.augment([review] * 3, random_state=0):
    print(text)

# %%
# Over-sampling the rare class with augmented reviews
# ---------------------------------------------------
# The sampler is a step of the pipeline and the augmenter one of its
# parameters, so one grid search compares exact copies with augmented copies
# at two levels of character noise, on the same 5 folds. A new row that comes
# back unchanged is augmented again, up to ``max_retries`` times (raised here
# for the shortest reviews, which light augmentation may leave unchanged),
# then kept as a plain copy, with a warning that counts them.
texts, y = make_product_reviews(
    n_samples=1500, positive_rate=0.05, random_state=1
)
sampler = AugmentationOverSampler(
    augmenter, sampling_strategy=0.5, random_state=0, max_retries=10
)
X_res, y_res = sampler.fit_resample(texts, y)
print("class counts before and after:", np.bincount(y), np.bincount(y_res))
print("a new row:", X_res[-1])

pipe = make_pipeline(
    sampler,
    TfidfVectorizer(ngram_range=(1, 2), min_df=2),
    LogisticRegression(max_iter=1000),
)
param_grid = [
    {
        "augmentationoversampler": [
            RandomTextOverSampler(sampling_strategy=0.5, random_state=0)
        ]
    },
    {"augmentationoversampler__augmenter__typos__p": [0.02, 0.1]},
]
search = GridSearchCV(
    pipe,
    param_grid,
    scoring=["average_precision", "recall"],
    refit="average_precision",
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
)
search.fit(texts, y)

names = ["exact copies", "augmented, typos p=0.02", "augmented, typos p=0.1"]
results = pd.DataFrame(
    {
        metric: search.cv_results_[f"mean_test_{metric}"]
        for metric in ["average_precision", "recall"]
    },
    index=names,
)
print(results.round(3).to_string())

ax = results.plot.barh(figsize=(7, 3.2), width=0.8)
ax.set(
    xlabel="mean over 5 folds",
    xlim=(0, 1),
    title="Over-sampling the rare class (5%) to half the majority",
)
ax.invert_yaxis()
ax.legend(loc="lower right")
plt.tight_layout()
plt.show()

# %%
# On this synthetic data the differences are small. Whether augmentation helps
# depends on the data and the model; the rebalancing page of the user guide
# has the benchmark on real reviews with a fine-tuned MiniLM.
