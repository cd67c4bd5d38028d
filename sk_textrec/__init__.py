"""sk_textrec: scikit-learn estimators for BERT-class text models on rare outcomes.

Importing the package does not import torch, transformers or skorch; they are
loaded when an estimator is fitted.
"""

from .models import BertClassifier, TextEmbedder
from .pipeline import make_pipeline, set_device

__version__ = "0.1.0.dev0"

__all__ = ["BertClassifier", "TextEmbedder", "make_pipeline", "set_device", "__version__"]
