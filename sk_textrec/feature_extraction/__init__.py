"""Sparse text features that take the same input as the BERT estimators (texts or text pairs)."""

from ._tfidf import TfidfTextVectorizer

__all__ = ["TfidfTextVectorizer"]
