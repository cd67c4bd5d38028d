"""Draw docs/img/threshold_curve.png: the F1 curve of the womens_clothing_reviews benchmark."""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sk_textrec.model_selection import ThresholdCurveDisplay, ThresholdTunedClassifier  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
data = Path(os.environ.get("SK_TEXTREC_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
df = pd.read_csv(data / "womens_clothing_reviews" / "dev.csv", keep_default_na=False)
X = (df["title"] + ". " + df["text"]).tolist()
y = (df["rating"] <= 2).astype(int)
pipe = make_pipeline(TfidfVectorizer(min_df=2, ngram_range=(1, 2), sublinear_tf=True),
                     LogisticRegression(C=4.0, max_iter=1000))
model = ThresholdTunedClassifier(pipe, objective="f1", refit=False, cv=0.25, random_state=0,
                                 store_cv_results=True).fit(X, y)
fig, ax = plt.subplots(figsize=(6, 4))
ThresholdCurveDisplay.from_cv_results(model, ax=ax, name="rating <= 2: F1 against the threshold")
fig.tight_layout()
fig.savefig(Path(__file__).with_name("threshold_curve.png"), dpi=110)
