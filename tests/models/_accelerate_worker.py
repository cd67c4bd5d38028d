"""One process of the 2-process CPU training in test_accelerate.py, started by torchrun.

Usage: python -m torch.distributed.run --standalone --nproc_per_node 2 _accelerate_worker.py MODEL OUT

Every process fits BertClassifier through ``Accelerator(cpu=True,
split_batches=True)`` (gloo) with each of ``CONFIGURATIONS`` and writes its
predictions and its pickled model to OUT.
"""

import pickle
import sys
from pathlib import Path

import numpy as np

# Run with 2 processes x 4 rows of each batch of 8 and with 1 process x 8 rows,
# these must train alike. The encoder's own dropout must be off (see
# test_accelerate.py): processes draw other dropout masks than one would.
COMMON = {"batch_size": 8, "lr": 1e-3, "dropout": 0.0, "random_state": 0}
CONFIGURATIONS = {
    "plain": {"max_epochs": 2},
    # The shared history (early stopping), gathered validation scores and a
    # second backward pass per batch (FGM) under DistributedDataParallel.
    "early_stopping_fgm": {
        "max_epochs": 4,
        "validation_fraction": 0.25,
        "early_stopping_scoring": "accuracy",
        "patience": 1,
        "adversarial": "fgm",
    },
    # PGD resets and restores the gradients between its backward passes.
    "pgd": {"max_epochs": 2, "adversarial": "pgd", "adversarial_steps": 2},
}


def training_data():
    """32 texts of varied lengths with a learnable label: 4 full batches of 8 (3 after a 25% split)."""
    positive = ["great dress, love it", "perfect fit and soft fabric, would buy again",
                "beautiful colour", "really comfortable"]
    negative = ["terrible, returned it the next day", "awful quality",
                "too small and cheap fabric, disappointed", "wrong size"]
    texts = (positive + negative) * 4
    y = np.array(([0] * 4 + [1] * 4) * 4)
    return texts, y


def main(model_path, out):
    import torch
    from accelerate import Accelerator, DataLoaderConfiguration

    from sk_textrec.models import BertClassifier

    torch.set_num_threads(1)
    accelerator = Accelerator(cpu=True, dataloader_config=DataLoaderConfiguration(split_batches=True))
    texts, y = training_data()
    rank = accelerator.process_index
    for name, params in CONFIGURATIONS.items():
        model = BertClassifier(model_path, accelerator=accelerator, **COMMON, **params).fit(texts, y)
        result = {
            "num_processes": accelerator.num_processes,
            "backend": str(accelerator.state.backend),
            "proba": model.predict_proba(texts),
            "n_epochs": model.n_epochs_,
            "valid_accuracy": [epoch.get("valid_accuracy") for epoch in model.net_.history],
        }
        Path(out, f"{name}_{rank}.pkl").write_bytes(pickle.dumps(result))
        Path(out, f"{name}_model_{rank}.pkl").write_bytes(pickle.dumps(model))


if __name__ == "__main__":
    main(*sys.argv[1:])
