"""
==================================================
The command line: fit, evaluate and predict a CSV
==================================================

``python -m sk_textrec`` (or the console script ``sk-textrec``) runs the main
job from a shell: train on one CSV file, evaluate on another, predict a third.
This example calls the same entry point from Python (``sk_textrec(...)``
below stands for the shell command), on synthetic reviews
written to CSV files, with a tiny random BERT so that it runs in seconds; from
a shell, leave out ``--model-name-or-path`` to fine-tune the packaged
all-MiniLM-L6-v2.
"""

# %%
# CSV files with a title and a review per row
# -------------------------------------------
import csv
import os
import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt

from sk_textrec.__main__ import main
from sk_textrec.datasets import make_product_reviews
from sk_textrec.utils import make_tiny_bert

folder = Path(tempfile.mkdtemp())  # a scratch folder for the files below


def sk_textrec(*argv):
    """``python -m sk_textrec ARGV``, run in the scratch folder."""
    os.chdir(folder)
    return main(list(argv))


texts, y = make_product_reviews(n_samples=400, positive_rate=0.15, random_state=0)
rows = [(" ".join(text.split()[:3]), text, label, "app" if i % 3 else "web")
        for i, (text, label) in enumerate(zip(texts, y))]
for name, part, columns in [("train", rows[:250], 3), ("test", rows[250:], 4),
                            ("new", rows[250:], 2)]:
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["title", "text", "label", "channel"][:columns])
        writer.writerows(row[:columns] for row in part)
print((folder / "train.csv").read_text(encoding="utf-8").splitlines()[1])

# %%
# ``fit``: a preset, saved as a model folder
# ------------------------------------------
# The "fast" preset fine-tunes the encoder on (title, review) pairs and tunes
# the decision threshold for the F1 of the rare class on a held-out fifth of
# the rows. The folder records the columns, so the next commands need none.
# (The tiny random BERT learns little in two epochs: the numbers below show
# the reports, not what a real encoder reaches.)
make_tiny_bert(folder / "tiny_bert")
sk_textrec("fit", "--data", "train.csv", "--text-col", "text", "--pair-col", "title",
           "--label-col", "label", "--out", "model", "--model-name-or-path", "tiny_bert",
           "--max-epochs", "2", "--quiet")

# %%
# ``evaluate``: the imbalance report, per group, and the threshold curve
# ----------------------------------------------------------------------
sk_textrec("evaluate", "--model", "model", "--data", "test.csv", "--group-col", "channel",
           "--plot", "curve.png", "--quiet")

plt.imshow(mpimg.imread(folder / "curve.png"))
plt.axis("off")
plt.show()

# %%
# ``predict``: probabilities and labels, in chunks, in the input's order
# -----------------------------------------------------------------------
sk_textrec("predict", "--model", "model", "--data", "new.csv", "--out", "predictions.csv",
           "--chunk-rows", "64", "--quiet")
print("\n".join((folder / "predictions.csv").read_text(encoding="utf-8").splitlines()[:4]))

# %%
# A bad column is one line and exit status 2, no traceback:
try:
    sk_textrec("fit", "--data", "train.csv", "--label-col", "stars", "--out", "other")
except SystemExit as exit_status:
    print("exit status", exit_status.code)
