"""Under-samplers for raw text: they drop rows (at random, or by cleaning rules)."""

from ._random import RandomTextUnderSampler

__all__ = ["RandomTextUnderSampler"]
