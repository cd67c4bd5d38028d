"""A tiny, randomly initialised BERT for fast tests and doctests (no download)."""

import atexit
import functools
import shutil
import string
import tempfile
from pathlib import Path

# Enough word pieces that English review text tokenizes into words, not only
# characters; anything else (emoji, CJK) becomes [UNK], which is still valid input.
_WORDS = """
the a an and or but not no is are was were be been it this that these those i you
she he we they my your her our their me us them to of in on at for with from by as
so very too really just also all some any more most less much many one two three
good great love loved nice perfect comfortable soft cute beautiful pretty happy
excellent amazing recommend recommended fits fit fine well works worked best better
bad poor terrible awful cheap broken returned return refund disappointed wrong
small large big tight loose short long size sizes color colour fabric quality
material price shipping arrived delivery product item dress shirt top jeans pants
shoes toy toys game kids child gift buy bought order ordered would will could
""".split()


def _vocabulary():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    characters = list(string.ascii_lowercase + string.digits + string.punctuation)
    continuations = ["##" + c for c in string.ascii_lowercase + string.digits]
    words = sorted(set(_WORDS) - set(characters))
    return specials + characters + continuations + words


@functools.lru_cache(maxsize=None)
def _cached_tiny_bert(hidden_size, num_hidden_layers, random_state):
    folder = tempfile.mkdtemp(prefix="sk_textrec_tiny_bert_")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return _write_tiny_bert(folder, hidden_size, num_hidden_layers, random_state)


def _write_tiny_bert(folder, hidden_size, num_hidden_layers, random_state):
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(_vocabulary()) + "\n", encoding="utf-8")
    # from_pretrained reads vocab.txt in both transformers 4 and 5 (their
    # constructors differ: vocab_file= versus vocab=).
    tokenizer = BertTokenizerFast.from_pretrained(folder, do_lower_case=True)
    tokenizer.save_pretrained(folder)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=128,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(random_state)
        BertModel(config).save_pretrained(folder)
    return str(folder)


def make_tiny_bert(path=None, *, hidden_size=32, num_hidden_layers=2, random_state=0):
    """Write a tiny, randomly initialised BERT and its tokenizer to a folder.

    The model has the architecture of BERT but a few thousand parameters, so
    that tests and examples of text estimators run in well under a second. It
    needs no network. Its weights are random: it learns only what a test
    trains it on.

    Parameters
    ----------
    path : str or path-like, default=None
        Folder to write to. ``None`` writes to a temporary folder that is reused
        for the same arguments within one process and removed at exit.
    hidden_size : int, default=32
        Width of the encoder.
    num_hidden_layers : int, default=2
        Number of transformer layers.
    random_state : int, default=0
        Seed of the random initial weights.

    Returns
    -------
    path : str
        The folder, loadable with ``transformers.AutoModel.from_pretrained`` and
        usable as ``model_name_or_path`` of every sk_textrec estimator.

    Examples
    --------
    >>> from transformers import AutoConfig
    >>> from sk_textrec.utils import make_tiny_bert
    >>> path = make_tiny_bert()
    >>> AutoConfig.from_pretrained(path).num_hidden_layers
    2
    """
    if path is None:
        return _cached_tiny_bert(hidden_size, num_hidden_layers, random_state)
    return _write_tiny_bert(path, hidden_size, num_hidden_layers, random_state)
