"""Text models: fine-tuned BERT classifier and regressor, and a sentence-embedding transformer."""

from ._bert import BertClassifier
from ._embedder import TextEmbedder
from ._regressor import BertRegressor

__all__ = ["BertClassifier", "BertRegressor", "TextEmbedder"]
