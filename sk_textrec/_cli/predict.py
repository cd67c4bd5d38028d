"""``python -m sk_textrec predict``: predict a CSV file with a saved model, in chunks."""

import csv
import os
import sys
import tempfile
from functools import partial

from ._common import (
    CHUNK_ROWS,
    add_column_options,
    add_encoding_option,
    add_runtime_options,
    check_model_input,
    describe_model,
    model_columns,
    plain,
    positive_int,
    proba_and_labels,
    progress,
    read_csv_chunks,
    rows_of,
    torch_threads,
    user_errors,
)
from .evaluate import load_model


def add_parser(commands):
    parser = commands.add_parser(
        "predict",
        help="predict the rows of a CSV file with a saved model",
        description=(
            "Write one line per row of --data, in the same order: the row number, the "
            "probability of each class and the predicted label (with the model's tuned "
            "threshold), or the prediction of a regressor. The file is read, predicted and "
            "written in chunks, so its size is not limited by memory."
        ),
    )
    parser.add_argument("--model", required=True, metavar="FOLDER", help="a model folder (fit's --out)")
    parser.add_argument("--data", required=True, metavar="CSV",
                        help="file to predict, with a header row")
    parser.add_argument("--out", required=True, metavar="CSV", help="predictions file to write")
    add_column_options(parser)
    add_encoding_option(parser)
    parser.add_argument("--chunk-rows", type=positive_int, default=CHUNK_ROWS, metavar="N",
                        help="rows read, predicted and written at a time (default: %(default)s)")
    parser.add_argument("--trusted", action="append", default=[], metavar="TYPE",
                        help="a type the model folder holds that you trust (repeatable)")
    add_runtime_options(parser, device=False)
    parser.set_defaults(run=run)


def _header(model):
    classes = getattr(model, "classes_", None)
    if classes is None:
        return ["row", "prediction"]
    return ["row", *(f"proba_{plain(label)}" for label in classes), "label"]


def run(args):
    out = partial(print, file=sys.stdout, flush=True)
    model, manifest = load_model(args.model, args.trusted)
    columns = model_columns(args, manifest, names=("text_col", "pair_col"))
    required = ("text_col",)
    # A first pass checks every row (and counts them for the progress bar), so
    # that a bad row late in a large file fails before hours of prediction.
    n_rows = 0
    for values in read_csv_chunks(args.data, columns, required=required, encoding=args.encoding,
                                  chunk_rows=args.chunk_rows):
        if n_rows == 0 and values["text_col"]:
            check_model_input(model, rows_of(values, columns))
        n_rows += len(values["text_col"])
    out(f"Model: {args.model} ({describe_model(model)})")
    out(f"Predicting {n_rows} rows of {args.data} in chunks of {args.chunk_rows} ...")
    folder = os.path.dirname(os.path.abspath(args.out))
    with user_errors(OSError):
        handle, partial_path = tempfile.mkstemp(prefix=".predictions-", suffix=".csv", dir=folder)
    try:
        with open(handle, "w", newline="", encoding="utf-8") as file, torch_threads(args.threads), \
                progress(n_rows, quiet=args.quiet, description="predict") as bar:
            writer = csv.writer(file)
            writer.writerow(_header(model))
            row = 0
            for values in read_csv_chunks(args.data, columns, required=required,
                                          encoding=args.encoding, chunk_rows=args.chunk_rows):
                X = rows_of(values, columns)
                if len(X) == 0:
                    continue
                proba, labels = proba_and_labels(model, X)
                for i, label in enumerate(labels):
                    cells = [] if proba is None else [repr(float(p)) for p in proba[i]]
                    writer.writerow([row + i, *cells, plain(label)])
                row += len(X)
                bar.update(len(X))
        os.replace(partial_path, args.out)
    except BaseException:
        if os.path.exists(partial_path):
            os.remove(partial_path)
        raise
    out(f"Wrote {row} predictions to {args.out}.")
    return 0
