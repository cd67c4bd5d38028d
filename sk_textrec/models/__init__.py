"""Text models: a fine-tuned BERT classifier and a sentence-embedding transformer."""

from ._bert import BertClassifier
from ._embedder import TextEmbedder

__all__ = ["BertClassifier", "TextEmbedder"]
