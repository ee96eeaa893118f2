"""GET /api/status answers quiet running jobs and transfers as stalled (hub.live.staleness), on the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_status_folds_quiet_running_as_stalled(server_factory):
    server = server_factory("--no-collector", "--stalled-after-s", "60")
    old = iso(datetime.now(UTC) - timedelta(minutes=25))
    server.post(
        [
            {
                "type": "file.upload.progress",
                "time": old,
                "data": {"transfer": "t1", "name": "a", "bytes": 1, "total": 9, "state": "running"},
            },
            {
                "type": "file.upload.progress",
                "data": {"transfer": "t2", "name": "b", "bytes": 1, "total": 9, "state": "running"},
            },
            {
                "type": "ml.training.progress",
                "time": old,
                "data": {"job": "quiet", "progress": 0.3, "state": "running"},
            },
        ]
    )
    state = server.get("/api/status").json()["state"]
    assert [(t["transfer"], t["state"]) for t in state["transfers"]] == [("t2", "running"), ("t1", "stalled")]
    [job] = state["jobs"]
    assert (job["state"], job["last_state"], job["stalled"]) == ("stalled", "running", True)
