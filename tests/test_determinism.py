"""Determinism: one seed on one machine gives one output, in any process.

In-process refits are covered by each estimator's tests (and the compliance
suite's idempotence check). Here: separate processes with different string-hash
seeds (Python salts ``hash()`` per process, so any dependence on set or hash
order shows), and the demo's report.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sk_textrec import RandomTextOverSampler
from sk_textrec._demo import run_demo
from sk_textrec.datasets import make_product_reviews
from sk_textrec.utils import make_tiny_bert

REPO_ROOT = Path(__file__).resolve().parents[1]

# Runs every random sampler, augmenter and split of the package with seed 0 and
# prints their outputs as JSON.
_SCRIPT = r'''
import json, sys
import numpy as np
from imblearn.under_sampling import RandomUnderSampler
from sklearn.linear_model import LogisticRegression
from sk_textrec import (AugmentationOverSampler, EmbeddingSpaceSampler, LabelNoiseUnderSampler,
                        NearDuplicateUnderSampler, RandomTextOverSampler, RandomTextUnderSampler,
                        TextEmbedder, ThresholdTunedClassifier)
from sk_textrec.augmentation import (AugmentationSequence, BackTranslation, CharacterNoise, OneOf,
                                     RandomDeletion, RandomInsertion, RandomSwap, SynonymReplacement)
from sk_textrec.datasets import make_product_reviews
from sk_textrec.model_selection import cold_start_split, popularity_buckets

texts, y = make_product_reviews(80, positive_rate=0.2, random_state=0)
texts = texts.tolist()
# Sets of synonyms: their iteration order follows the per-process string hash.
synonyms = {"love": {"adore", "like", "enjoy", "cherish", "prize", "fancy"},
            "great": {"superb", "fine", "grand", "super", "terrific", "excellent"},
            "quality": {"grade", "make", "class", "calibre", "standard", "finish"},
            "price": {"cost", "charge", "fee", "rate", "value", "amount"}}
augmenters = {
    "synonym": SynonymReplacement(0.5, synonyms=synonyms),
    "insertion": RandomInsertion(0.3, synonyms=synonyms),
    "swap": RandomSwap(0.3), "deletion": RandomDeletion(0.3), "noise": CharacterNoise(0.1),
    "back_translation": BackTranslation(lambda batch, src, tgt: [t.upper() for t in batch]),
    "sequence": AugmentationSequence([("swap", RandomSwap(0.3)), ("noise", CharacterNoise(0.1))]),
    "one_of": OneOf([("swap", RandomSwap(0.3)), ("synonym", SynonymReplacement(0.5, synonyms=synonyms))]),
}
out = {name: augmenter.augment(texts[:20], random_state=0) for name, augmenter in augmenters.items()}
samplers = {
    "over": RandomTextOverSampler(random_state=0),
    "under": RandomTextUnderSampler(random_state=0),
    "augment": AugmentationOverSampler(SynonymReplacement(0.5, synonyms=synonyms), random_state=0),
    "near_duplicate": NearDuplicateUnderSampler(keep="random", threshold=0.5, random_state=0),
    "label_noise": LabelNoiseUnderSampler(cv=3, random_state=0),
    "embedding": EmbeddingSpaceSampler(RandomUnderSampler(random_state=0),
                                       embedder=TextEmbedder(sys.argv[1])),
}
for name, sampler in samplers.items():
    X_res, y_res = sampler.fit_resample(texts, y)
    out[name] = [list(X_res), np.asarray(y_res).tolist()]
items = np.array([f"item{i % 13}" for i in range(80)])
out["cold_start_split"] = [part.tolist() for part in cold_start_split(np.arange(80), items=items,
                                                                      random_state=0)]
out["popularity_buckets"] = popularity_buckets(items[:40], reference=items).tolist()
X = np.random.RandomState(0).normal(size=(80, 3)) + y[:, None]
model = ThresholdTunedClassifier(LogisticRegression(), cv=0.5, refit=False, random_state=0).fit(X, y)
out["threshold_holdout"] = model.best_threshold_
print(json.dumps(out))
'''


def _run(hash_seed, model):
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", _SCRIPT, model], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_samplers_augmenters_and_splits_same_seed_same_output_across_processes(tiny_bert):
    """Check that seed 0 gives the same output in two processes with different hash salts."""
    first, second = _run(1, tiny_bert), _run(2, tiny_bert)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between processes"


def test_random_sampler_seed_matters():
    """Check that the seed is used: different seeds do not all give the same resampling."""
    texts, y = make_product_reviews(60, positive_rate=0.2, random_state=0)
    outputs = {tuple(RandomTextOverSampler(random_state=seed).fit_resample(texts, y)[0]) for seed in range(4)}
    assert len(outputs) > 1


def test_demo_same_seed_same_scores():
    """Check that the demo's scores (all but its timings) are the same when rerun with one seed."""
    pytest.importorskip("torch")
    texts, y = make_product_reviews(80, positive_rate=0.2, random_state=0)
    model = make_tiny_bert()
    runs = []
    for _ in range(2):
        results = run_demo(texts, y, description="determinism", model=model, max_epochs=1,
                           device="cpu", threads=1, file=open(os.devnull, "w"))
        runs.append({name: {key: value for key, value in scores.items() if not key.endswith("_s")}
                     for name, scores in results.items()})
    for name in runs[0]:
        np.testing.assert_equal(runs[0][name], runs[1][name], err_msg=f"{name} differs on a rerun")
