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
from sk_textrec._cli.demo import run_demo
from sk_textrec.datasets import make_product_reviews
from sk_textrec.utils import make_tiny_bert

REPO_ROOT = Path(__file__).resolve().parents[1]

# Runs the random samplers, augmenters and splits of the package with seed 0 and
# prints their outputs as JSON. (EmbeddingSpaceSampler draws with the imbalanced-learn
# sampler it wraps; loading torch for it would double the time of this test.)
_SCRIPT = r'''
import json
import numpy as np
from sklearn.linear_model import LogisticRegression
from sk_textrec import (AugmentationOverSampler, LabelNoiseUnderSampler, NearDuplicateUnderSampler,
                        RandomTextOverSampler, RandomTextUnderSampler, ThresholdTunedClassifier)
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
    "augment": AugmentationOverSampler(AugmentationSequence(
        [("synonym", SynonymReplacement(0.5, synonyms=synonyms)), ("swap", RandomSwap(0.3))]),
        random_state=0),
    "near_duplicate": NearDuplicateUnderSampler(keep="random", threshold=0.5, random_state=0),
    "label_noise": LabelNoiseUnderSampler(cv=3, random_state=0),
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


def _start(hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-c", _SCRIPT], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _outputs(process):
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-3000:]
    return json.loads(stdout.splitlines()[-1])


def test_samplers_augmenters_and_splits_same_seed_same_output_across_processes():
    """Check that seed 0 gives the same output in two processes with different hash salts."""
    processes = [_start(1), _start(2)]  # side by side
    first, second = (_outputs(process) for process in processes)
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
                           device="cpu", threads=1, verbose=0, file=open(os.devnull, "w"))
        runs.append({name: {key: value for key, value in scores.items() if not key.endswith("_s")}
                     for name, scores in results.items()})
    for name in runs[0]:
        np.testing.assert_equal(runs[0][name], runs[1][name], err_msg=f"{name} differs on a rerun")
