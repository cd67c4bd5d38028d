"""English synonyms from WordNet, read by nltk from nltk's data or Debian's package."""

import functools
import io
import os
import warnings
from pathlib import Path

from ..utils._optional import import_optional
from ._base import LazyStateMixin
from ._synonyms import BaseSynonyms, LazyTable

# Debian's and Ubuntu's `wordnet-base` package (the WordNet 3.0 database).
_SYSTEM_WORDNET_DIRS = ("/usr/share/wordnet",)

_INSTALL_HINT = (
    "Install nltk with `pip install 'sk-textrec[augment]'`, then the WordNet data "
    "with `python -m nltk.downloader wordnet`, or offline on Debian/Ubuntu with "
    "`apt-get install wordnet-base` (read from /usr/share/wordnet); or pass "
    "wordnet_dir, the folder of a WordNet database (index.noun, data.noun, ...)."
)

# The lexicographer file names of WordNet 3.0, in file-number order (lexnames(5WN)).
# nltk's reader requires a `lexnames` file, which Debian's package does not ship.
_LEXNAMES = """
adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute
noun.body noun.cognition noun.communication noun.event noun.feeling noun.food
noun.group noun.location noun.motive noun.object noun.person noun.phenomenon
noun.plant noun.possession noun.process noun.quantity noun.relation noun.shape
noun.state noun.substance noun.time verb.body verb.change verb.cognition
verb.communication verb.competition verb.consumption verb.contact verb.creation
verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative
verb.weather adj.ppl
""".split()
_POS_NUMBERS = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
_LEXNAMES_FILE = "".join(
    f"{number:02d}\t{name}\t{_POS_NUMBERS[name.split('.')[0]]}\n"
    for number, name in enumerate(_LEXNAMES)
)


def _is_wordnet_dir(folder):
    return all(os.path.isfile(os.path.join(folder, name)) for name in ("index.noun", "data.noun"))


@functools.lru_cache(maxsize=1)
def _nltk_reader():
    """nltk's own WordNet corpus; LookupError when its data is not installed."""
    from nltk.corpus import wordnet

    wordnet.ensure_loaded()
    return wordnet


@functools.lru_cache(maxsize=4)
def _folder_reader(folder):
    """A WordNet reader of a database folder such as Debian's /usr/share/wordnet."""
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class _Reader(WordNetCorpusReader):
        # The standard lexnames file, served from memory when the folder lacks it
        # (Debian's package), rather than copying 30 MB to add one small file.
        def open(self, file):
            if file == "lexnames" and not os.path.isfile(os.path.join(folder, file)):
                return io.StringIO(_LEXNAMES_FILE)
            return super().open(file)

        # The reader maps its synsets to nltk's own WordNet corpus for the
        # multilingual (OMW) lookups, which needs that corpus installed; synonyms
        # do not use the map, and Debian's database is WordNet 3.0 itself.
        def map_wn(self, version="wordnet"):
            return None

    # nltk >= 3.9.3 reads corpus files only under its data path: adding the
    # folder there is the authorisation nltk documents for other locations.
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    with warnings.catch_warnings():
        # The reader warns that multilingual (OMW) lookups are unavailable; they
        # are not used here.
        warnings.filterwarnings("ignore", message=".*multilingual functions")
        return _Reader(folder, None)


def find_wordnet(wordnet_dir=None):
    """The WordNet reader of ``wordnet_dir``, nltk's data or the system package."""
    import_optional("nltk", extra="augment", purpose="WordNetSynonyms")
    if wordnet_dir is not None:
        folder = str(Path(wordnet_dir).expanduser().resolve())
        if not _is_wordnet_dir(folder):
            raise ValueError(
                "The 'wordnet_dir' parameter of WordNetSynonyms must be the folder of "
                f"a WordNet database (with index.noun and data.noun). Got {str(wordnet_dir)!r} "
                "instead."
            )
        return _folder_reader(folder)
    try:
        return _nltk_reader()
    except LookupError:
        pass
    for folder in _SYSTEM_WORDNET_DIRS:
        if _is_wordnet_dir(folder):
            return _folder_reader(str(Path(folder).resolve()))
    raise LookupError(
        "WordNetSynonyms found no WordNet data: not in nltk's data path "
        f"({os.pathsep.join(map(str, _nltk_data_path()))}) nor in "
        f"{', '.join(_SYSTEM_WORDNET_DIRS)}. {_INSTALL_HINT}"
    )


def _nltk_data_path():
    import nltk

    return nltk.data.path


class WordNetSynonyms(LazyStateMixin, BaseSynonyms):
    """English synonyms from WordNet (the lemmas of a word's synsets), via nltk.

    The data is looked for in ``wordnet_dir`` if given, else in nltk's own
    corpus (``python -m nltk.downloader wordnet``), then in Debian's
    ``wordnet-base`` package (``/usr/share/wordnet``, installable offline with
    ``apt-get install wordnet-base``). Without data, the first lookup raises a
    ``LookupError`` that says how to install it. The reader is loaded once per
    process and folder; synonyms are cached per word.

    Parameters
    ----------
    wordnet_dir : str or path-like, default=None
        Folder of a WordNet database (``index.noun``, ``data.noun``, ...).

    See Also
    --------
    DictSynonyms : Synonyms from a user dictionary.
    EmbeddingNeighbourSynonyms : Neighbours in a BERT vocabulary, any language.

    Notes
    -----
    As in EDA (Wei & Zou, 2019), all parts of speech count and multi-word
    lemmas are kept ("full-length", "well fitting"). Lemmas with capitals
    (proper nouns such as the city "Nice", acronyms) are left out.

    Reading a database folder outside nltk's data path appends that folder to
    ``nltk.data.path``, which recent nltk versions require before they read
    corpus files from a location.

    Examples
    --------
    >>> from sk_textrec.augmentation import SynonymReplacement, WordNetSynonyms
    >>> replace = SynonymReplacement(p=0.3, synonyms=WordNetSynonyms())
    >>> replace.get_params()["synonyms"]
    WordNetSynonyms()

    With WordNet data installed (not on every machine, hence not run here):

    >>> "gown" in WordNetSynonyms().synonyms_of("dress")  # doctest: +SKIP
    True
    """

    _parameter_constraints = {"wordnet_dir": [str, os.PathLike, None]}
    _state_params = ("wordnet_dir",)

    def __init__(self, wordnet_dir=None):
        self.wordnet_dir = wordnet_dir

    def _load(self):
        reader = find_wordnet(self.wordnet_dir)
        return LazyTable(lambda word: _lemma_synonyms(reader, word))

    def _synonym_table(self, words):
        # Looked up on access: nltk parses each synset on first use (~0.4 ms a
        # word), so only the words an edit reaches are worth asking about.
        return self._loaded()


def _lemma_synonyms(reader, word):
    key = word.lower()
    synonyms = {}
    for synset in reader.synsets(key):
        for name in synset.lemma_names():
            if name.islower() and name != key:
                synonyms.setdefault(name.replace("_", " "), None)
    return tuple(synonyms)
