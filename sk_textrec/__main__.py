"""Command line of sk_textrec: ``python -m sk_textrec demo [options]``."""

import argparse
import sys

from . import _demo


def _positive_int(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {value}")
    return number


def _non_negative_int(value):
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {value}")
    return number


def build_parser():
    """The argument parser, with one sub-command per action."""
    parser = argparse.ArgumentParser(
        prog="python -m sk_textrec",
        description="sk_textrec: BERT text models for rare outcomes, in scikit-learn.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = commands.add_parser(
        "demo",
        help="fine-tune BERT on imbalanced reviews and print an imbalance-aware report",
        description=(
            "Fine-tune a BertClassifier (focal loss, balanced class weights) on "
            "imbalanced reviews, synthetic by default, and compare it with a TF-IDF + "
            "balanced logistic regression baseline: per-class precision, recall and F1, "
            "balanced accuracy and, for binary labels, PR-AUC of the rare class."
        ),
    )
    demo.add_argument("--data", metavar="CSV",
                      help="CSV file with a header row (default: synthetic reviews)")
    demo.add_argument("--text-col", default="text", metavar="COL",
                      help="text column of --data (default: %(default)s)")
    demo.add_argument("--label-col", default="recommended_ind", metavar="COL",
                      help="label column of --data, any label type (default: %(default)s)")
    demo.add_argument("--encoding", default="utf-8-sig",
                      help="text encoding of --data, e.g. latin-1, cp1252, gb18030, utf-16 "
                      "(default: UTF-8, with or without a byte-order mark)")
    demo.add_argument("--model", metavar="PATH_OR_NAME",
                      help="HuggingFace model folder or name (default: the packaged "
                      "all-MiniLM-L6-v2)")
    demo.add_argument("--max-epochs", type=_positive_int, default=2,
                      help="fine-tuning epochs (default: %(default)s)")
    demo.add_argument("--max-length", type=_positive_int, default=_demo.DEFAULT_MAX_LENGTH,
                      help="tokens kept per text (default: %(default)s)")
    demo.add_argument("--n-samples", type=_positive_int, metavar="N",
                      help=f"synthetic reviews to generate (default: {_demo.DEFAULT_N_SAMPLES})"
                      ", or rows drawn, stratified, from --data (default: all)")
    demo.add_argument("--seed", type=_non_negative_int, default=0,
                      help="seed of the data, split and training (default: %(default)s)")
    demo.add_argument("--device", default="auto",
                      help="'auto', 'cpu', 'cuda', 'cuda:1', 'mps' (default: %(default)s)")
    demo.add_argument("--threads", type=_positive_int, metavar="N",
                      help="torch CPU threads (default: the cores that the 1-minute load "
                      "average shows idle, at least 1)")
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        try:
            # Before the data and the baseline: a bad device or model fails in a second.
            model = _demo.check_model_and_device(args.model, args.device)
            texts, y, description = _demo.load_demo_data(
                args.data, text_col=args.text_col, label_col=args.label_col,
                n_samples=args.n_samples, seed=args.seed, encoding=args.encoding,
            )
        except (OSError, ValueError) as exc:
            # A bad file, column, model or device is the user's to fix: no traceback.
            parser.exit(2, f"{parser.prog} demo: error: {exc}\n")
        _demo.run_demo(
            texts, y, description=description, model=model,
            max_epochs=args.max_epochs, max_length=args.max_length,
            device=args.device, threads=args.threads, seed=args.seed,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
