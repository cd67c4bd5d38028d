"""Train and score SetFit for bench_quality.py, inside SetFit's own venv.

Usage: ``/work/venvs/setfit/bin/python benchmarks/_setfit_worker.py REQUEST.json``. The request
holds the model folder, the seed, the settings, the training texts and labels, the held-out
and test texts and the path of the output npz (``holdout_proba``, ``test_proba`` and a JSON
``report`` of timings and versions). It imports neither sk_textrec nor our venv's packages.
"""

import json
import sys
import tempfile
import time
from importlib.metadata import version

import numpy as np


def main(request_path):
    request = json.loads(open(request_path).read())
    import torch
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    settings = request["settings"]
    start = time.perf_counter()
    model = SetFitModel.from_pretrained(request["model"])
    with tempfile.TemporaryDirectory() as checkpoints:
        args = TrainingArguments(
            output_dir=checkpoints, batch_size=settings["batch_size"], num_epochs=settings["num_epochs"],
            max_steps=settings["max_steps"], sampling_strategy=settings["sampling_strategy"],
            body_learning_rate=settings["body_learning_rate"], max_length=settings["max_length"], seed=request["seed"], save_strategy="no",
            report_to="none",
        )
        train = Dataset.from_dict({"text": request["train_texts"], "label": request["train_labels"]})
        Trainer(model=model, args=args, train_dataset=train).train()
    fit_seconds = time.perf_counter() - start
    holdout_proba = np.asarray(model.predict_proba(request["holdout_texts"]), dtype=np.float32)
    start = time.perf_counter()
    test_proba = np.asarray(model.predict_proba(request["test_texts"]), dtype=np.float32)
    predict_seconds = time.perf_counter() - start
    report = {"fit_seconds": fit_seconds, "predict_seconds": predict_seconds, "torch_threads": torch.get_num_threads(),
              "versions": {name: version(name) for name in ("setfit", "sentence-transformers", "transformers",
                                                             "torch", "scikit-learn")}}
    np.savez(request["output"], holdout_proba=holdout_proba, test_proba=test_proba, report=json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
