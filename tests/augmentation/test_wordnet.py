"""Tests of WordNetSynonyms (sk_textrec/augmentation/_wordnet.py)."""

import os
import pickle
import sys
from collections import Counter

import pytest

from sk_textrec.augmentation import RandomInsertion, SynonymReplacement, WordNetSynonyms
from sk_textrec.augmentation import _wordnet
from sk_textrec.augmentation._eda import EDA_STOP_WORDS
from sk_textrec.augmentation._tokens import split_words

DEBIAN_WORDNET = "/usr/share/wordnet"


@pytest.fixture(scope="module")
def wordnet_reader():
    """The WordNet reader found on this machine, or a skip that says how to get one."""
    pytest.importorskip("nltk")
    try:
        return _wordnet.find_wordnet()
    except LookupError:
        pytest.skip("no WordNet data on this machine: `python -m nltk.downloader wordnet` "
                    "or `apt-get install wordnet-base`")


@pytest.fixture
def no_wordnet_data(monkeypatch, tmp_path):
    """Hide nltk's WordNet corpus and the system folders."""

    def missing():
        raise LookupError("Resource wordnet not found.")

    monkeypatch.setattr(_wordnet, "_nltk_reader", missing)
    monkeypatch.setattr(_wordnet, "_SYSTEM_WORDNET_DIRS", (str(tmp_path),))


def test_wordnet_synonyms_missing_data_says_how_to_install(no_wordnet_data):
    """Check that without data the error names the extra, nltk's downloader and apt."""
    pytest.importorskip("nltk")
    message = r"sk-textrec\[augment\].*nltk\.downloader wordnet.*apt-get install wordnet-base"
    with pytest.raises(LookupError, match=message):
        WordNetSynonyms().synonyms_of("dress")
    with pytest.raises(LookupError, match="found no WordNet data"):
        SynonymReplacement(synonyms=WordNetSynonyms()).augment(["great dress"])


def test_wordnet_synonyms_missing_nltk_names_the_extra(monkeypatch):
    """Check that without nltk the ImportError names the 'augment' extra."""
    monkeypatch.setitem(sys.modules, "nltk", None)
    with pytest.raises(ImportError, match=r"pip install 'sk-textrec\[augment\]'"):
        WordNetSynonyms().synonyms_of("dress")


def test_wordnet_synonyms_bad_wordnet_dir(tmp_path):
    """Check that a folder without a WordNet database is rejected, naming the parameter."""
    pytest.importorskip("nltk")
    with pytest.raises(ValueError, match="The 'wordnet_dir' parameter of WordNetSynonyms"):
        WordNetSynonyms(wordnet_dir=tmp_path).synonyms_of("dress")
    with pytest.raises(ValueError, match="The 'wordnet_dir' parameter of WordNetSynonyms must be"):
        WordNetSynonyms(wordnet_dir=3).synonyms_of("dress")


def test_wordnet_synonyms_of_real_words(wordnet_reader):
    """Check that WordNet gives synonyms, lower-case, without the word itself."""
    source = WordNetSynonyms()
    dress = source.synonyms_of("dress")
    assert {"gown", "frock"} & set(dress) and "dress" not in dress
    assert source.synonyms_of("Dress") == dress
    assert all(s == s.lower() for s in source.synonyms_of("nice"))  # no city "Nice"
    assert source.synonyms_of("qwzxv") == [] and source.synonyms_of("好") == []


def test_wordnet_synonyms_in_eda(wordnet_reader):
    """Check that replacements and insertions come from WordNet and texts keep their form."""
    text = "The dress is great and the fabric is soft 😀"
    replaced = SynonymReplacement(p=0.5).augment([text] * 4, random_state=0)
    stop_words = Counter(w.lower() for w in split_words(text)[1::2] if w.lower() in EDA_STOP_WORDS)
    for out in replaced:
        assert out.endswith("😀") and out != text
        kept = Counter(w.lower() for w in split_words(out)[1::2] if w.lower() in EDA_STOP_WORDS)
        assert not stop_words - kept  # stop words are never replaced
    inserted = RandomInsertion(p=0.2, synonyms=WordNetSynonyms()).augment([text], random_state=0)[0]
    assert len(inserted) > len(text)


def test_wordnet_synonyms_pickle_and_shared_reader(wordnet_reader):
    """Check that pickles drop the reader and that instances share one per folder."""
    source = WordNetSynonyms()
    expected = source.synonyms_of("great")
    restored = pickle.loads(pickle.dumps(source))
    assert "_lazy_state" not in vars(restored)
    assert restored.synonyms_of("great") == expected
    assert _wordnet.find_wordnet() is wordnet_reader  # one reader per process and folder


@pytest.mark.skipif(not os.path.isfile(os.path.join(DEBIAN_WORDNET, "index.noun")),
                    reason="Debian's wordnet-base is not installed (apt-get install wordnet-base)")
def test_wordnet_debian_folder_without_lexnames():
    """Check that Debian's folder (no lexnames file) reads, with the right lexicographer files."""
    pytest.importorskip("nltk")
    assert not os.path.exists(os.path.join(DEBIAN_WORDNET, "lexnames"))
    reader = _wordnet._folder_reader(DEBIAN_WORDNET)
    assert reader.synset("dress.n.01").lexname() == "noun.artifact"
    assert reader.synset("dress.v.01").lexname() == "verb.body"
    assert reader.synset("great.a.01").lexname() == "adj.all"
    assert "frock" in WordNetSynonyms(wordnet_dir=DEBIAN_WORDNET).synonyms_of("dress")


def test_wordnet_lexnames_table():
    """Check the built-in lexnames file: 45 numbered lines with WordNet's part-of-speech codes."""
    lines = _wordnet._LEXNAMES_FILE.splitlines()
    assert len(lines) == 45
    assert lines[0] == "00\tadj.all\t3" and lines[3] == "03\tnoun.Tops\t1"
    assert lines[29] == "29\tverb.body\t2" and lines[44] == "44\tadj.ppl\t3"
