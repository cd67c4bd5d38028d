"""sk_textrec: scikit-learn estimators for BERT-class text models on rare outcomes.

Importing the package does not import torch, transformers or skorch; they are
loaded when an estimator is fitted.
"""

from .ensemble import HoldoutStackingClassifier
from .model_selection import ThresholdCurveDisplay, ThresholdTunedClassifier
from .models import BertClassifier, BertRegressor, TextEmbedder
from .over_sampling import AugmentationOverSampler, RandomTextOverSampler
from .persistence import load, save
from .pipeline import make_pipeline, set_device
from .presets import make_rare_class_classifier
from .rerank import MMRReranker
from .under_sampling import (
    EmbeddingSpaceSampler,
    LabelNoiseUnderSampler,
    NearDuplicateUnderSampler,
    RandomTextUnderSampler,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "AugmentationOverSampler",
    "BertClassifier",
    "BertRegressor",
    "EmbeddingSpaceSampler",
    "HoldoutStackingClassifier",
    "LabelNoiseUnderSampler",
    "MMRReranker",
    "NearDuplicateUnderSampler",
    "RandomTextOverSampler",
    "RandomTextUnderSampler",
    "TextEmbedder",
    "ThresholdCurveDisplay",
    "ThresholdTunedClassifier",
    "__version__",
    "load",
    "make_pipeline",
    "make_rare_class_classifier",
    "save",
    "set_device",
]
