"""Blending of text models: stacking learned on held-out rows."""

from ._holdout_stacking import HoldoutStackingClassifier

__all__ = ["HoldoutStackingClassifier"]
