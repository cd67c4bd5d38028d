"""Training and inference throughput of BertClassifier on one CUDA GPU, with model FLOP utilisation.

Run it from the repository root on a machine with a CUDA GPU::

    .venv/bin/python benchmarks/bench_gpu.py                        # batch sizes 16..512
    .venv/bin/python benchmarks/bench_gpu.py --peak-flops 312e12    # an A100's bf16 peak
    .venv/bin/python benchmarks/bench_gpu.py --batch-sizes 32 256 --n-texts 4096  # quick

Without CUDA it exits at once (status 2) with a message, measuring nothing.

The model is all-MiniLM-L6-v2's architecture (``AutoConfig`` of the packaged
model, ``sk_textrec.utils``'s default model path) with random weights and
MiniLM's tokenizer, written to a temporary folder: throughput does not depend
on the weights, and no download is needed. Everything goes through
``BertClassifier`` as a user runs it: tokenized once, rows of similar length
batched together, each batch padded to its own longest row (dynamic padding),
``precision="auto"`` (bf16 autocast on CUDA), AdamW, max_length 128.

Training, for each batch size (16, 32, ..., 512 by default): a fit of 2 epochs
on the same ``--n-texts`` texts; the second epoch's duration (skorch's
``dur``: the training loop only, after CUDA and kernel warm-up in the first) gives
samples/s and tokens/s. The model FLOPs of an epoch are counted as
``6 x (parameters of the transformer layers) x (real, non-pad tokens)``
(forward 2, backward 4 per parameter and token; embeddings, pooling and the
head are left out), and the model FLOP utilisation (MFU) is those FLOPs / time
/ ``--peak-flops``, the GPU's dense bf16 peak (default 989e12, an H100/H200
SXM). Attention-score FLOPs (QK^T and AV, ``12 x layers x hidden x length^2``
per text for forward and backward, on real lengths) are reported separately
and not in the MFU. Peak GPU memory is recorded; a batch size that runs out of
memory is recorded as such and the curve goes on.

Inference: texts/s of ``predict_proba`` with batch size 256 (end to end, from
strings: tokenization included), best of ``--repeats`` runs after a warm-up.

Texts: the review texts of ``womens_clothing_reviews/dev.csv`` (the shared data
folder, ``$SK_TEXTREC_DATA_DIR`` or ``--data``), repeated if there are fewer
than ``--n-texts``; without the file, synthetic reviews, and the JSON says so.
Results: markdown on stdout, JSON in ``benchmarks/results/bench_gpu.json``.
"""

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import REPO_ROOT, machine_description, publish, shared_data_dir

DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "bench_gpu.json"
DATA_RELATIVE = Path("womens_clothing_reviews") / "dev.csv"
DEFAULT_BATCH_SIZES = [16, 32, 64, 128, 256, 512]
H100_BF16_DENSE_PEAK = 989e12
INFERENCE_BATCH_SIZE = 256
MAX_LENGTH = 128


def require_cuda():
    """Exit with a clear message (status 2) where torch sees no CUDA GPU."""
    import torch

    if not torch.cuda.is_available():
        why = "this torch build has no CUDA support" if torch.version.cuda is None else "no CUDA GPU is visible"
        print(f"bench_gpu.py needs a CUDA GPU, but {why} (torch {torch.__version__}). "
              "Nothing was measured; run it on a GPU machine.", file=sys.stderr)
        sys.exit(2)


def load_texts(path, n_texts, seed):
    """``n_texts`` review texts (repeated if the file has fewer), and where they come from."""
    rng = np.random.default_rng(seed)
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            texts = [row["text"] for row in csv.DictReader(f) if row["text"].strip()]
        source = str(path)
    else:
        from sk_textrec.datasets import make_product_reviews

        texts, _ = make_product_reviews(n_samples=n_texts, random_state=seed)
        texts = [str(text) for text in texts]
        source = "synthetic (sk_textrec.datasets.make_product_reviews): the data file was not found"
    texts = np.resize(np.array(texts, dtype=object), n_texts)
    return list(texts[rng.permutation(n_texts)]), source


def random_minilm_folder(folder):
    """MiniLM's architecture with random weights, and its tokenizer, in ``folder``; the model."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from sk_textrec.utils._optional import default_model_path

    source = default_model_path()
    config = AutoConfig.from_pretrained(source)
    torch.manual_seed(0)
    model = AutoModel.from_config(config)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(source).save_pretrained(folder)
    return model


def flop_counts(model, token_lengths):
    """Model FLOPs (6 x layer parameters x tokens) and attention FLOPs of one training epoch."""
    config = model.config
    layer_parameters = sum(p.numel() for p in model.encoder.layer.parameters())
    lengths = np.asarray(token_lengths, dtype=np.float64)
    return {
        "transformer_layer_parameters": int(layer_parameters),
        "real_tokens": int(lengths.sum()),
        "model_flops": float(6.0 * layer_parameters * lengths.sum()),
        "attention_flops": 12.0 * config.num_hidden_layers * config.hidden_size * float((lengths ** 2).sum()),
    }


def train_once(folder, texts, labels, batch_size, flops, peak):
    """One batch size: (the second epoch's samples/s, tokens/s, MFU..., the fitted model).

    Running out of memory gives a row that says so, and no model.
    """
    import torch

    from sk_textrec import BertClassifier

    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    model = BertClassifier(folder, batch_size=batch_size, max_epochs=2, max_length=MAX_LENGTH,
                           warmup_ratio=0.0, random_state=0)
    try:
        model.fit(texts, labels)
    except RuntimeError as exc:
        if "out of memory" not in str(exc).lower():
            raise
        return {"batch_size": batch_size, "out_of_memory": True}, None
    seconds = float(model.net_.history[-1, "dur"])
    return {
        "batch_size": batch_size,
        "epoch_seconds": seconds,
        "samples_per_s": len(texts) / seconds,
        "tokens_per_s": flops["real_tokens"] / seconds,
        "model_tflops_per_s": flops["model_flops"] / seconds / 1e12,
        "mfu": flops["model_flops"] / seconds / peak,
        "attention_tflops_per_s": flops["attention_flops"] / seconds / 1e12,
        "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30,
        "precision": str(model._autocast_dtype),
    }, model


def inference_texts_per_s(model, texts, repeats):
    """Best texts/s of ``predict_proba`` at batch size 256, after a warm-up."""
    import torch

    model.set_params(batch_size=INFERENCE_BATCH_SIZE)
    model.predict_proba(texts[:INFERENCE_BATCH_SIZE])
    best = float("inf")
    for _ in range(repeats):
        torch.cuda.synchronize()
        start = time.perf_counter()
        model.predict_proba(texts)
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def report(payload):
    rows = ["| batch size | samples/s | tokens/s | model TFLOP/s | MFU | attention TFLOP/s | peak memory (GiB) |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    for row in payload["training"]:
        if row.get("out_of_memory"):
            rows.append(f"| {row['batch_size']} | out of memory | | | | | |")
            continue
        rows.append(
            f"| {row['batch_size']} | {row['samples_per_s']:,.0f} | {row['tokens_per_s']:,.0f} | "
            f"{row['model_tflops_per_s']:.1f} | {row['mfu']:.1%} | {row['attention_tflops_per_s']:.1f} | "
            f"{row['peak_memory_gib']:.1f} |"
        )
    return "\n".join([
        f"GPU: {payload['gpu']} (bf16 dense peak taken as {payload['peak_flops']:.3g} FLOP/s)",
        f"Texts: {payload['n_texts']} from {payload['data']}; {payload['flops']['real_tokens']:,} real tokens "
        f"per epoch; {payload['flops']['transformer_layer_parameters']:,} transformer-layer parameters",
        "",
        "Training (BertClassifier.fit, bf16 autocast, dynamic padding; the second of 2 epochs):",
        "",
        *rows,
        "",
        f"Inference: {payload['inference_texts_per_s']:,.0f} texts/s (predict_proba, batch size "
        f"{INFERENCE_BATCH_SIZE}, tokenization included)",
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=DEFAULT_BATCH_SIZES)
    parser.add_argument("--n-texts", type=int, default=16384, help="training texts per epoch")
    parser.add_argument("--peak-flops", type=float, default=H100_BF16_DENSE_PEAK,
                        help="the GPU's dense bf16 peak in FLOP/s (default 989e12, H100/H200 SXM)")
    parser.add_argument("--repeats", type=int, default=3, help="inference runs; the best is kept")
    parser.add_argument("--data", type=Path, default=shared_data_dir() / DATA_RELATIVE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    require_cuda()

    import torch

    from sk_textrec.models._tokenize import tokenize

    texts, source = load_texts(args.data, args.n_texts, seed=0)
    labels = np.arange(len(texts)) % 2
    with tempfile.TemporaryDirectory(prefix="bench_gpu_minilm_") as folder:
        encoder = random_minilm_folder(folder)
        from transformers import AutoTokenizer

        input_ids, _ = tokenize(AutoTokenizer.from_pretrained(folder), np.asarray(texts, dtype=object),
                                MAX_LENGTH, "head")
        flops = flop_counts(encoder, [len(ids) for ids in input_ids])
        del encoder
        training, last_model = [], None
        for batch_size in args.batch_sizes:
            result, model = train_once(folder, texts, labels, batch_size, flops, args.peak_flops)
            last_model = model or last_model
            training.append(result)
            print(training[-1], flush=True)
        if last_model is None:
            sys.exit("Every batch size ran out of memory; nothing to predict with.")
        inference = inference_texts_per_s(last_model, texts, args.repeats)

    payload = {
        "gpu": torch.cuda.get_device_name(),
        "peak_flops": args.peak_flops,
        "n_texts": len(texts),
        "data": source,
        "max_length": MAX_LENGTH,
        "flops": flops,
        "training": training,
        "inference_batch_size": INFERENCE_BATCH_SIZE,
        "inference_texts_per_s": inference,
        "machine": machine_description(["torch", "transformers", "skorch", "sk-textrec"],
                                       cuda=torch.version.cuda),
    }
    publish(payload, report(payload), args.output)


if __name__ == "__main__":
    main()
