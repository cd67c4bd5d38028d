"""
======================================================
Diversifying search results with MMR re-ranking
======================================================

The ten products most similar to a query are often ten near-identical
products. :class:`~sk_textrec.MMRReranker` re-ranks candidates so that each
next item is relevant *and* unlike the items already listed: maximal marginal
relevance (``strategy="mmr"``) or a greedy determinantal point process
(``strategy="dpp"``). ``relevance_weight`` sets the trade-off, and because
queries are the re-ranker's samples, a grid search can tune it.

This example embeds a small catalogue and the queries with the real
all-MiniLM-L6-v2 (:class:`~sk_textrec.TextEmbedder`, a few seconds on a CPU).
"""

# %%
# A catalogue, some queries and their candidates
# ----------------------------------------------
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, KFold

from sk_textrec import MMRReranker, TextEmbedder
from sk_textrec.metrics import (
    intra_list_diversity_score,
    make_ranking_scorer,
    ndcg_at_k_score,
)

products = [
    "summer dress",
    "wool sweater",
    "denim jacket",
    "winter coat",
    "rain boots",
    "swimsuit",
    "teddy bear",
    "wooden puzzle",
    "board game",
    "building set",
    "toy car",
    "desk lamp",
    "coffee mug",
    "water bottle",
    "backpack",
    "throw pillow",
]
colours = ["red", "navy", "black", "white", "green", "yellow"]
catalogue = np.array(
    [
        f"{colour} {product}"
        for product, colour in itertools.product(products, colours)
    ]
)

queries = [
    "something warm to wear in winter",
    "a present for a five year old",
    "things for my home office",
    "what to wear on the beach",
    "a gift for a coffee lover",
    "outdoor gear for a rainy hike",
    "a cosy sofa",
    "games for a family evening",
]

embedder = TextEmbedder().fit(
    catalogue
)  # the packaged all-MiniLM-L6-v2, offline
item_embeddings = embedder.transform(catalogue)
relevance = (
    embedder.transform(queries) @ item_embeddings.T
)  # cosine similarity (unit vectors)

# Each query's 30 most similar items are its candidates; NaN marks the others.
candidates = np.full_like(relevance, np.nan)
top = np.argsort(-relevance, axis=1)[:, :30]
np.put_along_axis(
    candidates, top, np.take_along_axis(relevance, top, axis=1), axis=1
)
print(f"{len(catalogue)} items, {len(queries)} queries, 30 candidates each")

# %%
# Relevance alone, then relevance and diversity
# ---------------------------------------------
# With ``relevance_weight=1`` the list is the candidates sorted by relevance:
# six colours of one coat. Lower weights penalise an item by its largest
# similarity to the items already in the list: a sweater comes in, and so does
# a summer dress, which MiniLM finds close enough to "wear". Diversity costs
# relevance; that is why the weight is tuned.
query = 0
lists = {}
for weight in [1.0, 0.7]:
    reranker = MMRReranker(item_embeddings, k=6, relevance_weight=weight).fit(
        candidates
    )
    lists[f"relevance_weight={weight}"] = catalogue[
        reranker.predict(candidates)[query]
    ]
print(f"query: {queries[query]!r}")
pd.DataFrame(lists, index=pd.RangeIndex(1, 7, name="rank"))

# %%
# The trade-off curve
# -------------------
# For every weight: how much relevance the top 10 keep (NDCG@10, with the
# cosine similarities as gains, so the relevance-only list scores 1) against
# how varied they are (intra-list diversity: 1 - mean pairwise cosine).
gains = [
    {
        item: max(float(score), 0.0)
        for item, score in enumerate(row)
        if not np.isnan(score)
    }
    for row in candidates
]
weights = np.linspace(0.0, 1.0, 11)
fig, ax = plt.subplots(figsize=(6.5, 4.5))
for strategy, marker in [("mmr", "o"), ("dpp", "s")]:
    points = []
    for weight in weights:
        reranker = MMRReranker(
            item_embeddings, k=10, relevance_weight=weight, strategy=strategy
        )
        recommended = [
            row[row >= 0]
            for row in reranker.fit(candidates).predict(candidates)
        ]
        points.append(
            (
                intra_list_diversity_score(
                    recommended, item_features=item_embeddings
                ),
                ndcg_at_k_score(recommended, gains, k=10),
            )
        )
    diversity, ndcg = zip(*points)
    ax.plot(diversity, ndcg, marker=marker, label=strategy.upper())
    ax.annotate(
        "weight 1",
        (diversity[-1], ndcg[-1]),
        textcoords="offset points",
        xytext=(5, -12),
    )
ax.set(
    xlabel="intra-list diversity@10",
    ylabel="NDCG@10 (relevance kept)",
    title="Relevance against diversity, 8 queries",
)
ax.legend()
plt.tight_layout()
plt.show()

# %%
# Tuning the weight in a search
# -----------------------------
# A re-ranker's samples are queries: ``X`` holds one row of candidate scores
# per query and ``y`` the true relevance of the same shape. The scorers of
# :func:`~sk_textrec.metrics.make_ranking_scorer` score its lists, so a
# multi-metric :class:`~sklearn.model_selection.GridSearchCV` reports both
# sides of the trade-off on held-out queries.
true_relevance = np.nan_to_num(np.clip(candidates, 0, None))
scoring = {
    "ndcg@10": make_ranking_scorer("ndcg", k=10),
    "diversity@10": make_ranking_scorer(
        "intra_list_diversity", k=10, item_features=item_embeddings
    ),
}
search = GridSearchCV(
    MMRReranker(item_embeddings, k=10),
    {"relevance_weight": [0.3, 0.5, 0.7, 0.9]},
    scoring=scoring,
    refit="ndcg@10",
    cv=KFold(4),
)
search.fit(candidates, true_relevance)
pd.DataFrame(search.cv_results_)[
    ["param_relevance_weight", "mean_test_ndcg@10", "mean_test_diversity@10"]
]
