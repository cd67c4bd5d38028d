"""Under-samplers for raw text: they drop rows (at random, or by cleaning rules)."""

from ._embedding_space import EmbeddingSpaceSampler
from ._label_noise import LabelNoiseUnderSampler
from ._near_duplicate import NearDuplicateUnderSampler
from ._random import RandomTextUnderSampler

__all__ = [
    "EmbeddingSpaceSampler",
    "LabelNoiseUnderSampler",
    "NearDuplicateUnderSampler",
    "RandomTextUnderSampler",
]
