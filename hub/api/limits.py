"""The bounds and defaults of the HTTP API: checked by the routes and stated by the OpenAPI document.

Each is declared here once; hub/api/routes.py and params.py check them and
hub/api/paths.py, schemas.py and openapi.py put them in the document, so the two
cannot disagree. Bounds that belong to another part are declared there and read
by both likewise: type prefixes (hub/events/filter.py), event attributes
(hub/events/model.py), search text (hub/storage/search.py), export formats
(hub/export/).
"""

from __future__ import annotations

JSON_TYPES = {"application/json", "application/cloudevents+json"}
BATCH_TYPE = "application/cloudevents-batch+json"
DEFAULT_LIMIT, MAX_LIMIT = 500, 5000  # events of one page of GET /api/events
DEFAULT_WINDOW_S = 300.0  # GET /api/metrics without since: the last five minutes
DEFAULT_POINTS, MAX_POINTS = 500, 10_000
# what sizes the work of one request (issue 17): each is checked before any work starts
MAX_SERIES = 100  # series in one metrics query or export
MIN_STEP_S, MAX_STEP_S = 0.001, 1e9  # the wide export's bucket width
MAX_WIDE_ROWS = 2_000_000  # buckets of one wide export, over the span its series have samples in
MAX_SEQ = 2**63 - 1  # SQLite's INTEGER
MAX_TIME_OFFSET_S = 1e9  # a time parameter: about 31 years either side of now (or that many seconds ago)
MAX_FRAME_MS = 10_000  # /ws?frame_ms=
