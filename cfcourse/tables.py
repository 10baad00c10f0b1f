"""One table formatter for every table the course prints (plain text) or writes (markdown)."""

from __future__ import annotations


def format_table(headings: list[str], rows: list[list[str]], *, widths: list[int] | None = None,
                 align: str | None = None, markdown: bool = False) -> str:
    """``rows`` of cells already written as text, under ``headings``.

    ``align`` has one letter per column, ``l`` or ``r``; by default the first column is on the left
    and the others, numbers mostly, on the right. Plain text (what ``make run-all`` prints) pads each
    column to its widest cell, or to its entry in ``widths`` if that is wider, one space apart, with a
    dashed line under the headings. ``markdown=True`` makes a pipe table instead.
    """
    align = align or "l" + "r" * (len(headings) - 1)
    if markdown:
        rule = "|" + "|".join("---:" if side == "r" else "---" for side in align) + "|"
        return "\n".join(["| " + " | ".join(headings) + " |", rule, *("| " + " | ".join(row) + " |" for row in rows)])
    widths = [max([len(heading), *(len(row[column]) for row in rows), (widths or [0] * len(headings))[column]])
              for column, heading in enumerate(headings)]

    def line(cells: list[str]) -> str:
        return " ".join(cell.ljust(width) if side == "l" else cell.rjust(width)
                        for cell, width, side in zip(cells, widths, align)).rstrip()

    header = line(headings)
    return "\n".join([header, "-" * len(header), *(line(row) for row in rows)])
