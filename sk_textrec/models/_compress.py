"""Compressed CPU inference for the fine-tuned estimators: int8, ONNX Runtime, both.

The trained fp32 module stays in ``net_`` (it is what is pickled, saved and
refitted); an *engine* is a CPU copy of it built for prediction only:

- ``"int8"``: torch dynamic quantization of the ``nn.Linear`` layers (int8
  weights, activations quantized per batch on the fly);
- ``"onnx"``: the encoder and heads exported to ONNX and run by ONNX Runtime;
- ``"onnx-int8"``: that export with its ``MatMul`` weights quantized to int8 by
  ONNX Runtime, the same layers as ``"int8"``.

An engine maps a padded batch (the dict that ``PadCollator`` builds) to the
heads' raw outputs as a NumPy array, so chunking, length sorting and the
order of predictions are the same as with the fp32 module. Engines hold
objects that cannot be pickled (ONNX Runtime sessions), so the estimator drops
them from pickles and saved folders and builds them again when needed.
"""

import copy
import os
import tempfile
import warnings

import numpy as np

from ..utils._optional import import_optional

INFERENCE_OPTIONS = ("fp32", "int8", "onnx", "onnx-int8")
# 17 is the first opset with LayerNormalization as one operator, which ONNX
# Runtime fuses with the attention around it.
_ONNX_OPSET = 17
_INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def check_inference(inference):
    """``inference`` itself, or a ValueError naming the parameter (it may be set after fit)."""
    if inference not in INFERENCE_OPTIONS:
        raise ValueError(
            f"The 'inference' parameter must be one of {list(INFERENCE_OPTIONS)}; "
            f"got {inference!r}."
        )
    return inference


def build_engine(module, inference, *, pairs, device):
    """The engine for ``inference`` built from a copy of the fp32 ``module`` (on the CPU).

    Parameters
    ----------
    module : EncoderWithHeads
        The trained module; it is neither changed nor moved. Call this outside
        ``torch.inference_mode``: tracing and quantizing need ordinary tensors.
    inference : {"int8", "onnx", "onnx-int8"}
    pairs : bool
        Whether batches carry ``token_type_ids`` (text pairs).
    device : str
        Where ``module`` sits; compressed engines run on the CPU whatever it is.
    """
    if device != "cpu":
        warnings.warn(
            f"inference={inference!r} runs on the CPU; the fp32 model stays on {device}. "
            f"Set inference='fp32' to predict on {device}.",
            UserWarning,
            stacklevel=5,
        )
    cpu_module = _cpu_copy(module)
    if inference == "int8":
        return TorchEngine(_quantized(cpu_module))
    return OnnxEngine(_onnx_model(cpu_module, quantize=inference == "onnx-int8", pairs=pairs))


def _cpu_copy(module):
    """An fp32 copy on the CPU in eval mode (no dropout, no bf16 autocast)."""
    cpu_module = copy.deepcopy(module).to("cpu").float().eval()
    cpu_module.autocast_dtype = None
    return cpu_module


def _quantized(module):
    import torch

    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the eager API
        # still ships with torch and is what this option documents. The user can
        # do nothing about the warning, so it is not passed on.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*quantized tensor creation functions.*")
        warnings.filterwarnings("ignore", message="torch.quantize_per_tensor.*")
        return torch.ao.quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8)


class TorchEngine:
    """A CPU torch module (the int8 copy) behind the engine interface."""

    def __init__(self, module):
        self.module = module

    def __call__(self, batch):
        import torch

        with torch.inference_mode():
            return self.module(**batch).numpy()


def _onnx_model(module, *, quantize, pairs):
    """The ONNX bytes of ``module`` (quantized with ``quantize``), exported in a temporary folder."""
    import torch

    import_optional("onnx", extra="onnx", purpose="inference='onnx'")
    names = list(_INPUT_NAMES if pairs else _INPUT_NAMES[:2])
    # A padded example: the traced graph then keeps the attention mask's path.
    input_ids = torch.ones((2, 8), dtype=torch.long)
    attention_mask = torch.ones_like(input_ids)
    attention_mask[1, 5:] = 0
    example = (input_ids, attention_mask) + ((torch.zeros_like(input_ids),) if pairs else ())
    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.onnx")
        with warnings.catch_warnings(), torch.no_grad():
            # The TorchScript exporter traces the module in one pass and needs
            # no extra package; its notes about tracing Python conditions and
            # its own deprecation are for exporter authors, not for the user.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module, example, path, input_names=names, output_names=["outputs"],
                dynamic_axes={**axes, "outputs": {0: "batch"}}, opset_version=_ONNX_OPSET,
                dynamo=False,
            )
        if quantize:
            quantization = import_optional(
                "onnxruntime.quantization", extra="onnx", purpose="inference='onnx-int8'"
            )
            # ONNX Runtime's recommended first step: shapes inferred and the
            # graph optimized before quantizing. Its symbolic shape inference
            # cannot follow the exported attention mask; ONNX's own suffices.
            prepared_path = os.path.join(folder, "model.prepared.onnx")
            quantization.shape_inference.quant_pre_process(
                path, prepared_path, skip_symbolic_shape=True
            )
            path = prepared_path
            quantized_path = os.path.join(folder, "model.int8.onnx")
            # Only the MatMul weights (the linear layers), per output channel:
            # the layers torch's int8 option quantizes, with a scale per row,
            # which keeps the small weights of a fine-tuned head apart from the large.
            quantization.quantize_dynamic(
                path, quantized_path, op_types_to_quantize=["MatMul"], per_channel=True,
                weight_type=quantization.QuantType.QInt8,
            )
            path = quantized_path
        with open(path, "rb") as file:
            return file.read()


class OnnxEngine:
    """An ONNX Runtime session on the CPU, with as many threads as torch uses."""

    def __init__(self, model_bytes):
        import torch

        ort = import_optional("onnxruntime", extra="onnx", purpose="ONNX inference")
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            model_bytes, sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_names = [node.name for node in self.session.get_inputs()]

    def __call__(self, batch):
        feed = {name: batch[name].numpy() for name in self.input_names}
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)
