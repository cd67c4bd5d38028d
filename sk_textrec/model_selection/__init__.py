"""Model selection: decision thresholds tuned for the outcome that matters."""

from ._threshold import ThresholdTunedClassifier
from ._threshold_display import ThresholdCurveDisplay

__all__ = ["ThresholdCurveDisplay", "ThresholdTunedClassifier"]
