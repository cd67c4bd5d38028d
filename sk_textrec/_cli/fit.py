"""``python -m sk_textrec fit``: train a measured preset on a CSV file, save a model folder."""

import os
import sys
import time
from functools import partial

import numpy as np

from ._common import (
    CommandError,
    add_encoding_option,
    add_runtime_options,
    check_device,
    check_model_source,
    non_negative_int,
    plain,
    positive_int,
    torch_threads,
    user_errors,
)

# Rows each class needs: the presets hold out a stratified 20% of the rows to
# tune the threshold ("best" then 15% of the rest for the blend), and each
# part needs every class.
MIN_ROWS_PER_CLASS = 5


def add_parser(commands):
    parser = commands.add_parser(
        "fit",
        help="train a classifier for a rare class on a CSV file and save it",
        description=(
            "Train make_rare_class_classifier(PRESET) on the texts and labels of a CSV file "
            "and save it as a model folder (sk_textrec.save): a fine-tuned BERT whose "
            "decision threshold is tuned for the F1 of the rare class."
        ),
    )
    parser.add_argument("--data", required=True, metavar="CSV", help="training file, with a header row")
    parser.add_argument("--text-col", default="text", metavar="COL",
                        help="text column (default: %(default)s)")
    parser.add_argument("--pair-col", metavar="COL",
                        help="a second text column (a title, a query), encoded with the text as "
                        "the pair (PAIR, TEXT); its cells may be empty")
    parser.add_argument("--label-col", required=True, metavar="COL", help="label column, any labels")
    add_encoding_option(parser)
    parser.add_argument("--preset", choices=("fast", "best"), default="fast",
                        help="'fast': one BERT; 'best': BERT blended with TF-IDF, about 3x "
                        "slower (default: %(default)s)")
    parser.add_argument("--out", required=True, metavar="FOLDER", help="the model folder to write")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    parser.add_argument("--model-name-or-path", metavar="PATH_OR_NAME",
                        help="HuggingFace encoder folder or name (default: the packaged "
                        "all-MiniLM-L6-v2)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seed of the training and the held-out splits (default: %(default)s)")
    parser.add_argument("--max-epochs", type=positive_int, metavar="N",
                        help="fine-tuning epochs (default: the preset's)")
    parser.add_argument("--max-length", type=positive_int, metavar="N",
                        help="tokens kept per row (default: the preset's, 128)")
    add_runtime_options(parser)
    parser.set_defaults(run=run)


def _check_trainable(y):
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise CommandError(
            f"The labels are all {plain(classes[0])!r}; training needs at least 2 classes.")
    few = [f"{plain(label)!r} ({count})" for label, count in zip(classes, counts)
           if count < MIN_ROWS_PER_CLASS]
    if few:
        raise CommandError(
            f"Classes {', '.join(few)} have fewer than {MIN_ROWS_PER_CLASS} rows: too few to hold "
            "out rows of every class for the decision threshold. Merge or remove them, or add rows."
        )
    return classes, counts


def _override(classifier, **settings):
    """Set every nested parameter named like a given setting (``estimator__max_epochs``...)."""
    names = classifier.get_params(deep=True)
    for setting, value in settings.items():
        if value is not None:
            classifier.set_params(**{name: value for name in names if name.endswith(f"__{setting}")})


def run(args):
    from ..persistence import save
    from ..presets import make_rare_class_classifier

    out = partial(print, file=sys.stdout, flush=True)
    # Before the data: a bad device or model folder fails in a second.
    device = check_device(args.device)
    if args.model_name_or_path is not None:  # None: the packaged model
        check_model_source(args.model_name_or_path, "--model-name-or-path")
    with user_errors():
        if os.path.isdir(args.out) and os.listdir(args.out) and not args.overwrite:
            raise CommandError(f"{args.out!r} exists and is not empty; pass --overwrite to replace it.")
        from ..datasets import load_reviews_csv

        texts, y = load_reviews_csv(args.data, text_col=args.text_col, label_col=args.label_col,
                                    pair_col=args.pair_col, encoding=args.encoding)
    classes, counts = _check_trainable(y)
    classifier = make_rare_class_classifier(
        args.preset, model_name_or_path=args.model_name_or_path, device=device,
        random_state=args.seed, verbose=0 if args.quiet else 1,
    )
    _override(classifier, max_epochs=args.max_epochs, max_length=args.max_length)
    if len(classes) == 2:  # the threshold is tuned for the F1 of the rarer class
        classifier.set_params(pos_label=plain(classes[np.argmin(counts)]))
    balance = ", ".join(f"{plain(label)!r}: {count} ({count / len(y):.1%})"
                        for label, count in zip(classes, counts))
    pair = f" paired with {args.pair_col!r}" if args.pair_col else ""
    description = (f"{len(y)} rows of {os.path.basename(args.data)} (text column {args.text_col!r}"
                   f"{pair}, label column {args.label_col!r}); classes {balance}.")
    out(f"Data: {description}")
    out(f"Model: preset {args.preset!r} on {args.model_name_or_path or 'all-MiniLM-L6-v2 (packaged)'}, "
        f"device {device}, seed {args.seed}")
    start = time.perf_counter()
    with torch_threads(args.threads), user_errors(OSError):  # OSError: a model that is not there
        classifier.fit(texts, y)
    out(f"Trained in {time.perf_counter() - start:.0f} s; {_threshold(classifier)}.")
    columns = {"text_col": args.text_col, "pair_col": args.pair_col, "label_col": args.label_col}
    with user_errors(OSError):
        save(classifier, args.out, description=description, overwrite=args.overwrite,
             metadata={"cli": {"command": "fit", "preset": args.preset, "data": args.data,
                               "columns": columns}})
    out(f"Saved to {args.out}. Next: python -m sk_textrec evaluate --model {args.out} --data TEST.csv")
    return 0


def _threshold(classifier):
    if not hasattr(classifier, "best_threshold_"):
        return "class offsets tuned for F1"
    return (f"decision threshold {classifier.best_threshold_:.4g} on "
            f"P({plain(classifier.pos_label_)!r}) (F1 on held-out rows {classifier.best_score_:.3f})")
