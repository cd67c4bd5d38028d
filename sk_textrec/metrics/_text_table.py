"""The text form of the metrics' reports: a right-aligned table of numbers."""


def format_table(rows, columns, digits, counts=("support", "positives")):
    """Lines of a table with a header of ``columns`` and one line per ``(label, values)`` row.

    ``values`` maps column names to numbers (a missing column is a blank cell);
    a row whose values are None is a blank line. Columns in ``counts`` are
    printed without decimals.
    """
    width = max(len(label) for label, _ in rows)
    cell = {name: max(len(name), digits + 3) + 2 for name in columns}
    lines = [" " * width + "".join(f"{name:>{cell[name]}}" for name in columns), ""]
    for label, values in rows:
        if values is None:
            lines.append("")
            continue
        cells = []
        for name in columns:
            value = values.get(name)
            if value is None:
                cells.append(" " * cell[name])
            else:
                cells.append(f"{value:>{cell[name]}.{0 if name in counts else digits}f}")
        lines.append(f"{label:>{width}}" + "".join(cells))
    return lines
