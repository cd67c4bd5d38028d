"""EDA (Wei & Zou, 2019): synonym replacement, random insertion, swap and deletion.

Each operation edits ``n = max(1, int(p * n_words))`` words of a text (EDA's
rule), in pure Python on the word lists of :mod:`._tokens`.
"""

import functools
from numbers import Real

from ..utils._sklearn_compat import HasMethods, Interval, StrOptions
from ._base import BaseAugmenter, python_rng
from ._synonyms import DictSynonyms, synonym_table
from ._tokens import delete_word, insert_word, match_case, split_words

# EDA's stop words (nltk's English list): never replaced, nor used for insertion.
EDA_STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what
which who whom this that these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for
with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how
all any both each few more most other some such no nor not only own same so than too
very s t can will just don should now
""".split())


class _WordEdit(BaseAugmenter):
    """Split every text into words once, edit ``n`` words, join."""

    _parameter_constraints = {"p": [Interval(Real, 0, 1, closed="both")]}

    def _augment(self, texts, random_state):
        if self.p == 0:
            return list(texts)
        rng = python_rng(random_state)
        split = [split_words(text) for text in texts]
        context = self._prepare(split)
        for parts in split:
            n_words = len(parts) // 2
            if n_words:
                self._edit(parts, n_words, max(1, int(self.p * n_words)), rng, context)
        return ["".join(parts) for parts in split]

    def _prepare(self, split):
        """Work shared by all texts of a batch (a synonym table)."""
        return None

    def _edit(self, parts, n_words, n_edits, rng, context):
        raise NotImplementedError


@functools.lru_cache(maxsize=1)
def _default_synonyms():
    # One shared instance, so that the WordNet cache outlives cloned augmenters.
    from ._wordnet import WordNetSynonyms

    return WordNetSynonyms()


class _SynonymEdit(_WordEdit):
    """An edit that needs the synonyms of the words of the batch."""

    _parameter_constraints = {
        **_WordEdit._parameter_constraints,
        "synonyms": [HasMethods(["synonyms_of"]), dict, None],
        "stop_words": [StrOptions({"english"}), list, tuple, set, frozenset, None],
    }

    def _prepare(self, split):
        source = self.synonyms
        if source is None:
            source = _default_synonyms()
        elif isinstance(source, dict):
            source = DictSynonyms(source)
        if self.stop_words == "english":
            stop_words = EDA_STOP_WORDS
        else:
            not_str = [word for word in self.stop_words or () if not isinstance(word, str)]
            if not_str:
                raise TypeError(f"The 'stop_words' parameter of {type(self).__name__} must hold strings; "
                                f"got {type(not_str[0]).__name__} {not_str[0]!r:.40}.")
            stop_words = {word.lower() for word in self.stop_words or ()}
        words = set()
        for parts in split:
            words.update(parts[1::2])
        # Sorted: the same batch asks the source the same questions in the same order.
        words = sorted(word for word in words if word.lower() not in stop_words)
        return synonym_table(source, words), stop_words

    @staticmethod
    def _candidates(parts, rng, context):
        """(position, word) of the words that have synonyms, in random order.

        Lazy: a source that looks words up one by one (WordNet) is asked only
        about the words an edit reaches, about half of them at p=0.1.
        """
        table, stop_words = context
        candidates = [(i, parts[i]) for i in range(1, len(parts), 2)
                      if parts[i].lower() not in stop_words]
        rng.shuffle(candidates)
        return ((i, word) for i, word in candidates if table[word])


class SynonymReplacement(_SynonymEdit):
    """Replace words by one of their synonyms (EDA's synonym replacement).

    Words without synonyms and stop words are left alone; a replacement takes
    the capitalisation of the word it replaces.

    Parameters
    ----------
    p : float, default=0.1
        Share of the words edited: ``max(1, int(p * n_words))`` per text, none
        when 0.
    synonyms : object with ``synonyms_of(word)``, dict or None, default=None
        The synonym source: :class:`WordNetSynonyms` (``None``),
        :class:`EmbeddingNeighbourSynonyms`, :class:`DictSynonyms`, a plain
        dict word -> list of synonyms, or any object with a
        ``synonyms_of(word) -> list of str`` method.
    stop_words : "english", list of str or None, default="english"
        Words never replaced; ``"english"`` is EDA's list.

    See Also
    --------
    RandomInsertion : Insert synonyms of words of the text.
    MaskedLMSubstitution : Replace words by a masked language model's guesses.

    References
    ----------
    .. [1] J. Wei and K. Zou, "EDA: Easy Data Augmentation Techniques for Boosting
       Performance on Text Classification Tasks", EMNLP-IJCNLP 2019.

    Examples
    --------
    >>> from sk_textrec.augmentation import SynonymReplacement
    >>> replace = SynonymReplacement(p=0.5, synonyms={"dress": ["gown"], "love": ["adore"]})
    >>> replace.augment(["Lovely dress, love it!", ""], random_state=0)
    ['Lovely gown, adore it!', '']
    """

    def __init__(self, p=0.1, synonyms=None, *, stop_words="english"):
        self.p = p
        self.synonyms = synonyms
        self.stop_words = stop_words

    def _edit(self, parts, n_words, n_edits, rng, context):
        table = context[0]
        for _, (i, word) in zip(range(n_edits), self._candidates(parts, rng, context)):
            parts[i] = match_case(word, rng.choice(table[word]))


class RandomInsertion(_SynonymEdit):
    """Insert synonyms of random words of a text at random places (EDA).

    Parameters
    ----------
    p : float, default=0.1
        Share of the words edited: ``max(1, int(p * n_words))`` per text, none
        when 0.
    synonyms : object with ``synonyms_of(word)``, dict or None, default=None
        The synonym source, as in :class:`SynonymReplacement`.
    stop_words : "english", list of str or None, default="english"
        Words whose synonyms are never inserted; ``"english"`` is EDA's list.

    See Also
    --------
    SynonymReplacement : Replace words by synonyms.

    Examples
    --------
    >>> from sk_textrec.augmentation import RandomInsertion
    >>> insert = RandomInsertion(p=0.2, synonyms={"dress": ["gown"]})
    >>> text = insert.augment(["great dress"], random_state=0)[0]
    >>> sorted(text.split())
    ['dress', 'gown', 'great']
    """

    def __init__(self, p=0.1, synonyms=None, *, stop_words="english"):
        self.p = p
        self.synonyms = synonyms
        self.stop_words = stop_words

    def _edit(self, parts, n_words, n_edits, rng, context):
        table = context[0]
        candidates = self._candidates(parts, rng, context)
        used = []
        for _ in range(n_edits):
            # Distinct words of the text first, then again words already used.
            _, word = next(candidates, (None, None))
            if word is None:
                if not used:
                    return
                word = rng.choice(used)
            else:
                used.append(word)
            # Before a random word, as in EDA: never after the final punctuation.
            insert_word(parts, 2 * rng.randrange(len(parts) // 2) + 1, rng.choice(table[word]))


class RandomSwap(_WordEdit):
    """Swap the places of two random words, ``n`` times (EDA's random swap).

    Separators (spaces, punctuation, emoji) stay where they are; texts with
    fewer than two words are returned unchanged.

    Parameters
    ----------
    p : float, default=0.1
        Share of the words edited: ``max(1, int(p * n_words))`` per text, none
        when 0.

    See Also
    --------
    RandomDeletion : Delete random words.

    Examples
    --------
    >>> from sk_textrec.augmentation import RandomSwap
    >>> text = RandomSwap(p=0.5).augment(["great dress, love it"], random_state=0)[0]
    >>> sorted(text.replace(",", "").split())
    ['dress', 'great', 'it', 'love']
    """

    def __init__(self, p=0.1):
        self.p = p

    def _edit(self, parts, n_words, n_edits, rng, context):
        if n_words < 2:
            return
        # random() scaled to an index: a third of the cost of randrange and
        # rng.sample, with a bias of at most n_words / 2**53.
        random = rng.random
        for _ in range(n_edits):
            i = int(random() * n_words)
            j = int(random() * (n_words - 1))
            j += j >= i
            a, b = 2 * i + 1, 2 * j + 1
            parts[a], parts[b] = parts[b], parts[a]


class RandomDeletion(_WordEdit):
    """Delete random words, never all of them (EDA's random deletion).

    A text keeps at least one word: one-word texts are returned unchanged.
    The separator that carries punctuation survives a deletion ("great
    dress, love it" -> "great, love it").

    Parameters
    ----------
    p : float, default=0.1
        Share of the words edited: ``max(1, int(p * n_words))`` per text, none
        when 0.

    See Also
    --------
    RandomSwap : Swap random words.
    CharacterNoise : Typos within words.

    Examples
    --------
    >>> from sk_textrec.augmentation import RandomDeletion
    >>> delete = RandomDeletion(p=0.5)
    >>> [len(t.split()) for t in delete.augment(["a b c d", "single"], random_state=0)]
    [2, 1]
    """

    def __init__(self, p=0.1):
        self.p = p

    def _edit(self, parts, n_words, n_edits, rng, context):
        for i in sorted(rng.sample(range(n_words), min(n_edits, n_words - 1)), reverse=True):
            delete_word(parts, 2 * i + 1)

