"""Text augmenters: EDA operations, synonym sources, noise, translation, masked LM.

Every augmenter is a scikit-learn style object with ``augment(texts,
random_state=None) -> list of str`` (one output per text, in order), and every
parameter is reachable by ``get_params``/``set_params``, so that a grid search
can tune e.g. ``augmentationoversampler__augmenter__p``. Models are loaded on
first use, never in ``__init__``.
"""

from ._combinators import AugmentationSequence, OneOf
from ._eda import RandomDeletion, RandomInsertion, RandomSwap, SynonymReplacement
from ._masked_lm import MaskedLMSubstitution
from ._noise import CharacterNoise
from ._synonyms import DictSynonyms, EmbeddingNeighbourSynonyms
from ._translation import BackTranslation
from ._wordnet import WordNetSynonyms

__all__ = [
    "AugmentationSequence",
    "BackTranslation",
    "CharacterNoise",
    "DictSynonyms",
    "EmbeddingNeighbourSynonyms",
    "MaskedLMSubstitution",
    "OneOf",
    "RandomDeletion",
    "RandomInsertion",
    "RandomSwap",
    "SynonymReplacement",
    "WordNetSynonyms",
]
