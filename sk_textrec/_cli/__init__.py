"""The command line, one module per command: ``python -m sk_textrec COMMAND``.

Each command module has ``add_parser(commands)``, which declares its options
and sets ``run``, and ``run(args)``, which returns the exit status. Problems
the user must fix (a bad file, column or label) are raised as
``_common.CommandError`` and end the command with one line and status 2, as
argparse does for a bad option.
"""
