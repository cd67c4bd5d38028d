"""
=========================================================================
Searches that encode each text once, compressed inference, LoRA adapters
=========================================================================

Three options of the BERT estimators for when a laptop is not enough
(see the "Scale" and "Prediction speed" pages):

- a frozen encoder (``freeze="encoder"``, or :class:`~sk_textrec.TextEmbedder`)
  caches its vectors per text, so a grid search over the heads encodes each
  distinct text once instead of once per candidate and fold;
- ``inference="int8"`` (or ``"onnx"``, ``"onnx-int8"``) predicts with a
  compressed copy of the trained model, keeping the fp32 weights;
- ``peft="lora"`` trains low-rank adapters and the heads only, and pickles
  only what training changed.

The example runs on a tiny random BERT so that it takes seconds; drop the
``model_name_or_path`` argument to use the packaged all-MiniLM-L6-v2. Its
numbers say what the options do, not how fast they are on a real model.
"""

# %%
# A grid search over a frozen encoder's heads
# -------------------------------------------
# We count the texts the encoder sees by wrapping its forward pass.
import pickle

import numpy as np
from sklearn.model_selection import GridSearchCV, train_test_split
from transformers import BertModel

from sk_textrec import BertClassifier
from sk_textrec.datasets import make_product_reviews
from sk_textrec.utils import make_tiny_bert

tiny_bert = make_tiny_bert()
texts, y = make_product_reviews(n_samples=240, positive_rate=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    texts, y, test_size=0.25, stratify=y, random_state=0
)

encoded = []
original_forward = BertModel.forward


def counting_forward(self, input_ids=None, **kwargs):
    encoded.append(len(input_ids))
    return original_forward(self, input_ids=input_ids, **kwargs)


BertModel.forward = counting_forward
grid = {"loss": ["cross_entropy", "focal"], "class_weight": [None, "balanced"]}
for cache_size in (0, 100_000):
    encoded.clear()
    frozen = BertClassifier(tiny_bert, freeze="encoder", max_epochs=2, lr=1e-3,
                            cache_size=cache_size, random_state=0)
    search = GridSearchCV(frozen, grid, cv=3, scoring="average_precision").fit(X_train, y_train)
    print(f"cache_size={cache_size:>6}: {sum(encoded):>5} texts encoded, "
          f"mean AP per candidate {np.round(search.cv_results_['mean_test_score'], 4)}")
BertModel.forward = original_forward

# %%
# The scores are the same with and without the cache; only the encoding is
# shared. Across processes (``n_jobs``, Dask) a ``memory=`` folder shares it too.
#
# Compressed inference
# --------------------
# The same fitted weights, predicted by torch's int8 dynamic quantization.
model = BertClassifier(tiny_bert, max_epochs=2, lr=1e-3, random_state=0).fit(X_train, y_train)
fp32 = model.predict_proba(X_test)
int8 = model.set_params(inference="int8").predict_proba(X_test)
print(f"largest probability difference int8 vs fp32: {np.abs(int8 - fp32).max():.4f}; "
      f"same predicted class on {np.mean(fp32.argmax(1) == int8.argmax(1)):.0%} of the rows")

# %%
# LoRA adapters
# -------------
# Only the adapters and the head train; by default the pickle holds them and
# a reference to the base model, which must be loadable where it is unpickled.
lora = BertClassifier(tiny_bert, peft="lora", max_epochs=2, lr=1e-3, random_state=0)
lora.fit(X_train, y_train)
adapters_only = len(pickle.dumps(lora))
full = len(pickle.dumps(lora.set_params(peft_pickle="full")))
print(f"pickle: {adapters_only:,} bytes with adapters only, {full:,} bytes in full")
restored = pickle.loads(pickle.dumps(lora.set_params(peft_pickle="adapters")))
print("round trip predicts the same:",
      np.allclose(restored.predict_proba(X_test), lora.predict_proba(X_test), atol=1e-6))
