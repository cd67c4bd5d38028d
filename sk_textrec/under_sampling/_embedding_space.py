"""EmbeddingSpaceSampler: an imbalanced-learn row-selecting sampler run on text embeddings."""

from sklearn.base import clone

from ..base import BaseTextSampler
from ..models import TextEmbedder
from ..utils._sklearn_compat import HasMethods


class EmbeddingSpaceSampler(BaseTextSampler):
    """Run an imbalanced-learn sampler on text embeddings and keep the texts it selects.

    Samplers such as TomekLinks, EditedNearestNeighbours or NearMiss need
    numeric features. This sampler embeds the texts with ``embedder``, runs
    ``sampler`` on the embeddings and returns the original texts (and their
    unchanged labels) of the rows the sampler kept, read from its
    ``sample_indices_``. Any sampler that selects or repeats existing rows
    works: TomekLinks, EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours, AllKNN, NearMiss, OneSidedSelection,
    CondensedNearestNeighbour, NeighbourhoodCleaningRule,
    InstanceHardnessThreshold, RandomUnderSampler, RandomOverSampler. Samplers
    that create synthetic rows (SMOTE, ADASYN, ClusterCentroids) have no text
    for those rows and raise ``TypeError``.

    Parameters
    ----------
    sampler : imbalanced-learn sampler
        The sampler to run on the embeddings (cloned). Its
        ``sampling_strategy`` decides which classes are resampled and how.
    embedder : transformer or None, default=None
        Maps texts to a 2-D array of embeddings (cloned, then fitted on the
        texts). ``None`` is :class:`~sk_textrec.TextEmbedder` with the packaged
        all-MiniLM-L6-v2. A ``TextEmbedder(memory=...)`` caches the embeddings
        across fits (e.g. the candidates of a grid search).

    Attributes
    ----------
    sampler_ : imbalanced-learn sampler
        The fitted clone of ``sampler``.
    embedder_ : transformer
        The fitted clone of ``embedder``.
    sampling_strategy_ : dict
        ``sampler_.sampling_strategy_``: what the inner sampler resolved.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        For each output row, the row of the input it is (``sampler_``'s).

    See Also
    --------
    NearDuplicateUnderSampler : Removes duplicate texts.
    imblearn.under_sampling.TomekLinks : A sampler to run here.

    Notes
    -----
    ``sampling_strategy`` is the inner sampler's (read-only here: set it with
    ``set_params(sampler__sampling_strategy=...)``). The class declares
    imbalanced-learn's ``_sampling_type = "bypass"``, for which
    :func:`~imblearn.utils.check_sampling_strategy` only checks that ``y`` has
    two classes and returns the strategy unresolved; the inner sampler resolves
    it with its own sampling type. ``BalancedBaggingClassifier`` likewise
    leaves the strategy of a ``"bypass"`` sampler alone.

    Examples
    --------
    >>> from collections import Counter
    >>> from imblearn.under_sampling import RandomUnderSampler
    >>> from sk_textrec import TextEmbedder
    >>> from sk_textrec.under_sampling import EmbeddingSpaceSampler
    >>> from sk_textrec.utils import make_tiny_bert
    >>> X = ["love it", "great fit", "so soft", "nice colour", "returned it", "too small"]
    >>> y = ["pos", "pos", "pos", "pos", "neg", "neg"]
    >>> sampler = EmbeddingSpaceSampler(
    ...     RandomUnderSampler(random_state=0), embedder=TextEmbedder(make_tiny_bert())
    ... )
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [('neg', 2), ('pos', 2)]
    >>> all(X[i] == text for i, text in zip(sampler.sample_indices_, X_res))
    True
    """

    # check_sampling_strategy returns a "bypass" strategy as is: sampler_ resolves it.
    _sampling_type = "bypass"
    _parameter_constraints: dict = {
        "sampler": [HasMethods(["fit_resample"])],
        "embedder": [HasMethods(["fit", "transform"]), None],
    }

    def __init__(self, sampler, embedder=None):
        self.sampler = sampler
        self.embedder = embedder

    @property
    def sampling_strategy(self):
        """The inner sampler's ``sampling_strategy`` (None if it has none)."""
        return getattr(self.sampler, "sampling_strategy", None)

    def _fit_resample(self, X, y):
        self.embedder_ = clone(self.embedder if self.embedder is not None else TextEmbedder())
        self.sampler_ = clone(self.sampler)
        embeddings = self.embedder_.fit(X).transform(X)
        _, y_res = self.sampler_.fit_resample(embeddings, y)
        indices = getattr(self.sampler_, "sample_indices_", None)
        name = type(self.sampler_).__name__
        if indices is None:
            raise TypeError(
                f"EmbeddingSpaceSampler needs a sampler that keeps or repeats existing rows and "
                f"records them in sample_indices_ (e.g. TomekLinks, EditedNearestNeighbours, "
                f"NearMiss, RandomUnderSampler); {name} set no sample_indices_. Samplers that "
                f"create synthetic rows in embedding space (SMOTE, ADASYN, ClusterCentroids) "
                f"cannot be used: a synthetic embedding has no text."
            )
        if len(indices) != len(y_res):
            raise ValueError(
                f"{name} returned {len(y_res)} rows but its sample_indices_ has {len(indices)}: "
                f"it adds rows that are not copies of input rows, which have no text."
            )
        self.sampling_strategy_ = getattr(
            self.sampler_, "sampling_strategy_", self.sampling_strategy_
        )
        return self._take(X, y, indices)
