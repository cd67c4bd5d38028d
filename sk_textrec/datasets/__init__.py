"""Review data: a synthetic imbalanced review generator and a CSV loader."""

from ._csv import load_reviews_csv
from ._synthetic import make_product_reviews

__all__ = ["load_reviews_csv", "make_product_reviews"]
