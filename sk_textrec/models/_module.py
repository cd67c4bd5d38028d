"""The torch module that BertClassifier trains: a HuggingFace encoder + a head."""

import contextlib

import torch
from torch import nn


def mean_pool(last_hidden_state, attention_mask):
    """Mean of the token vectors over the attention mask (sentence-transformers)."""
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    summed = (last_hidden_state * mask).sum(dim=1)
    return summed / mask.sum(dim=1).clamp_min(1e-9)


@contextlib.contextmanager
def _no_progress_bars():
    """Silence transformers' weight-loading bars for this call only."""
    from transformers.utils import logging

    was_enabled = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            logging.enable_progress_bar()


def load_encoder(model_name_or_path, trust_remote_code):
    """Load a pretrained encoder (no task head), quietly; a failure says what to check.

    A ``transformers`` config instead of a name builds the architecture with
    untrained weights: a saved model folder (``sk_textrec.load``) then loads
    its own weights into it, and nothing is read twice.
    """
    from transformers import AutoModel, PretrainedConfig

    from ..utils._model_source import model_load_errors

    if isinstance(model_name_or_path, PretrainedConfig):
        return AutoModel.from_config(model_name_or_path)
    with _no_progress_bars(), model_load_errors(model_name_or_path):
        return AutoModel.from_pretrained(
            model_name_or_path, trust_remote_code=trust_remote_code
        )


def autocast_context(device, dtype):
    """Autocast to ``dtype`` on ``device``'s type, or nothing for fp32 (None)."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=dtype)


def freeze_parameters(encoder, freeze):
    """Stop gradients into the embeddings, the lower ``freeze`` layers, or all."""
    if freeze is None:
        return
    if freeze == "encoder":
        modules = [encoder]
    else:
        n_layers = 0 if freeze == "embeddings" else freeze
        layers = encoder_layers(
            encoder, "to freeze an int number of them; use freeze='embeddings' or 'encoder'"
        )
        if n_layers > len(layers):
            raise ValueError(
                f"The 'freeze' parameter asks for {n_layers} frozen layers but the "
                f"encoder has only {len(layers)}."
            )
        modules = [encoder.get_input_embeddings(), *layers[:n_layers]]
        if hasattr(encoder, "embeddings"):
            modules.append(encoder.embeddings)
    for module in modules:
        for parameter in module.parameters():
            parameter.requires_grad_(False)


def encoder_layers(encoder, purpose):
    """The transformer layers of ``encoder``, lowest first; ``purpose`` completes the error."""
    for path in ("encoder.layer", "transformer.layer", "layers", "encoder.layers"):
        module = encoder
        try:
            for name in path.split("."):
                module = getattr(module, name)
        except AttributeError:
            continue
        return list(module)
    raise ValueError(f"Cannot find the transformer layers of {type(encoder).__name__} {purpose}.")


def pool(hidden, attention_mask, pooling):
    """One vector per row: the mean over the attention mask, or the first ([CLS]) token."""
    if pooling == "cls":
        return hidden[:, 0]
    return mean_pool(hidden, attention_mask)


class EncoderWithHeads(nn.Module):
    """Encoder, mean (or [CLS]) pooling, dropout and one linear head per task.

    The outputs of the heads are concatenated into one ``(n, sum(head_sizes))``
    tensor, which the multi-task criterion and the estimators slice per task.
    Heads are created in task order, so the first head gets the same initial
    weights as the only head of a single-task model with the same seed.
    Mean pooling is the default because sentence encoders such as
    all-MiniLM-L6-v2 were trained with it; their [CLS] vector carries less.
    With ``peft`` ("lora" or a peft config) the encoder gets adapters and its
    own weights are frozen (see ``_peft.py``).
    """

    def __init__(
        self,
        model_name_or_path,
        head_sizes,
        pooling="mean",
        dropout=0.1,
        freeze=None,
        trust_remote_code=False,
        autocast_dtype=None,
        peft=None,
    ):
        super().__init__()
        self.encoder = load_encoder(model_name_or_path, trust_remote_code)
        freeze_parameters(self.encoder, freeze)
        # The pooled output of BERT-like encoders is not used (we pool
        # ourselves): its layer never gets a gradient, which AdamW skips anyway
        # but DistributedDataParallel would wait for.
        pooler = getattr(self.encoder, "pooler", None)
        if isinstance(pooler, nn.Module):
            pooler.requires_grad_(False)
        if peft is not None:
            from ._peft import add_adapters

            self.encoder = add_adapters(self.encoder, peft)
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        hidden_size = self.encoder.config.hidden_size
        heads = [nn.Linear(hidden_size, head_sizes[0])]
        # Extra heads must not move the random stream that dropout draws from
        # next: a main head then trains exactly as in a single-task model.
        state = torch.random.get_rng_state()
        heads += [nn.Linear(hidden_size, size) for size in head_sizes[1:]]
        torch.random.set_rng_state(state)
        self.heads = nn.ModuleList(heads)
        self.freeze = freeze
        self.autocast_dtype = autocast_dtype

    def train(self, mode=True):
        super().train(mode)
        # A frozen encoder runs without dropout: its outputs are then a pure
        # function of the text, which is what lets them be cached.
        if self.freeze == "encoder":
            self.encoder.eval()
        return self

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        with autocast_context(input_ids.device, self.autocast_dtype):
            hidden = self.encoder(**inputs).last_hidden_state
            outputs = heads_outputs(self, pool(hidden, attention_mask, self.pooling))
        return outputs.float()


def heads_outputs(module, pooled):
    """Dropout, then every head, side by side: the top of an :class:`EncoderWithHeads`."""
    pooled = module.dropout(pooled)
    return torch.cat([head(pooled) for head in module.heads], dim=1)


class PooledHeads(nn.Module):
    """The dropout and heads of an :class:`EncoderWithHeads`, on pooled vectors.

    They are the same parameters, not copies: training this module on cached
    pooled outputs of a frozen encoder trains the encoder-with-heads in place.
    """

    def __init__(self, encoder_with_heads):
        super().__init__()
        self.dropout = encoder_with_heads.dropout
        self.heads = encoder_with_heads.heads

    def forward(self, pooled):
        return heads_outputs(self, pooled).float()
