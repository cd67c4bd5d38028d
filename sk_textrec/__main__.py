"""Command line of sk_textrec: ``python -m sk_textrec demo | fit | evaluate | predict``.

Also installed as the console script ``sk-textrec``.
"""

import argparse
import sys

from ._cli import demo, evaluate, fit, predict
from ._cli._common import CommandError

COMMANDS = (demo, fit, evaluate, predict)


def build_parser():
    """The argument parser, with one sub-command per action."""
    parser = argparse.ArgumentParser(
        prog="python -m sk_textrec",
        description="sk_textrec: BERT text models for rare outcomes, in scikit-learn.",
        epilog="Run 'python -m sk_textrec COMMAND --help' for the options of a command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CommandError as exc:
        # A bad file, column or label is the user's to fix: one line, no traceback.
        parser.exit(2, f"{parser.prog} {args.command}: error: {exc}\n")


if __name__ == "__main__":
    sys.exit(main())
