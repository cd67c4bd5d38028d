"""Re-ranking: top-k lists that trade relevance for diversity."""

from ._mmr import MMRReranker

__all__ = ["MMRReranker"]
