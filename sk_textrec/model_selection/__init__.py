"""Model selection: tuned decision thresholds, and long-tail / cold-start evaluation protocols."""

from ._long_tail import cold_start_split, popularity_buckets
from ._threshold import ThresholdTunedClassifier
from ._threshold_display import ThresholdCurveDisplay

__all__ = ["ThresholdCurveDisplay", "ThresholdTunedClassifier", "cold_start_split", "popularity_buckets"]
