"""Values leaving the hub as lines of text or spreadsheet cells: nothing they carry may act.

An indicator value is data from outside (a file name may hold a line break or a tab). In a
one-value-a-line feed a line break would add a line of its own choosing, so such values are
left out of those feeds and counted. In a CSV file a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return is run as a formula by spreadsheets (OWASP, CSV injection):
a leading single quote keeps it text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINE_BREAKING = frozenset("\r\n\t\v\f\x00\x1c\x1d\x1e\x85\u2028\u2029")


def spreadsheet_cell(value: str) -> str:
    """The value as a spreadsheet will show it as text, never as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def fits_one_line(value: str) -> bool:
    """True when the value can stand alone on a line of a text feed."""
    return not any(char in LINE_BREAKING for char in value)
