"""Spreadsheet-safe CSV: the one rule every CSV export writes its cells with.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (OWASP "CSV
injection"): an event's ``source`` of ``=HYPERLINK(...)`` would run in the
reader's spreadsheet. Such a text cell is written with a single quote in front
(``'=HYPERLINK(...)``), which spreadsheets show as text and which costs a
reader of the data one character to strip. Every text cell (and every header)
is quoted, so an embedded CR or LF stays inside its cell (pandas' own writer
leaves a bare CR unquoted). Numbers are written as numbers and never touched: a
numeric cell of ``-1.5`` is a negative number to a spreadsheet, not a formula,
and a text cell that merely looks like ``-5`` is still text and still prefixed.
Everything else is written as it is, so pandas reads it back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_REGEX = "^[=+\\-@\t\r]"
PREFIX = "'"


def safe_text(value: str) -> str:
    """One text cell (or header) made inert for spreadsheets."""
    return PREFIX + value if value.startswith(TRIGGERS) else value


def safe_names(names: Iterable[str]) -> list[str]:
    return [safe_text(str(n)) for n in names]


def _safe_array(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return column  # numbers and times cannot start a formula
    risky = pc.match_substring_regex(column, _TRIGGER_REGEX)
    return pc.if_else(risky, pc.binary_join_element_wise(PREFIX, column, ""), column)


def table_csv(table: pa.Table, header: bool) -> bytes:
    """An Arrow table as CSV bytes (pyarrow quotes every text cell), cells and header made safe, in C."""
    safe = pa.table([_safe_array(c) for c in table.columns], names=safe_names(table.column_names))
    out = io.BytesIO()
    pacsv.write_csv(safe, out, pacsv.WriteOptions(include_header=header))
    return out.getvalue()


def frame_csv(frame: pd.DataFrame, header: bool) -> bytes:
    """A pandas frame as CSV bytes: text cells made safe and quoted (QUOTE_NONNUMERIC), numbers bare."""
    safe = frame.copy()
    for name in safe.columns:
        if pd.api.types.is_object_dtype(safe[name]) or pd.api.types.is_string_dtype(safe[name]):
            safe[name] = safe[name].map(lambda v: safe_text(v) if isinstance(v, str) else v)
    safe.columns = pd.Index(safe_names(safe.columns))
    text: str = safe.to_csv(index=False, header=header, quoting=csv.QUOTE_NONNUMERIC)
    return text.encode()
