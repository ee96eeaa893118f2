"""The SQL both stores run, written once with ``?`` placeholders, and what differs between the databases.

A ``Dialect`` holds the few expressions SQLite and PostgreSQL spell differently
(placeholders, epoch seconds as ISO text, integer division into buckets, ASCII
case folding, walking JSON strings, LEAST/GREATEST); every query is written once
with ``?`` and the dialect's expressions, and ``Dialect.sql()`` gives it in that
database's spelling. Both stores therefore find the same events and answer the
same series.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from hub.events.filter import EventFilter


@dataclass(frozen=True)
class Dialect:
    """What differs between SQLite's and PostgreSQL's SQL in the queries both stores share."""

    name: str
    placeholder: str
    iso_ms: str  # epoch seconds {col} as ISO 8601 text with milliseconds
    bucket: str  # the whole number of widths from a start to {col}: params (start, width)
    contains: str  # {col} holds the (lowercased) parameter, ASCII letters folded to lower case
    data_contains: str  # a string anywhere under the envelope's data holds the parameter (as contains)
    least: str  # the smaller of two values (SQLite's two-argument MIN)
    greatest: str

    def sql(self, text: str) -> str:
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)


# CAST truncates, which is floor here: every value read is at or after its start. LIKE folds ASCII letters
# only (and reads 2-3x faster than instr(lower(...))); PostgreSQL's text search folds the same, so both
# stores find the same events
SQLITE = Dialect(
    "sqlite",
    "?",
    "strftime('%Y-%m-%dT%H:%M:%fZ', {col}, 'unixepoch')",
    "CAST(({col} - ?) / ? AS INTEGER)",
    "{col} LIKE ? ESCAPE '\\'",
    # json_tree cuts a string at a NUL: its escape is read as U+FFFD, as PostgreSQL's jsonb must (q has no NUL)
    "EXISTS (SELECT 1 FROM json_tree(replace(body, '\\u0000', '\\ufffd'), '$.data') AS j "
    "WHERE j.type = 'text' AND j.value LIKE ? ESCAPE '\\')",
    "MIN",
    "MAX",
)

# floor, not CAST: PostgreSQL's cast to an integer rounds. translate(), not lower(): ASCII folding
# only, like SQLite's LIKE, so that both stores find the same events whatever the database's locale
PG_LOWER = "translate({col}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
POSTGRES = Dialect(
    "postgresql",
    "%s",
    "to_char(to_timestamp({col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    "floor(({col} - ?) / ?)::bigint",
    f"{PG_LOWER} LIKE ? ESCAPE '\\'",
    # jsonb refuses the escape of NUL that JSON text allows: it is searched as U+FFFD (q has no NUL)
    "EXISTS (SELECT 1 FROM jsonb_path_query(replace(body, '\\u0000', '\\ufffd')::jsonb, 'strict $.data.**') AS j(v) "
    "WHERE jsonb_typeof(j.v) = 'string' AND " + PG_LOWER.format(col="j.v #>> '{}'") + " LIKE ? ESCAPE '\\')",
    "LEAST",
    "GREATEST",
)

ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape character backslash) matching text anywhere, ASCII letters lowered."""
    plain = text.translate(ASCII_LOWER).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{plain}%"


def text_clause(dialect: Dialect, text: str) -> tuple[str, list[Any]]:
    """SQL matching events whose type, source or a string value in data contains ``text`` (ASCII case folded).

    The stored JSON text is searched first (cheap; the search text JSON-escaped as the body stores it),
    and only the events it contains are walked for the data's string values: keys, ids and times never match.
    """
    escaped = orjson.dumps(text).decode()[1:-1]
    sql = (
        f"({dialect.contains.format(col='type')} OR {dialect.contains.format(col='source')} OR "
        f"({dialect.contains.format(col='body')} AND {dialect.data_contains}))"
    )
    pattern = like_pattern(text)
    return sql, [pattern, pattern, like_pattern(escaped), pattern]


def type_filter_sql(prefixes: Sequence[str]) -> tuple[str, list[Any]]:
    """SQL matching types equal to a prefix or under it by whole segments ("ml" -> "ml.x.y")."""
    if not prefixes:
        return "1 = 1", []
    parts: list[str] = []
    params: list[Any] = []
    for prefix in prefixes:
        # '/' sorts right after '.', so [p., p/) is every type starting "p."
        parts.append("(type = ? OR (type >= ? AND type < ?))")
        params += [prefix, prefix + ".", prefix + "/"]
    return "(" + " OR ".join(parts) + ")", params


def filter_sql(
    dialect: Dialect, event_filter: EventFilter, types: tuple[str, list[Any]] | None = None
) -> tuple[str, list[Any]]:
    """The WHERE clause (``?`` placeholders) of an EventFilter; ``types`` replaces its type prefixes' clause."""
    where, params = types or type_filter_sql(event_filter.types)
    clauses = [where]
    if event_filter.since is not None:
        clauses.append("ts >= ?")
        params.append(event_filter.since)
    if event_filter.until is not None:
        clauses.append("ts <= ?")
        params.append(event_filter.until)
    if event_filter.text:
        text, text_params = text_clause(dialect, event_filter.text)
        clauses.append(text)
        params += text_params
    return " AND ".join(clauses), params


# -- the tables: one schema, the column types in each database's words ----------------------

COLUMN_TYPES = {
    "sqlite": {
        "seq": "INTEGER PRIMARY KEY AUTOINCREMENT",  # AUTOINCREMENT: a seq is never given twice, even after retention
        "type": "TEXT",
        "real": "REAL",
        "series_key": "INTEGER PRIMARY KEY",
        "int64": "INTEGER",
        "clustered": " WITHOUT ROWID",  # the primary key is the table: samples and cells are read by it
    },
    "postgresql": {
        "seq": "BIGINT PRIMARY KEY",  # assigned from seq_counter under the write lock (hub/storage/postgres.py)
        "type": 'TEXT COLLATE "C"',  # byte order, as SQLite's: the type prefix ranges rely on it
        "real": "DOUBLE PRECISION",
        "series_key": "BIGSERIAL PRIMARY KEY",
        "int64": "BIGINT",
        "clustered": "",
    },
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq {seq},
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    type {type} NOT NULL,
    ts {real} NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_idempotency ON events (id, source);
CREATE INDEX IF NOT EXISTS events_type ON events (type, seq);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE TABLE IF NOT EXISTS series (
    id {series_key},
    name TEXT NOT NULL UNIQUE,
    first_ts {real} NOT NULL,
    last_ts {real} NOT NULL,
    last_value {real} NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
    series_id {int64} NOT NULL,
    ts {real} NOT NULL,
    value {real} NOT NULL,
    PRIMARY KEY (series_id, ts)
){clustered};
CREATE TABLE IF NOT EXISTS rollups (
    series_id {int64} NOT NULL,
    res INTEGER NOT NULL,
    bucket {real} NOT NULL,
    min {real} NOT NULL,
    max {real} NOT NULL,
    sum {real} NOT NULL,
    count {int64} NOT NULL,
    last {real} NOT NULL,
    last_ts {real} NOT NULL,
    PRIMARY KEY (series_id, res, bucket)
){clustered};
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def schema(dialect: Dialect) -> str:
    """The tables and indexes both stores keep, in this database's column types (statements end with ';')."""
    return SCHEMA.format(**COLUMN_TYPES[dialect.name])


# -- the statements of a write, alike in both databases ----------------------------------


def upsert_rollup(dialect: Dialect) -> str:
    """Adds samples pre-aggregated per cell (series.rollup_rows) to the rollups."""
    least, greatest = dialect.least, dialect.greatest
    return dialect.sql(f"""
INSERT INTO rollups (series_id, res, bucket, min, max, sum, count, last, last_ts)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (series_id, res, bucket) DO UPDATE SET
    min = {least}(rollups.min, excluded.min), max = {greatest}(rollups.max, excluded.max),
    sum = rollups.sum + excluded.sum, count = rollups.count + excluded.count,
    last = CASE WHEN excluded.last_ts >= rollups.last_ts THEN excluded.last ELSE rollups.last END,
    last_ts = {greatest}(rollups.last_ts, excluded.last_ts)
""")


def upsert_sample(dialect: Dialect) -> str:
    return dialect.sql(
        "INSERT INTO samples (series_id, ts, value) VALUES (?, ?, ?) "
        "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value"
    )


def update_series(dialect: Dialect) -> str:
    """A series' latest value, unless a later one is already there; its first time, if earlier."""
    return dialect.sql(
        f"UPDATE series SET last_ts = ?, last_value = ?, first_ts = {dialect.least}(first_ts, ?) "
        "WHERE name = ? AND last_ts <= ?"
    )


def insert_series(dialect: Dialect) -> str:
    """A new series' id; another process may have created it: the no-op update makes RETURNING answer either way."""
    return dialect.sql(
        "INSERT INTO series (name, first_ts, last_ts, last_value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id"
    )
