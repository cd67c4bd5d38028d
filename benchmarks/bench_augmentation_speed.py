"""Augmentation speed of sk_textrec's augmenters against nlpaug and TextAttack.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_augmentation_speed.py --setup-compare  # once: nlpaug, TextAttack
    .venv/bin/python benchmarks/bench_augmentation_speed.py                  # the reported numbers
    .venv/bin/python benchmarks/bench_augmentation_speed.py --quick          # smoke run, ~1 min

What it measures: texts per second of each augmentation operation of
``sk_textrec.augmentation`` and of its equivalents in nlpaug and TextAttack,
in one process, one run, side by side, on the same texts: 10,000 reviews
drawn with ``--seed`` from the shared ``womens_clothing_reviews/dev.csv``
(``../shared/data`` beside the checkout, ``$SK_TEXTREC_DATA_DIR``, or
``--data``). The operations: synonym replacement from WordNet and from
embedding neighbours, random insertion, swap and deletion of words (EDA, with
the same rate ``p`` = ``--p`` everywhere a library has one) and character noise
(keyboard typos, dropped characters, swapped characters, and a mix).

Each implementation is built first (untimed), gets one warm-up call on
``--warmup-texts`` other reviews (loading WordNet, embeddings, ...; at most a
fifth of ``--max-seconds``), and is then
timed on the benchmark texts, fed in chunks of 1, 2, 4, ... up to 1,024 texts
(each library's own list API, one call per chunk) until all texts are done or
``--max-seconds`` have passed; texts/s is the texts done over the time taken.
The slow libraries therefore run on the first N texts only (N is reported).
An implementation that did all texts is timed ``--repeats`` times (default 3,
a freshly built augmenter each time, so its own caches start empty) and its
best pass is kept, as the fast operations take well under a second.
Caches that an implementation fills during the timed run (synonyms per word,
neighbours per word) count in its time. Every library is seeded
(``random_state`` for ours, Python's and numpy's global RNG for the others).

For each run the share of texts changed and the mean character edit distance
between input and output (Levenshtein, when the ``Levenshtein`` package is
importable) are reported too, to show that the settings ask comparable work.

nlpaug and TextAttack are not dependencies of sk_textrec: ``--setup-compare``
installs them with ``pip install --no-deps --target`` into a throwaway folder
(``$SK_TEXTREC_COMPARE_DIR`` or ``/tmp/sk_textrec_compare``) together with the
few packages their imports need, and prepares an nltk data folder there from
Debian's ``wordnet-base`` (plus ``wordnet-sense-index``, fetched with
``apt-get download``, and the ``lexnames`` file nltk's reader wants). The run
puts that folder at the end of ``sys.path``. Network downloads are disabled:
``nltk.download`` is replaced by a function that only records the request.
What cannot run offline is reported as "n/a (reason)", never estimated.

The table is printed in markdown; everything, with a description of the
machine, is written as JSON to
``benchmarks/results/bench_augmentation_speed.json``. ``--report FILE``
prints the tables of an existing result file.
"""

import argparse
import csv
import datetime
import importlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, compare_dir, cpu_model, publish, shared_data_dir, usable_cores

DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_augmentation_speed.json"
DATA_RELATIVE = Path("womens_clothing_reviews") / "dev.csv"
SYSTEM_WORDNET = Path("/usr/share/wordnet")
TARGET_OVER_NLPAUG = 5.0
MAX_CHUNK = 1024
LIBRARIES = ("ours", "nlpaug", "textattack")
LIBRARY_LABELS = {"ours": "sk_textrec", "nlpaug": "nlpaug", "textattack": "TextAttack"}

# What --setup-compare installs, each with --no-deps: the two libraries and the
# packages that their import chains need beside what sk_textrec's environment has
# (torch, transformers, numpy, scipy, pandas, scikit-learn, nltk, tqdm, ...).
COMPARE_PACKAGES = [
    "nlpaug==1.1.11",
    "textattack==0.3.11",
    # nlpaug's word2vec reader (WordEmbsAug)
    "gensim==4.4.0", "smart_open==9.0.2",
    # textattack imports flair at import time, and flair imports these
    "flair==0.15.1", "boto3==1.44.8", "botocore==1.44.8", "s3transfer==0.19.3",
    "jmespath==1.1.0", "deprecated==1.3.1", "wrapt==2.5.2", "segtok==1.5.11",
    "sentencepiece==0.2.3", "ftfy==6.3.1", "wcwidth==0.9.4", "lxml==6.1.3", "bioc==2.1",
    "gdown==6.5.1", "beautifulsoup4==4.15.0", "soupsieve==4.1.3", "conllu==6.0.0",
    "transformer_smaller_training_vocab==0.4.2", "langdetect==1.0.9", "six==1.17.0",
    "requests==2.34.2", "urllib3==2.8.0", "certifi",
    # textattack's own imports
    "jieba==0.42.1", "lru-dict==1.4.1", "Levenshtein==0.27.5", "rapidfuzz==3.14.6",
    "pinyin==0.4.0", "OpenHowNet==2.0", "anytree==2.13.0", "lemminflect==0.2.3",
    "more_itertools==11.2.1", "num2words==0.5.14", "word2number==1.1",
    "language_tool_python==3.4.0", "psutil==7.2.2", "toml==0.10.2", "bert_score==0.3.13",
    "editdistance==0.8.1", "datasets==5.2.0", "multiprocess==0.70.19", "pyarrow==26.0.1",
    "dill==0.4.1", "xxhash==4.1.0", "terminaltables==3.1.10",
]


# --------------------------------------------------------------------------- data


def default_data_path():
    """``$SK_TEXTREC_DATA_DIR`` or ``../shared/data`` beside the checkout, + dev.csv."""
    return shared_data_dir() / DATA_RELATIVE


def load_texts(path, n_texts, n_warmup, seed):
    """``n_texts`` benchmark texts and ``n_warmup`` other texts, drawn with ``seed``."""
    with open(path, newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    order = np.random.default_rng(seed).permutation(len(texts))
    if n_texts + n_warmup > len(texts):
        sys.exit(f"{path} has {len(texts)} texts; asked for {n_texts} + {n_warmup} warm-up")
    chosen = [texts[i] for i in order[:n_texts]]
    warmup = [texts[i] for i in order[n_texts:n_texts + n_warmup]]
    return chosen, warmup


# ------------------------------------------------------- comparison environment


def compare_site(compare_dir):
    return Path(compare_dir) / "site"


def compare_nltk_data(compare_dir):
    return Path(compare_dir) / "nltk_data"


def setup_compare(compare_dir):
    """Install nlpaug, TextAttack and their import needs into ``compare_dir``.

    Nothing goes into the project's virtualenv: packages go to
    ``compare_dir/site`` (``pip install --no-deps --target``), nltk data to
    ``compare_dir/nltk_data`` (WordNet 3.0 copied from Debian's wordnet-base,
    with the ``lexnames`` file nltk's reader needs and ``index.sense`` from
    Debian's wordnet-sense-index; nltk's English stop-word list as EDA's copy
    of it, ``sk_textrec.augmentation._eda.EDA_STOP_WORDS``, because TextAttack
    loads that corpus at import time).
    """
    compare_dir = Path(compare_dir)
    site = compare_site(compare_dir)
    site.mkdir(parents=True, exist_ok=True)
    print(f"installing {len(COMPARE_PACKAGES)} packages into {site} (--no-deps) ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade",
         "--target", str(site), *COMPARE_PACKAGES],
        check=True,
    )

    wordnet = compare_nltk_data(compare_dir) / "corpora" / "wordnet"
    wordnet.mkdir(parents=True, exist_ok=True)
    if not (SYSTEM_WORDNET / "index.noun").is_file():
        print(f"warning: {SYSTEM_WORDNET} has no WordNet (apt-get install wordnet-base): "
              "the WordNet rows of nlpaug and TextAttack will be n/a")
    else:
        # Copies, not links: nltk refuses corpus files that resolve outside its root.
        for path in SYSTEM_WORDNET.iterdir():
            if path.is_file():
                shutil.copyfile(path, wordnet / path.name)
        from sk_textrec.augmentation._wordnet import _LEXNAMES_FILE

        (wordnet / "lexnames").write_text(_LEXNAMES_FILE)
    if not (wordnet / "index.sense").is_file():
        # nltk's WordNet reader maps sense keys on load: it needs index.sense.
        with tempfile.TemporaryDirectory() as tmp:
            try:
                subprocess.run(["apt-get", "download", "wordnet-sense-index"], cwd=tmp,
                               check=True, capture_output=True)
                deb = next(Path(tmp).glob("wordnet-sense-index_*.deb"))
                subprocess.run(["dpkg", "-x", str(deb), str(Path(tmp) / "x")], check=True)
                shutil.copyfile(Path(tmp) / "x/usr/share/wordnet/index.sense",
                                wordnet / "index.sense")
            except (OSError, subprocess.CalledProcessError, StopIteration) as exc:
                print(f"warning: could not get index.sense from Debian's wordnet-sense-index "
                      f"({exc}); the WordNet rows of nlpaug and TextAttack will be n/a")

    stopwords = compare_nltk_data(compare_dir) / "corpora" / "stopwords"
    stopwords.mkdir(parents=True, exist_ok=True)
    from sk_textrec.augmentation._eda import EDA_STOP_WORDS

    (stopwords / "english").write_text("\n".join(sorted(EDA_STOP_WORDS)) + "\n")
    print(f"comparison environment ready in {compare_dir}")


DOWNLOAD_REQUESTS = []


def activate_compare(compare_dir):
    """Make the comparison folder importable and nltk offline; return notes."""
    notes = []
    site = compare_site(compare_dir)
    if site.is_dir() and str(site) not in sys.path:
        sys.path.append(str(site))  # last: the project's own packages win
    import nltk

    nltk_data = compare_nltk_data(compare_dir)
    if nltk_data.is_dir() and str(nltk_data) not in nltk.data.path:
        nltk.data.path.insert(0, str(nltk_data))

    def no_download(*args, **kwargs):
        DOWNLOAD_REQUESTS.append(str(args[0]) if args else str(kwargs.get("info_or_id")))
        return False

    nltk.download = no_download
    notes.append("nltk.download disabled (offline); requests are recorded")
    return notes


def import_textattack():
    """``import textattack``: it imports flair, which needs a name transformers 5 dropped."""
    import transformers

    patched = []
    for name in ("LayoutLMv2FeatureExtractor",):  # imported by flair.embeddings, unused here
        try:
            getattr(transformers, name)
        except AttributeError:
            setattr(transformers, name, type(name, (), {}))
            patched.append(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        textattack = importlib.import_module("textattack")
    return textattack, patched


def library_version(name):
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # noqa: BLE001 - any failure: unknown
        return None


# ------------------------------------------------------------ implementations


class NotAvailable(Exception):
    """An operation a library cannot run here; the message says why."""


def embedding_vocabulary():
    """Whole-word entries of the packaged MiniLM vocabulary and their unit embeddings.

    The very matrix ``EmbeddingNeighbourSynonyms`` searches, so that the three
    libraries look for neighbours among the same words and vectors.
    """
    from sk_textrec.augmentation._synonyms import _embedding_vocabulary
    from sk_textrec.utils._optional import default_model_path

    words, matrix, index = _embedding_vocabulary(default_model_path())
    return words, matrix, index


def nearest_neighbour_matrix(matrix, k):
    """Row i: the ``k`` rows most cosine-similar to row i, best first (itself first).

    TextAttack's ``WordEmbedding`` wants this precomputed (it ships one with its
    own embeddings); its on-the-fly path fails in 0.3.11
    (``dist.topk(...)[1:].tolist()`` slices the (values, indices) pair).
    Computed before timing, so TextAttack's time has no neighbour search in it.
    """
    neighbours = np.empty((len(matrix), k), dtype=np.int64)
    for start in range(0, len(matrix), 1024):
        similarity = matrix[start:start + 1024] @ matrix.T
        top = np.argpartition(-similarity, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(similarity, top, axis=1), axis=1, kind="stable")
        neighbours[start:start + 1024] = np.take_along_axis(top, order, axis=1)
    return neighbours


def word2vec_file(compare_dir):
    """The MiniLM whole-word vectors in word2vec binary format (for nlpaug)."""
    path = Path(compare_dir) / "minilm_whole_words.w2v.bin"
    if not path.is_file():
        from gensim.models import KeyedVectors

        words, matrix, _ = embedding_vocabulary()
        vectors = KeyedVectors(vector_size=matrix.shape[1])
        vectors.add_vectors(words, matrix)
        vectors.save_word2vec_format(str(path), binary=True)
    return path


def ours_factories(args):
    from sk_textrec.augmentation import (
        CharacterNoise,
        EmbeddingNeighbourSynonyms,
        RandomDeletion,
        RandomInsertion,
        RandomSwap,
        SynonymReplacement,
        WordNetSynonyms,
    )

    p, cp = args.p, args.char_p
    # nlpaug and TextAttack share nltk's WordNet reader (nltk.corpus.wordnet), whose
    # synset caches would be warm after our run: ours reads the same files through
    # a reader of its own (a fresh synonym cache per operation, too), so that no
    # library starts with caches another one filled.
    folder = compare_nltk_data(args.compare_dir) / "corpora" / "wordnet"
    wordnet_dir = str(folder) if (folder / "index.noun").is_file() else None

    def wordnet():
        return WordNetSynonyms(wordnet_dir=wordnet_dir)

    return {
        "synonym_wordnet": (f"SynonymReplacement(p={p}, synonyms=WordNetSynonyms())",
                            lambda: SynonymReplacement(p=p, synonyms=wordnet())),
        "synonym_embedding": (
            f"SynonymReplacement(p={p}, synonyms=EmbeddingNeighbourSynonyms(n_neighbors=5)) "
            "(packaged MiniLM vocabulary, min_similarity=0.5)",
            lambda: SynonymReplacement(p=p, synonyms=EmbeddingNeighbourSynonyms(n_neighbors=5))),
        "random_insertion": (f"RandomInsertion(p={p}, synonyms=WordNetSynonyms())",
                             lambda: RandomInsertion(p=p, synonyms=wordnet())),
        "random_swap": (f"RandomSwap(p={p})", lambda: RandomSwap(p=p)),
        "random_deletion": (f"RandomDeletion(p={p})", lambda: RandomDeletion(p=p)),
        "char_keyboard": (f"CharacterNoise(p={cp}, operations=('keyboard',))",
                          lambda: CharacterNoise(p=cp, operations=("keyboard",))),
        "char_drop": (f"CharacterNoise(p={cp}, operations=('drop',))",
                      lambda: CharacterNoise(p=cp, operations=("drop",))),
        "char_swap": (f"CharacterNoise(p={cp}, operations=('swap',))",
                      lambda: CharacterNoise(p=cp, operations=("swap",))),
        "char_mixed": (f"CharacterNoise(p={cp}) (keyboard, drop, duplicate, swap)",
                       lambda: CharacterNoise(p=cp)),
    }


def ours_runner(augmenter, seed):
    return lambda texts: augmenter.augment(texts, random_state=seed)


def nlpaug_factories(args, stop_words):
    import nlpaug.augmenter.char as nac
    import nlpaug.augmenter.word as naw

    p = args.p
    word = dict(aug_p=p, aug_min=1, aug_max=None)
    # About as many edited characters per text as ours at char_p per character
    # (the edit distances in the second table show how close).
    char = dict(aug_word_p=args.nlpaug_word_p, aug_char_p=args.nlpaug_char_p,
                aug_word_max=None, aug_char_max=None, stopwords=list(stop_words))
    char_text = (f"aug_word_p={args.nlpaug_word_p}, aug_char_p={args.nlpaug_char_p}, "
                 "no max, EDA stop words")

    def synonym_wordnet():
        import nltk

        from nlpaug.model.word_dict import WordNet

        try:
            nltk.pos_tag(["test"])
        except LookupError:
            # The averaged_perceptron_tagger_eng data cannot be installed offline.
            WordNet.pos_tag = classmethod(lambda cls, tokens: [(t, "") for t in tokens])
        return naw.SynonymAug(aug_src="wordnet", stopwords=list(stop_words), **word)

    def embedding(action):
        def build():
            return naw.WordEmbsAug(
                model_type="word2vec", model_path=str(word2vec_file(args.compare_dir)),
                action=action, top_k=5, stopwords=list(stop_words), **word)
        return build

    return {
        "synonym_wordnet": (
            f"SynonymAug(aug_src='wordnet', aug_p={p}, aug_max=None, EDA stop words); "
            "POS tagging skipped: nltk's averaged_perceptron_tagger_eng data is not installable "
            "offline, so synonyms of all parts of speech are used (as by EDA and ours) and "
            "nlpaug does less work than with its tagger: its texts/s is an upper bound",
            synonym_wordnet),
        "synonym_embedding": (
            f"WordEmbsAug(word2vec file of the same MiniLM whole-word vectors, "
            f"action='substitute', top_k=5, aug_p={p}, aug_max=None, EDA stop words)",
            embedding("substitute")),
        "random_insertion": (
            f"WordEmbsAug(same vectors, action='insert', aug_p={p}, aug_max=None): nlpaug's "
            "nearest insertion op; it inserts a random vocabulary word, not a synonym",
            embedding("insert")),
        "random_swap": (f"RandomWordAug(action='swap', aug_p={p}, aug_max=None) "
                        "(swaps adjacent words)",
                        lambda: naw.RandomWordAug(action="swap", **word)),
        "random_deletion": (f"RandomWordAug(action='delete', aug_p={p}, aug_max=None)",
                            lambda: naw.RandomWordAug(action="delete", **word)),
        "char_keyboard": (
            f"KeyboardAug({char_text}, include_special_char=False, include_upper_case=False)",
            lambda: nac.KeyboardAug(include_special_char=False, include_upper_case=False, **char)),
        "char_drop": (f"RandomCharAug(action='delete', {char_text})",
                      lambda: nac.RandomCharAug(action="delete", **char)),
        "char_swap": (f"RandomCharAug(action='swap', {char_text})",
                      lambda: nac.RandomCharAug(action="swap", **char)),
        "char_mixed": "no single augmenter mixes typo kinds; see the three rows above",
    }


def nlpaug_runner(augmenter, seed):
    def run(texts):
        output = augmenter.augment(list(texts))
        return [output] if isinstance(output, str) else list(output)

    return run


def textattack_factories(args, stop_words):
    from textattack.augmentation import Augmenter
    from textattack.constraints.pre_transformation import (
        RepeatModification,
        StopwordModification,
    )
    from textattack.shared import WordEmbedding
    from textattack.transformations import (
        CompositeTransformation,
        WordDeletion,
        WordInnerSwapRandom,
        WordSwapEmbedding,
        WordSwapNeighboringCharacterSwap,
        WordSwapQWERTY,
        WordSwapRandomCharacterDeletion,
        WordSwapRandomCharacterInsertion,
        WordSwapWordNet,
    )
    from textattack.transformations.word_insertions import WordInsertionRandomSynonym

    p = args.p

    def augmenter(make_transformation):
        def build():
            return Augmenter(
                transformation=make_transformation(),
                constraints=[RepeatModification(), StopwordModification(stopwords=stop_words)],
                pct_words_to_swap=p, transformations_per_example=1, fast_augment=True)
        return build

    def embedding():
        words, matrix, index = embedding_vocabulary()
        return WordSwapEmbedding(
            max_candidates=5,
            embedding=WordEmbedding(matrix, dict(index), dict(enumerate(words)),
                                    nn_matrix=nearest_neighbour_matrix(matrix, 5 + 1)))

    common = (f"Augmenter(pct_words_to_swap={p}, transformations_per_example=1, "
              "fast_augment=True, constraints: RepeatModification, StopwordModification(EDA "
              "stop words))")
    char = "one character per chosen word (random_one=True)"
    return {
        "synonym_wordnet": (f"WordSwapWordNet(); {common}", augmenter(WordSwapWordNet)),
        "synonym_embedding": (
            "WordSwapEmbedding(max_candidates=5, the same MiniLM whole-word vectors, nearest "
            "neighbours precomputed before timing: TextAttack's on-the-fly search fails in "
            f"0.3.11); {common}",
            augmenter(embedding)),
        "random_insertion": (f"WordInsertionRandomSynonym(); {common}",
                             augmenter(WordInsertionRandomSynonym)),
        "random_swap": (f"WordInnerSwapRandom(); {common}", augmenter(WordInnerSwapRandom)),
        "random_deletion": (f"WordDeletion(); {common}", augmenter(WordDeletion)),
        "char_keyboard": (f"WordSwapQWERTY(), {char}; {common}", augmenter(WordSwapQWERTY)),
        "char_drop": (f"WordSwapRandomCharacterDeletion(), {char}; {common}",
                      augmenter(WordSwapRandomCharacterDeletion)),
        "char_swap": (f"WordSwapNeighboringCharacterSwap(), {char}; {common}",
                      augmenter(WordSwapNeighboringCharacterSwap)),
        "char_mixed": (
            "CompositeTransformation([WordSwapQWERTY, WordSwapRandomCharacterDeletion, "
            f"WordSwapNeighboringCharacterSwap, WordSwapRandomCharacterInsertion]); {common}",
            augmenter(lambda: CompositeTransformation([
                WordSwapQWERTY(), WordSwapRandomCharacterDeletion(),
                WordSwapNeighboringCharacterSwap(), WordSwapRandomCharacterInsertion()]))),
    }


def textattack_runner(augmenter, seed):
    def run(texts):
        output = []
        for text in texts:
            augmented = augmenter.augment(text)
            output.append(augmented[0] if augmented else text)
        return output

    return run


OPERATIONS = {
    "synonym_wordnet": "synonym replacement, WordNet",
    "synonym_embedding": "synonym replacement, embedding neighbours",
    "random_insertion": "random insertion (EDA)",
    "random_swap": "random swap (EDA)",
    "random_deletion": "random deletion (EDA)",
    "char_keyboard": "character noise: keyboard typos",
    "char_drop": "character noise: dropped characters",
    "char_swap": "character noise: swapped characters",
    "char_mixed": "character noise: mixed kinds",
}


# --------------------------------------------------------------------- timing


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass


def time_run(run, texts, max_seconds):
    """Run on chunks of 1, 2, 4, ... texts until all are done or time is up."""
    outputs, done, chunk = [], 0, 1
    start = time.perf_counter()
    while done < len(texts):
        batch = texts[done:done + chunk]
        result = run(batch)
        if len(result) != len(batch):
            raise RuntimeError(f"{len(result)} outputs for {len(batch)} texts")
        outputs.extend(result)
        done += len(batch)
        if time.perf_counter() - start >= max_seconds:
            break
        chunk = min(2 * chunk, MAX_CHUNK)
    return time.perf_counter() - start, outputs


def edit_distance_function():
    try:
        import Levenshtein

        return Levenshtein.distance
    except ImportError:
        return None


def measure(library, key, settings, factory, runner, texts, warmup, args, distance):
    """Build (untimed), warm up, time: a result dict, "n/a" with the reason on failure."""
    result = {"library": library, "operation": key, "settings": settings}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            passes = []
            for _ in range(args.repeats):
                # A fresh augmenter each pass: its own caches start empty every time.
                run = runner(factory(), args.seed)
                seed_everything(args.seed)
                # Warm-up in growing chunks too, for at most a fifth of the timing
                # budget: the slowest library needs seconds per text.
                time_run(run, warmup, args.max_seconds / 5)
                seed_everything(args.seed)
                passes.append(time_run(run, texts, args.max_seconds))
                if len(passes[-1][1]) < len(texts):
                    break  # capped by time: one pass only
            seconds, outputs = min(passes, key=lambda item: item[0] / len(item[1]))
    except NotAvailable as exc:
        return {**result, "status": "n/a", "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a library failing is a result to report
        return {**result, "status": "n/a", "reason": f"{type(exc).__name__}: {exc}"[:300]}
    done = texts[:len(outputs)]
    changed = sum(a != b for a, b in zip(done, outputs))
    result.update(
        status="ok",
        n_texts=len(outputs),
        seconds=seconds,
        passes=len(passes),
        all_pass_seconds=[p[0] for p in passes],
        texts_per_s=len(outputs) / seconds,
        changed_share=changed / len(outputs),
        example=outputs[0][:200],
    )
    if distance is not None:
        result["mean_char_edits"] = float(np.mean([distance(a, b) for a, b in zip(done, outputs)]))
    return result


# ------------------------------------------------------------------ environment


def machine_description():
    versions = {name: library_version(dist) for name, dist in (
        ("sk_textrec", "sk-textrec"), ("nlpaug", "nlpaug"), ("textattack", "textattack"),
        ("nltk", "nltk"), ("gensim", "gensim"), ("flair", "flair"), ("numpy", "numpy"),
        ("torch", "torch"), ("transformers", "transformers"))}
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "versions": versions,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


# ----------------------------------------------------------------------- report


def _speed(result):
    if result is None:
        return "-"
    if result["status"] != "ok":
        return f"n/a ({result['reason']})"
    return f"{result['texts_per_s']:,.1f}"


def _ratio(ours, other):
    if ours is None or other is None or ours["status"] != "ok" or other["status"] != "ok":
        return None
    return ours["texts_per_s"] / other["texts_per_s"]


def _first_pass_ratio(ours, other):
    """ours / other on their first timed passes (caches of the WordNet reader cold)."""
    if _ratio(ours, other) is None:
        return None
    first = [r["n_texts"] / r.get("all_pass_seconds", [r["seconds"]])[0] for r in (ours, other)]
    return first[0] / first[1]


def markdown_report(payload):
    results, summary, machine = payload["results"], payload["summary"], payload["machine"]
    libraries = summary["libraries"]
    head = ["operation"] + [f"{LIBRARY_LABELS[lib]} texts/s" for lib in libraries]
    if "nlpaug" in libraries:
        head += [f"ours / nlpaug (target >= {TARGET_OVER_NLPAUG:g}x)"]
    if "textattack" in libraries:
        head += ["ours / TextAttack"]
    rows = ["| " + " | ".join(head) + " |",
            "| --- |" + " ---: |" * (len(head) - 1)]
    for key, label in OPERATIONS.items():
        if key not in results:
            continue
        by_lib = results[key]
        cells = [label] + [_speed(by_lib.get(lib)) for lib in libraries]
        if "nlpaug" in libraries:
            ratio = summary["ratios"][key].get("nlpaug")
            first = _first_pass_ratio(by_lib.get("ours"), by_lib.get("nlpaug"))
            cells.append("-" if ratio is None else
                         f"{ratio:.1f}x {'PASS' if ratio >= TARGET_OVER_NLPAUG else 'FAIL'} "
                         f"(first pass {first:.1f}x)")
        if "textattack" in libraries:
            ratio = summary["ratios"][key].get("textattack")
            cells.append("-" if ratio is None else f"{ratio:,.0f}x")
        rows.append("| " + " | ".join(cells) + " |")

    work = ["| operation | library | texts timed | seconds | texts changed | mean char edits |",
            "| --- | --- | ---: | ---: | ---: | ---: |"]
    for key, label in OPERATIONS.items():
        for lib in libraries:
            r = results.get(key, {}).get(lib)
            if r is None or r["status"] != "ok":
                continue
            edits = r.get("mean_char_edits")
            work.append(
                f"| {label} | {LIBRARY_LABELS[lib]} | {r['n_texts']:,} | {r['seconds']:.2f} | "
                f"{r['changed_share']:.0%} | {'-' if edits is None else f'{edits:.1f}'} |")

    settings = []
    for key, label in OPERATIONS.items():
        for lib in libraries:
            r = results.get(key, {}).get(lib)
            if r is not None:
                settings.append(f"  - {label}, {LIBRARY_LABELS[lib]}: {r['settings']}")
    versions = machine["versions"]
    verdict = summary["pass_count"], summary["compared_count"]
    lines = [
        *rows,
        "",
        f"- {summary['n_texts']:,} reviews from {summary['data_source']} (drawn with seed "
        f"{summary['seed']}), word rate p = {summary['p']}, character rate "
        f"{summary['char_p']} per letter/digit for ours; each implementation warmed up on "
        f"up to {summary['warmup_texts']} other reviews (at most {summary['max_seconds'] / 5:g} s), "
        "then timed in chunks of 1, 2, 4, ... "
        f"{MAX_CHUNK} texts until all {summary['n_texts']:,} were done or "
        f"{summary['max_seconds']:g} s had passed (texts/s = texts done / seconds); "
        f"best of {summary['repeats']} passes (a fresh augmenter each) where a pass did all "
        "texts, one pass where time ran out",
        f"- ours >= {TARGET_OVER_NLPAUG:g}x nlpaug on {verdict[0]} of the {verdict[1]} "
        "operations that nlpaug can run here (best passes); \"first pass\": ratio of the first "
        "passes; each library's nltk WordNet reader is new in its first WordNet operation's "
        "first pass and then kept, with its caches, by all later passes and operations",
        f"- {machine['cpu_model']}, {machine['usable_cores']} usable cores, Python "
        f"{machine['python']}, sk_textrec {versions.get('sk_textrec')}, nlpaug "
        f"{versions.get('nlpaug')}, TextAttack {versions.get('textattack')}, nltk "
        f"{versions.get('nltk')}, {machine['date']}",
        "",
        "What each run did:",
        "",
        *work,
        "",
        "Settings:",
        "",
        *settings,
    ]
    if summary.get("notes"):
        lines += ["", "Notes:", "", *(f"  - {note}" for note in summary["notes"])]
    return "\n".join(lines)


# ------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-texts", type=int, default=10_000)
    parser.add_argument("--warmup-texts", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=15.0,
                        help="time after which an implementation stops taking new chunks "
                        "(default 15)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed passes per implementation, best kept (default 3); a pass "
                        "stopped by --max-seconds is not repeated")
    parser.add_argument("--p", type=float, default=0.1, help="word rate of the EDA ops")
    parser.add_argument("--char-p", type=float, default=0.025,
                        help="per-character rate of ours (default 0.025)")
    parser.add_argument("--nlpaug-word-p", type=float, default=0.05,
                        help="aug_word_p of nlpaug's character augmenters (default 0.05: about "
                        "as many edited characters as ours at --char-p 0.025)")
    parser.add_argument("--nlpaug-char-p", type=float, default=0.1)
    parser.add_argument("--libraries", default=",".join(LIBRARIES),
                        help="comma-separated subset of ours,nlpaug,textattack")
    parser.add_argument("--operations", default=",".join(OPERATIONS),
                        help="comma-separated subset of " + ",".join(OPERATIONS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None,
                        help="CSV with a 'text' column (default: womens_clothing_reviews/dev.csv "
                        "under $SK_TEXTREC_DATA_DIR or ../shared/data)")
    parser.add_argument("--compare-dir", type=Path,
                        default=compare_dir(),
                        help="folder of the comparison libraries (default $SK_TEXTREC_COMPARE_DIR "
                        "or sk_textrec_compare in the temp folder)")
    parser.add_argument("--setup-compare", action="store_true",
                        help="install nlpaug and TextAttack into --compare-dir, then exit")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 500 texts, 2 s per implementation")
    parser.add_argument("--report", type=Path, default=None,
                        help="print the tables of an existing result JSON and exit")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"result JSON (default {DEFAULT_OUTPUT.relative_to(REPO_ROOT)}; "
                        "--quick: bench_augmentation_speed.quick.json in the temp folder)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.report is not None:
        print(markdown_report(json.loads(args.report.read_text())))
        return
    if args.setup_compare:
        setup_compare(args.compare_dir)
        return
    if args.quick:
        args.n_texts, args.max_seconds, args.warmup_texts, args.repeats = 500, 2.0, 10, 1
    if args.output is None:
        args.output = (Path(tempfile.gettempdir()) / "bench_augmentation_speed.quick.json"
                       if args.quick else DEFAULT_OUTPUT)
    libraries = [lib for lib in args.libraries.split(",") if lib]
    operations = [op for op in args.operations.split(",") if op]
    for name, allowed in ((libraries, LIBRARIES), (operations, OPERATIONS)):
        unknown = set(name) - set(allowed)
        if unknown:
            sys.exit(f"unknown: {', '.join(sorted(unknown))}; choose from {', '.join(allowed)}")
    # Ours always runs (every ratio needs it), the libraries in a fixed order.
    libraries = [lib for lib in LIBRARIES if lib == "ours" or lib in libraries]

    data_path = args.data or default_data_path()
    if not data_path.is_file():
        sys.exit(f"{data_path}: no such file (use --data or SK_TEXTREC_DATA_DIR)")
    texts, warmup = load_texts(data_path, args.n_texts, args.warmup_texts, args.seed)
    print(f"{len(texts)} texts from {data_path}", flush=True)

    from sk_textrec.augmentation._eda import EDA_STOP_WORDS

    stop_words = sorted(EDA_STOP_WORDS)
    notes = []
    if set(libraries) - {"ours"}:
        if not compare_site(args.compare_dir).is_dir():
            print(f"warning: {compare_site(args.compare_dir)} does not exist: run with "
                  "--setup-compare first; nlpaug and TextAttack will be n/a")
        notes += activate_compare(args.compare_dir)

    factories = {"ours": (ours_factories(args), ours_runner)}
    if "nlpaug" in libraries:
        try:
            factories["nlpaug"] = (nlpaug_factories(args, stop_words), nlpaug_runner)
        except ImportError as exc:
            factories["nlpaug"] = (f"not installed ({exc}); run --setup-compare", None)
    if "textattack" in libraries:
        try:
            _, patched = import_textattack()
            if patched:
                notes.append(
                    "TextAttack 0.3.11 imports flair at import time, and flair 0.15.1 imports "
                    f"{', '.join(patched)}, which transformers 5 no longer has: an empty "
                    "placeholder class is set on transformers before the import (flair's "
                    "models, which would use it, are not used by any operation here)")
            factories["textattack"] = (textattack_factories(args, stop_words), textattack_runner)
        except Exception as exc:  # noqa: BLE001 - cannot import: every row n/a
            reason = f"cannot be imported here: {type(exc).__name__}: {exc}"[:300]
            factories["textattack"] = (reason, None)

    distance = edit_distance_function()
    if distance is None:
        notes.append("Levenshtein not importable: no edit distances")
    results = {}
    for key in operations:
        results[key] = {}
        for lib in libraries:
            table, runner = factories[lib]
            if runner is None:  # the whole library is unavailable
                results[key][lib] = {"library": lib, "operation": key, "settings": "-",
                                     "status": "n/a", "reason": table}
                continue
            entry = table[key]
            if isinstance(entry, str):
                results[key][lib] = {"library": lib, "operation": key, "settings": "-",
                                     "status": "n/a", "reason": entry}
                continue
            settings, factory = entry
            print(f"timing {OPERATIONS[key]} / {LIBRARY_LABELS[lib]} ...", flush=True)
            results[key][lib] = measure(lib, key, settings, factory, runner, texts, warmup,
                                        args, distance)
            r = results[key][lib]
            print("   ", f"{r['texts_per_s']:,.1f} texts/s on {r['n_texts']} texts"
                  if r["status"] == "ok" else f"n/a: {r['reason']}", flush=True)

    ratios = {key: {lib: _ratio(results[key].get("ours"), results[key].get(lib))
                    for lib in libraries if lib != "ours"} for key in operations}
    compared = [r["nlpaug"] for r in ratios.values() if r.get("nlpaug") is not None]
    if DOWNLOAD_REQUESTS:
        notes.append("download requests refused (offline): "
                     + ", ".join(sorted(set(DOWNLOAD_REQUESTS))))
    summary = {
        "n_texts": len(texts),
        "data_source": f"{data_path.parent.name}/{data_path.name}",
        "seed": args.seed,
        "p": args.p,
        "char_p": args.char_p,
        "warmup_texts": args.warmup_texts,
        "max_seconds": args.max_seconds,
        "repeats": args.repeats,
        "max_chunk": MAX_CHUNK,
        "quick": args.quick,
        "libraries": libraries,
        "ratios": ratios,
        "first_pass_ratios": {key: {lib: _first_pass_ratio(results[key].get("ours"),
                                                           results[key].get(lib))
                                    for lib in libraries if lib != "ours"}
                              for key in operations},
        "target_over_nlpaug": TARGET_OVER_NLPAUG,
        "pass_count": sum(r >= TARGET_OVER_NLPAUG for r in compared),
        "compared_count": len(compared),
        "notes": notes,
    }
    payload = {"machine": machine_description(), "summary": summary, "results": results}
    report = markdown_report(payload)
    publish(payload, report, args.output)


if __name__ == "__main__":
    main()
