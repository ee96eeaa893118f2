"""CSV injection (OWASP), as a class: every CSV export, events and metrics, long, wide and downsampled.

Cells that begin with = + - @ tab or CR are written with a leading single quote,
text is quoted so an embedded CR/LF stays in its cell, numbers stay numbers
(negative ones included), and pandas reads every other value back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from hub.export.csvsafe import TRIGGERS
from tests.server import ServerProcess

START = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
# one hostile value per trigger, plus the harmless ones that must come back exactly as sent
HOSTILE = ['=HYPERLINK("http://evil.test","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR"]
HARMLESS = ["plain", "a=b", "line1\nline2", "mid\rcr", "x-1", "'already quoted"]
SERIES = ["=cmd", "+plus", "-minus", "@at", "ok.series"]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture(scope="module")
def csv_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("csv") / "data", "--no-collector").start()
    events = [
        {"type": "custom.csv", "source": value, "id": f"{value}#{i}", "data": {"text": value}}
        for i, value in enumerate(HOSTILE + HARMLESS)
    ]
    assert server.post(events).status_code == 202
    samples = [
        {
            "type": "metrics.update",
            "time": iso(START + timedelta(seconds=i)),
            "data": {name: (-1.5 - i if k % 2 else 2.0 * i) for k, name in enumerate(SERIES)},
        }
        for i in range(120)
    ]
    assert server.post(samples).status_code == 202
    try:
        yield server
    finally:
        server.stop()


def expected(value: str) -> str:
    return "'" + value if value.startswith(TRIGGERS) else value


def assert_inert(body: bytes, numeric_columns: set[int]) -> None:
    """No cell a spreadsheet would read as a formula: text never starts with a trigger; numbers parse."""
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert rows, body
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if r > 0 and c in numeric_columns and cell:
                float(cell)  # a number, negative or not, is written bare and is a number
            else:
                assert not cell.startswith(TRIGGERS), (r, c, cell)


def test_events_csv_neutralises_formulas_and_round_trips(csv_server: ServerProcess) -> None:
    r = csv_server.get("/api/events/export", params={"format": "csv", "type": "custom"})
    assert r.status_code == 200, r.text
    assert_inert(r.content, numeric_columns={0})
    frame = pd.read_csv(io.BytesIO(r.content), keep_default_na=False)
    sent = HOSTILE + HARMLESS
    assert frame["source"].tolist() == [expected(v) for v in sent]
    assert frame["id"].tolist() == [expected(f"{v}#{i}") for i, v in enumerate(sent)]
    assert frame["seq"].dtype.kind == "i"
    # the embedded CR and LF stayed inside their cells: one row per event
    assert len(frame) == len(sent)


@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize("max_points", [None, 7])
def test_metrics_csv_neutralises_series_names_and_keeps_numbers(
    csv_server: ServerProcess, layout: str, max_points: int | None
) -> None:
    params = {"series": SERIES, "since": iso(START), "until": iso(START + timedelta(seconds=119)), "layout": layout}
    if max_points:
        params["max_points"] = str(max_points)
    r = csv_server.get("/api/metrics/export", params=params)
    assert r.status_code == 200, r.text
    frame = pd.read_csv(io.BytesIO(r.content))
    if layout == "long":
        assert_inert(r.content, numeric_columns={2})
        assert sorted(set(frame["series"])) == sorted(expected(s) for s in SERIES)
        values = frame[frame["series"] == "'+plus"]["value"]
    else:
        assert_inert(r.content, numeric_columns=set(range(1, len(SERIES) + 1)))
        assert frame.columns.tolist() == ["time", *(expected(s) for s in SERIES)]
        values = frame["'+plus"]
    assert values.dtype == float and (values < 0).all()  # negative numbers are numbers, not text, not prefixed
    if max_points is None and layout == "long":
        assert values.tolist() == [-1.5 - i for i in range(120)]


def test_jsonl_and_parquet_are_left_as_data(csv_server: ServerProcess, tmp_path: Path) -> None:
    # the rule is for spreadsheets; the machine formats carry the values exactly
    r = csv_server.get("/api/events/export", params={"format": "jsonl", "type": "custom"})
    sources = pd.read_json(io.BytesIO(r.content), lines=True)["source"].tolist()
    assert sources == HOSTILE + HARMLESS
    params = {"series": SERIES, "since": iso(START), "until": iso(START + timedelta(seconds=119)), "format": "parquet"}
    frame = pd.read_parquet(io.BytesIO(csv_server.get("/api/metrics/export", params=params).content))
    assert sorted(set(frame["series"])) == sorted(SERIES)
