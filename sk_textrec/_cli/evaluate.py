"""``python -m sk_textrec evaluate``: score a saved model on a labelled CSV file."""

import sys
from functools import partial

import numpy as np

from ._common import (
    CHUNK_ROWS,
    CommandError,
    add_column_options,
    add_encoding_option,
    add_runtime_options,
    check_model_input,
    describe_model,
    model_columns,
    plain,
    proba_and_labels,
    progress,
    read_csv_chunks,
    rows_of,
    torch_threads,
    user_errors,
)


def add_parser(commands):
    parser = commands.add_parser(
        "evaluate",
        help="score a saved model on a labelled CSV file",
        description=(
            "Print the imbalance report of a model folder on a labelled CSV file (per-class "
            "precision, recall, specificity, F1, PR-AUC and ROC-AUC; balanced accuracy, G-mean, "
            "calibration), optionally per group and with a threshold curve; the report is "
            "added to the folder's model card."
        ),
    )
    parser.add_argument("--model", required=True, metavar="FOLDER", help="a model folder (fit's --out)")
    parser.add_argument("--data", required=True, metavar="CSV", help="labelled file, with a header row")
    add_column_options(parser)
    add_encoding_option(parser)
    parser.add_argument("--label-col", metavar="COL",
                        help="label column (default: the one the model was fitted on)")
    parser.add_argument("--group-col", metavar="COL",
                        help="also report each group of this column (binary labels): rates, "
                        "PR-AUC and the gaps between groups")
    parser.add_argument("--plot", metavar="PNG",
                        help="write the threshold curve (F1, precision, recall) to this PNG file "
                        "(binary labels; needs matplotlib)")
    parser.add_argument("--trusted", action="append", default=[], metavar="TYPE",
                        help="a type the model folder holds that you trust (repeatable)")
    add_runtime_options(parser, device=False)
    parser.set_defaults(run=run)


def load_model(folder, trusted):
    """The model of a folder and its manifest; a bad or untrusted folder is a user error."""
    from ..persistence import load, read_manifest

    with user_errors():
        return load(folder, trusted=trusted or None), read_manifest(folder)


def predict_chunked(model, X, *, quiet):
    """``proba_and_labels`` of ``X``, ``CHUNK_ROWS`` rows at a time, with a progress bar."""
    probas, labels = [], []
    with progress(len(X), quiet=quiet, description="predict") as bar:
        for start in range(0, len(X), CHUNK_ROWS):
            proba, label = proba_and_labels(model, X[start : start + CHUNK_ROWS])
            probas.append(proba)
            labels.append(label)
            bar.update(len(label))
    return (None if probas[0] is None else np.concatenate(probas)), np.concatenate(labels)


def _labels_like(values, classes, path):
    """The labels of the file typed as the model's classes (CSV cells are text)."""
    from ..datasets._csv import labels_array

    with user_errors(ValueError):
        y = labels_array(values["label_col"], values["rows"], path)
    known = {str(plain(label)) for label in classes}
    unknown = sorted({str(label) for label in y} - known)
    if unknown:
        raise CommandError(
            f"Labels {unknown[:5]} of the file are not classes of the model "
            f"({[plain(label) for label in classes]}). Check --label-col, or evaluate a model "
            "trained on these labels."
        )
    lookup = {str(plain(label)): label for label in classes}
    return np.array([lookup[str(label)] for label in y], dtype=classes.dtype)


def run(args):
    from sklearn.metrics import average_precision_score

    from ..metrics import group_classification_report, imbalance_report
    from ..utils._model_card import record_evaluation

    out = partial(print, file=sys.stdout, flush=True)
    model, manifest = load_model(args.model, args.trusted)
    classes = getattr(model, "classes_", None)
    if classes is None:
        raise CommandError("evaluate reports classifiers; this model has no classes_.")
    columns = {**model_columns(args, manifest), "group_col": args.group_col}
    if columns["label_col"] is None:
        raise CommandError("Pass --label-col: the model folder does not record a label column.")
    [values] = read_csv_chunks(args.data, columns, required=("text_col", "label_col", "group_col"),
                               encoding=args.encoding)
    X, y = rows_of(values, columns), _labels_like(values, classes, args.data)
    if len(y) == 0:
        raise CommandError(f"{args.data!r} has no rows.")
    binary = len(classes) == 2
    if (args.group_col or args.plot) and not binary:
        raise CommandError("--group-col and --plot need a model of two classes.")
    out(f"Model: {args.model} ({describe_model(model)})")
    out(f"Data: {args.data}, {len(y)} rows")
    with torch_threads(args.threads):
        check_model_input(model, X)
        proba, y_pred = predict_chunked(model, X, quiet=args.quiet)
    metrics = imbalance_report(y, y_pred, y_score=proba, labels=classes, output_dict=True)
    report = imbalance_report(y, y_pred, y_score=proba, labels=classes)
    text = f"--- Imbalance report ({len(y)} rows) ---\n{report}"
    if binary:
        pos = plain(getattr(model, "pos_label_", classes[1]))
        scores = proba[:, list(classes).index(pos)]
        text += (f"PR-AUC (average precision) of class {pos!r}: "
                 f"{average_precision_score(y == pos, scores):.3f}\n")
    if args.group_col:
        with user_errors(ValueError):
            groups = group_classification_report(y, y_pred, groups=np.array(values["group_col"]),
                                                 y_score=scores, pos_label=pos)
        text += f"\n--- Per group of {args.group_col!r} (positive class {pos!r}) ---\n{groups}"
    out(text.rstrip())
    if args.plot:
        _plot(args.plot, y, scores, pos, model)
        out(f"Threshold curve written to {args.plot}.")
    try:
        record_evaluation(args.model, manifest,
                          {"data": args.data, "rows": len(y), "report": text, "metrics": metrics})
        out(f"Report added to {args.model}/README.md.")
    except OSError as exc:  # a read-only folder: the report above is what matters
        out(f"(The report could not be added to the model card: {exc})")
    return 0


def _plot(path, y, scores, pos, model):
    try:
        import matplotlib
    except ImportError as exc:
        raise CommandError("--plot needs matplotlib: pip install matplotlib.") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..model_selection import ThresholdCurveDisplay

    display = ThresholdCurveDisplay.from_predictions(
        y, scores, pos_label=pos, best_threshold=getattr(model, "best_threshold_", None),
        name=f"Threshold curve of class {pos!r}")
    with user_errors(OSError):
        display.figure_.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(display.figure_)
