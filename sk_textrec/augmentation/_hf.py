"""HuggingFace glue of the model-based augmenters: loading, vocabularies, batches.

torch and transformers are imported inside the functions, when a model is used.
"""

import contextlib

import numpy as np

from ._tokens import is_cjk_char, is_word

# Word-start markers of byte-level BPE (RoBERTa, GPT-2) and SentencePiece
# vocabularies; WordPiece (BERT) marks the other way round, continuations "##".
_WORD_START_MARKERS = ("\u0120", "\u2581")


def load_pretrained(auto_class_name, source, device, *, purpose, input_name="model_name_or_path"):
    """Load a tokenizer and a model (``transformers.<auto_class_name>``) onto ``device``.

    ``source`` is a folder or hub id (None: the packaged MiniLM), resolved by
    the package's one rule; ``input_name`` is the parameter that gave it.
    """
    import transformers

    from ..models._module import _no_progress_bars
    from ..utils._model_source import model_load_errors, resolve_model_source

    auto_class = getattr(transformers, auto_class_name)
    source = resolve_model_source(source, input_name=input_name)
    with _no_progress_bars(), model_load_errors(source, purpose=purpose, input_name=input_name):
        tokenizer = transformers.AutoTokenizer.from_pretrained(source)
        model = auto_class.from_pretrained(source)
    return tokenizer, model.to(device).eval()


def whole_word_vocabulary(tokenizer):
    """The ids of the vocabulary entries that are whole words, and those words.

    Special tokens, word pieces ("##ing" in WordPiece; pieces without the word
    start marker in BPE and SentencePiece) and punctuation are left out. A
    single CJK character is a whole word wherever it stands. In BPE and
    SentencePiece vocabularies a word-start piece cannot be told from a word
    ("Ġdre" of "dresses"), so such pieces count as words.

    Returns
    -------
    ids : ndarray of int64
        Sorted token ids.
    words : list of str
        The word each id stands for.
    """
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    special = set(tokenizer.all_special_ids)
    # The convention shows in how a second word is tokenized ("a b": "Ġb", "▁b", "b").
    probe = tokenizer.tokenize("a b")
    marker = next((m for m in _WORD_START_MARKERS if any(t.startswith(m) for t in probe)), None)
    ids, words = [], []
    for token, token_id in vocab:
        if token_id in special:
            continue
        if marker is None:
            word = token if not token.startswith("##") else ""
        else:
            # Decoding turns the marker into a space and bytes into characters.
            word = tokenizer.convert_tokens_to_string([token])
            word = word.strip()
            if not token.startswith(marker) and not is_cjk_char(word):
                word = ""
        if word and is_word(word):
            ids.append(token_id)
            words.append(word)
    return np.asarray(ids, dtype=np.int64), words


def length_sorted_batches(lengths, batch_size):
    """Index arrays of batches of rows of similar length (less padding)."""
    order = np.argsort(lengths, kind="stable")
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def with_progress(batches, description, verbose):
    """Iterate ``batches`` (index arrays), with a progress bar over their texts when ``verbose``."""
    from tqdm.auto import tqdm

    with tqdm(total=sum(len(batch) for batch in batches), desc=description, unit="text",
              disable=not verbose) as bar:
        for batch in batches:
            yield batch
            bar.update(len(batch))


@contextlib.contextmanager
def seeded_torch(seed, device):
    """A context in which torch's RNG (CPU, and ``device`` if CUDA) starts at ``seed``.

    ``generate`` and sampling draw from the global RNG; forking it makes the
    draws reproducible from ``random_state`` without changing the caller's RNG.
    """
    import torch

    devices = [torch.device(device)] if str(device).startswith("cuda") else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
