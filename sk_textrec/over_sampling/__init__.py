"""Over-samplers for raw text: they add minority rows (copies or augmentations)."""

from ._augmentation import AugmentationOverSampler
from ._random import RandomTextOverSampler

__all__ = ["AugmentationOverSampler", "RandomTextOverSampler"]
