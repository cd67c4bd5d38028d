"""Fixtures of the augmentation tests: a tiny fill-mask model."""

import pytest


@pytest.fixture(scope="session")
def tiny_mlm(tiny_bert, tmp_path_factory):
    """Folder of the tiny BERT with a saved (seeded random) masked-LM head.

    Loading the plain tiny BERT with AutoModelForMaskedLM draws a new random
    head at every load; saving one makes reloads (after pickling) identical.
    """
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    folder = tmp_path_factory.mktemp("tiny_mlm")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = AutoModelForMaskedLM.from_pretrained(tiny_bert)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(tiny_bert).save_pretrained(folder)
    return str(folder)
