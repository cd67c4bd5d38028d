"""
=====================================================
Saving a model to a folder that is safe to load
=====================================================

A pickle of a model runs code when it is loaded, so a pickle from someone else
is a program from someone else. :func:`sk_textrec.save` writes a folder of data
instead — safetensors weights, the tokenizer and config files, a skops file of
the scikit-learn parts and a JSON manifest with the hash of every file — and
:func:`sk_textrec.load` reads it back without running code from it.

The example saves the "fast" preset (a fine-tuned BERT with a tuned decision
threshold) built on a tiny random BERT, so that it runs in seconds; drop the
``model_name_or_path`` argument to use the packaged all-MiniLM-L6-v2.
"""

# %%
# Train and save
# --------------
import json
import tempfile
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

import sk_textrec
from sk_textrec.datasets import make_product_reviews
from sk_textrec.utils import make_tiny_bert

texts, y = make_product_reviews(n_samples=300, positive_rate=0.15, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    texts, y, test_size=0.3, stratify=y, random_state=0
)
model = sk_textrec.make_rare_class_classifier(
    "fast", model_name_or_path=make_tiny_bert(), device="cpu", random_state=0
)
model.fit(X_train, y_train)

folder = Path(tempfile.mkdtemp()) / "negative_reviews"
sk_textrec.save(
    model, folder, description="210 synthetic product reviews; label 1: a 1-2 star review."
)
for file in sorted(folder.rglob("*")):
    if file.is_file():
        print(f"{file.relative_to(folder).as_posix():<34} {file.stat().st_size:>9,} bytes")

# %%
# The manifest says what the model is without loading it: its classes and
# decision threshold, the encoder's folder, the library versions and a
# SHA-256 per file.
manifest = json.loads((folder / "model.json").read_text())
print(json.dumps(manifest["estimator"]["fitted"], indent=2))
print(manifest["encoders"][-1]["folder"], manifest["versions"]["sk-textrec"])

# %%
# Load and predict
# ----------------
# The loaded model predicts exactly what the saved one did.
loaded = sk_textrec.load(folder)
print(type(loaded).__name__, loaded.best_threshold_ == model.best_threshold_)
print("largest difference of probabilities:",
      np.abs(loaded.predict_proba(X_test) - model.predict_proba(X_test)).max())

# %%
# What loading refuses
# --------------------
# A changed or truncated file does not match its recorded hash:
weights = folder / "encoders" / "0" / "model.safetensors"
original = weights.read_bytes()
weights.write_bytes(original[: len(original) // 2])
try:
    sk_textrec.load(folder)
except ValueError as error:
    print(str(error).replace(str(folder), "<folder>"))
weights.write_bytes(original)

# %%
# A model that holds a function — here a custom early-stopping scorer — cannot
# be saved: loading it would mean running that function's code.
from sklearn.metrics import f1_score, make_scorer  # noqa: E402


def my_f1(y_true, y_pred):
    return f1_score(y_true, y_pred)


custom = sk_textrec.BertClassifier(
    make_tiny_bert(), early_stopping_scoring=make_scorer(my_f1), validation_fraction=0.2
)
try:
    sk_textrec.save(custom, Path(tempfile.mkdtemp()) / "custom")
except TypeError as error:
    print(error)
