"""Back-translation: source -> pivot language -> source, with a pluggable translator."""

import os
from numbers import Integral, Real

from ..utils._device import resolve_device
from ..utils._sklearn_compat import Interval
from ._base import BaseAugmenter, LazyStateMixin, child_seed

_DEFAULT_MODEL = "Helsinki-NLP/opus-mt-{src}-{tgt}"


class BackTranslation(LazyStateMixin, BaseAugmenter):
    """Paraphrase texts by translating them to a pivot language and back.

    The translator is either a callable ``translator(texts, src, tgt) -> list
    of str``, or a pair of HuggingFace sequence-to-sequence translation models
    (``AutoModelForSeq2SeqLM``), loaded on first use onto ``device`` and run
    in batches of similar length under ``torch.inference_mode``. Without
    either, the Marian models ``Helsinki-NLP/opus-mt-{source_lang}-{pivot_lang}``
    and ``...-{pivot_lang}-{source_lang}`` are used (e.g. opus-mt-en-de and
    opus-mt-de-en; they need the ``sentencepiece`` package and a download or a
    local copy).

    HuggingFace models *sample* their translations (``do_sample=True``, one
    beam, transformers' default top-k of 50, ``temperature``), with torch's
    RNG seeded from ``random_state``: the same seed gives the same
    paraphrases, different seeds different ones, which an over-sampler needs
    to create distinct rows. A callable is called as it is: it is
    deterministic unless it samples by itself. Blank texts are not
    translated, and a translation that comes back empty is replaced by the
    original text.

    Parameters
    ----------
    translator : callable or None, default=None
        ``translator(texts, src, tgt)`` returning one translation per text.
        Mutually exclusive with ``forward_model`` and ``backward_model``.
    source_lang : str, default="en"
        Language of the texts.
    pivot_lang : str, default="de"
        Language translated to and back from.
    forward_model : str or path-like, default=None
        Model translating source to pivot (name or folder).
    backward_model : str or path-like, default=None
        Model translating pivot to source.
    batch_size : int, default=16
        Texts translated at once.
    max_length : int, default=256
        Longest input, and longest translation, in tokens.
    device : str, default="auto"
        ``"auto"`` (CUDA, then MPS, then CPU) or any torch device; resolved on
        first use into ``device_``.
    temperature : float, default=1.0
        Sampling temperature of the models: lower is closer to the most
        likely translation, higher is more diverse.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar over the texts of each direction
        (HuggingFace models only: a callable translator reports by itself).

    Attributes
    ----------
    device_ : str
        The device the models run on (set when they are loaded).

    See Also
    --------
    MaskedLMSubstitution : Paraphrase by replacing words in context.

    Examples
    --------
    >>> from sk_textrec.augmentation import BackTranslation
    >>> phrasebook = {("en", "de"): {"great dress": "tolles Kleid"},
    ...               ("de", "en"): {"tolles Kleid": "terrific dress"}}
    >>> def translate(texts, src, tgt):
    ...     return [phrasebook[src, tgt].get(text, text) for text in texts]
    >>> BackTranslation(translate).augment(["great dress", ""])
    ['terrific dress', '']
    """

    _parameter_constraints = {
        "translator": [callable, None],
        "source_lang": [str],
        "pivot_lang": [str],
        "forward_model": [str, os.PathLike, None],
        "backward_model": [str, os.PathLike, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_length": [Interval(Integral, 1, None, closed="left")],
        "device": [str, None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "verbose": ["verbose"],
    }
    _state_params = ("forward_model", "backward_model", "source_lang", "pivot_lang", "device")

    def __init__(
        self,
        translator=None,
        *,
        source_lang="en",
        pivot_lang="de",
        forward_model=None,
        backward_model=None,
        batch_size=16,
        max_length=256,
        device="auto",
        temperature=1.0,
        verbose=0,
    ):
        self.translator = translator
        self.source_lang = source_lang
        self.pivot_lang = pivot_lang
        self.forward_model = forward_model
        self.backward_model = backward_model
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.temperature = temperature
        self.verbose = verbose

    def _augment(self, texts, random_state):
        if self.translator is not None and (self.forward_model or self.backward_model):
            raise ValueError(
                "The 'translator' parameter of BackTranslation cannot be combined "
                "with 'forward_model' or 'backward_model': pass one or the other."
            )
        rows = [row for row, text in enumerate(texts) if text.strip()]
        augmented = list(texts)
        if not rows:
            return augmented
        originals = [texts[row] for row in rows]
        src, pivot = self.source_lang, self.pivot_lang
        if self.translator is not None:
            translated = self._call_translator(originals, src, pivot)
            back = self._call_translator(translated, pivot, src)
        else:
            forward, backward = self._loaded()
            seed = child_seed(random_state)
            pivot_texts = self._generate(*forward, originals, seed, f"{src} -> {pivot}")
            back = self._generate(*backward, pivot_texts, seed + 1, f"{pivot} -> {src}")
        for row, text in zip(rows, back):
            if text.strip():
                augmented[row] = text
        return augmented

    def _call_translator(self, texts, src, tgt):
        translated = self.translator(texts, src, tgt)
        if not isinstance(translated, (list, tuple)) or len(translated) != len(texts) or not all(
            isinstance(text, str) for text in translated
        ):
            raise ValueError(
                f"The 'translator' of BackTranslation must return a list of {len(texts)} "
                f"strings for {len(texts)} texts ({src} -> {tgt}); got {translated!r:.100}."
            )
        return list(translated)

    def _load(self):
        from ._hf import load_pretrained

        self.device_ = resolve_device(self.device)
        src, pivot = self.source_lang, self.pivot_lang
        sources = (
            self.forward_model or _DEFAULT_MODEL.format(src=src, tgt=pivot),
            self.backward_model or _DEFAULT_MODEL.format(src=pivot, tgt=src),
        )
        return tuple(
            load_pretrained("AutoModelForSeq2SeqLM", source, self.device_, purpose="BackTranslation",
                            input_name=name)
            for name, source in zip(("forward_model", "backward_model"), sources)
        )

    def _generate(self, tokenizer, model, texts, seed, direction):
        """Sampled translations of ``texts``, batched by length, in their order."""
        import torch

        from ._hf import length_sorted_batches, seeded_torch, with_progress

        outputs = [""] * len(texts)
        batches = length_sorted_batches([len(text) for text in texts], self.batch_size)
        with torch.inference_mode(), seeded_torch(seed, self.device_):
            for batch in with_progress(batches, f"{type(self).__name__} {direction}", self.verbose):
                encoded = tokenizer(
                    [texts[row] for row in batch], padding=True, truncation=True,
                    max_length=self.max_length, return_tensors="pt",
                )
                generated = model.generate(
                    input_ids=encoded["input_ids"].to(self.device_),
                    attention_mask=encoded["attention_mask"].to(self.device_),
                    do_sample=True,
                    num_beams=1,
                    temperature=self.temperature,
                    max_new_tokens=self.max_length,
                )
                decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
                for row, text in zip(batch.tolist(), decoded):
                    outputs[row] = text.strip()
        return outputs
