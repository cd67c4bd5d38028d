"""Tests of BackTranslation (sk_textrec/augmentation/_translation.py)."""

import math
import pickle

import pytest

from sk_textrec.augmentation import BackTranslation
from sk_textrec.augmentation import _hf

from ._data import TEXTS

_SENTENCES = ["great dress, love it", "terrible quality, returned it",
              "das Kleid ist schön", "ich liebe es", "这件衣服很好 😀"]


def _write_tiny_translation_model(folder, seed):
    """A tiny random BART with a byte-level BPE tokenizer trained on a few sentences."""
    torch = pytest.importorskip("torch")
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(_SENTENCES * 3, vocab_size=300, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, bos_token="<s>",
                                        eos_token="</s>", pad_token="<pad>", unk_token="<unk>")
    tokenizer.save_pretrained(folder)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=64, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        BartForConditionalGeneration(config).save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def tiny_translation_models(tmp_path_factory):
    """Folders of two tiny random seq2seq models: "en -> de" and "de -> en"."""
    return (_write_tiny_translation_model(tmp_path_factory.mktemp("en_de"), 0),
            _write_tiny_translation_model(tmp_path_factory.mktemp("de_en"), 1))


class FakeTranslator:
    """Tags each text with the target language and records its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, texts, src, tgt):
        self.calls.append((list(texts), src, tgt))
        return [f"{text} [{tgt}]" for text in texts]


def test_back_translation_callable_round_trip():
    """Check that a callable translates all non-blank texts at once, there and back."""
    translator = FakeTranslator()
    out = BackTranslation(translator, pivot_lang="fr").augment(TEXTS + ["  "], random_state=0)
    non_blank = [text for text in TEXTS if text.strip()]
    assert translator.calls == [
        (non_blank, "en", "fr"),
        ([f"{text} [fr]" for text in non_blank], "fr", "en"),
    ]
    assert out[1] == "" and out[-1] == "  "
    assert out[0] == TEXTS[0] + " [fr] [en]" and len(out) == len(TEXTS) + 1


def test_back_translation_empty_translation_keeps_original():
    """Check that a translation that comes back empty is replaced by the original text."""
    out = BackTranslation(lambda texts, src, tgt: [""] * len(texts)).augment(["great dress"])
    assert out == ["great dress"]


@pytest.mark.parametrize("translator, err_msg", [
    (lambda texts, src, tgt: texts[:-1], "must return a list of 2 strings for 2 texts"),
    (lambda texts, src, tgt: [1] * len(texts), "must return a list of 2 strings"),
    (lambda texts, src, tgt: "one string", "must return a list of 2 strings"),
])
def test_back_translation_bad_translator_output(translator, err_msg):
    """Check that a translator returning the wrong thing gets a clear error."""
    with pytest.raises(ValueError, match=err_msg):
        BackTranslation(translator).augment(["a", "b"])


@pytest.mark.parametrize("params, err_msg", [
    ({"translator": "google"}, "The 'translator' parameter of BackTranslation must be"),
    ({"batch_size": 0}, "The 'batch_size' parameter of BackTranslation must be"),
    ({"temperature": 0}, "The 'temperature' parameter of BackTranslation must be"),
    ({"translator": FakeTranslator(), "forward_model": "x"},
     "'translator' parameter of BackTranslation cannot be combined"),
])
def test_back_translation_bad_params(params, err_msg):
    """Check that bad parameters raise errors naming the parameter."""
    with pytest.raises(ValueError, match=err_msg):
        BackTranslation(**params).augment(["a text"])


def test_back_translation_default_models_are_opus_mt(monkeypatch):
    """Check that without a translator the opus-mt models of the language pair are loaded."""
    loaded = []
    monkeypatch.setattr(_hf, "load_pretrained",
                        lambda auto, source, device, purpose, input_name: loaded.append((auto, source)) or 1 / 0)
    with pytest.raises(ZeroDivisionError):
        BackTranslation(source_lang="en", pivot_lang="fr", device="cpu").augment(["a"])
    assert loaded == [("AutoModelForSeq2SeqLM", "Helsinki-NLP/opus-mt-en-fr")]
    assert "_lazy_state" not in vars(BackTranslation())


def test_back_translation_hf_models_batched(tiny_translation_models):
    """Check the HuggingFace path end to end: strings, one per text, batched on the device."""
    forward, backward = tiny_translation_models
    augmenter = BackTranslation(forward_model=forward, backward_model=backward,
                                batch_size=2, max_length=12, device="cpu")
    assert not hasattr(augmenter, "device_")  # resolved on first use, not in __init__
    out = augmenter.augment(TEXTS, random_state=0)
    assert len(out) == len(TEXTS) and all(isinstance(text, str) for text in out)
    assert out[1] == "" and augmenter.device_ == "cpu"
    (_, forward_model), (_, backward_model) = augmenter._loaded()
    assert next(forward_model.parameters()).device.type == "cpu"
    calls = []
    for model in (forward_model, backward_model):
        original = model.generate
        model.generate = lambda *a, _g=original, **k: calls.append(len(k["input_ids"])) or _g(*a, **k)
    augmenter.augment(TEXTS, random_state=0)
    n_texts = sum(bool(text.strip()) for text in TEXTS)
    assert len(calls) == 2 * math.ceil(n_texts / 2) and max(calls) == 2


def test_back_translation_hf_seeds_and_pickle(tiny_translation_models):
    """Check that sampling follows the seed and that pickles reload the models lazily."""
    forward, backward = tiny_translation_models
    augmenter = BackTranslation(forward_model=forward, backward_model=backward, max_length=8)
    texts = ["great dress, love it", "ich liebe es"]
    first = augmenter.augment(texts, random_state=0)
    assert augmenter.augment(texts, random_state=0) == first
    assert augmenter.augment(texts, random_state=1) != first
    restored = pickle.loads(pickle.dumps(augmenter))
    assert "_lazy_state" not in vars(restored)
    assert restored.augment(texts, random_state=0) == first


def test_back_translation_set_params_reloads(tiny_translation_models):
    """Check that changing a model parameter loads the new model on the next call."""
    forward, backward = tiny_translation_models
    augmenter = BackTranslation(forward_model=forward, backward_model=backward, max_length=8)
    augmenter.augment(["great dress"], random_state=0)
    before = augmenter._loaded()
    augmenter.set_params(forward_model=backward, backward_model=forward)
    assert augmenter._loaded() is not before


def test_back_translation_verbose_progress_bars(tiny_translation_models, capsys):
    """Check that verbose shows one progress bar per direction of the HuggingFace models."""
    forward, backward = tiny_translation_models
    BackTranslation(forward_model=forward, backward_model=backward, device="cpu", max_length=8,
                    verbose=1).augment(["great dress", "too small"], random_state=0)
    err = capsys.readouterr().err
    assert "BackTranslation en -> de: 100%" in err and "BackTranslation de -> en: 100%" in err
