"""bench/scale.py runs briefly and its numbers make sense (correctness only, nothing timed)."""

from __future__ import annotations

from typing import Any

from bench import scale


def test_benchscale001_every_backend_delivers_everything_and_accepts_events(scale_services) -> None:
    latency: list[list[Any]] = []
    ingest: list[list[Any]] = []
    text = scale.run(
        processes=(1, 2), cases=[(20, 2)], seconds=0.5, latency=latency, ingest=ingest, found=scale_services
    )
    assert "machine:" in text and "skipped" not in text, text
    assert [(row[0], row[1]) for row in latency] == [("sqlite (default)", 1), ("pg+redis", 1), ("pg+redis", 2)]
    for row in latency:
        assert row[4] == 10 and row[9] == 0, text  # 10 sent, none lost
        assert 0 <= row[5] <= row[7] <= row[8], text  # p50 <= p99 <= max
    assert len(ingest) == 3 * len(scale.BATCHES)
    for row in ingest:
        assert int(str(row[3]).replace(",", "")) > 0 and row[4] == 0, text
