"""Tests of make_pipeline and set_device."""

import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sk_textrec import BertClassifier, TextEmbedder, make_pipeline, set_device


def test_make_pipeline_returns_imblearn_pipeline_with_device():
    """Check that make_pipeline builds an imblearn Pipeline and sets device where it exists."""
    pipe = make_pipeline(TextEmbedder(device="auto"), RandomOverSampler(),
                         LogisticRegression(), device="cuda:1")
    assert isinstance(pipe, Pipeline)
    assert pipe.named_steps["textembedder"].device == "cuda:1"
    assert "device" not in pipe.named_steps["logisticregression"].get_params()


def test_make_pipeline_without_device_keeps_step_settings():
    """Check that device=None leaves each step's own device."""
    pipe = make_pipeline(TextEmbedder(device="cpu"), LogisticRegression())
    assert pipe.named_steps["textembedder"].device == "cpu"


def test_set_device_reaches_nested_estimators():
    """Check that set_device sets every nested device through searches and pipelines."""
    inner = make_pipeline(TextEmbedder(), LogisticRegression())
    search = GridSearchCV(Pipeline([("embed_then_clf", inner), ("bert", BertClassifier())]),
                          {"bert__lr": [1e-5]})
    assert set_device(search, "mps") is search
    params = search.get_params(deep=True)
    devices = {name: value for name, value in params.items() if name.endswith("device")}
    assert devices and set(devices.values()) == {"mps"}


def test_set_device_resolves_nothing():
    """Check that set_device only sets parameters: no fitted attribute appears."""
    clf = BertClassifier()
    set_device(clf, "auto")
    assert clf.device == "auto" and not hasattr(clf, "device_")


def test_make_pipeline_with_sampler_fits(reviews):
    """Check that a sampler step works inside the pipeline with a text vectorizer."""
    texts, y = reviews
    pipe = make_pipeline(TfidfVectorizer(), RandomOverSampler(random_state=0),
                         LogisticRegression())
    assert pipe.fit(texts, y).predict(texts).shape == (len(texts),)


@pytest.mark.parametrize("device", ["cpu", "cuda", "auto"])
def test_set_device_on_plain_estimator(device):
    """Check that set_device works on a single estimator."""
    assert set_device(TextEmbedder(), device).device == device


@pytest.mark.parametrize("estimator, err_msg", [
    (object(), "got object"),
    ([TextEmbedder()], "got list"),
    (TextEmbedder, "got the class TextEmbedder"),
])
def test_set_device_on_non_estimator_raises(estimator, err_msg):
    """Check that set_device on something without get_params is a TypeError, not AttributeError."""
    with pytest.raises(TypeError, match=f"set_device needs an estimator instance.*{err_msg}"):
        set_device(estimator, "cpu")
