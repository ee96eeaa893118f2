"""Every component id of the page, in one place.

The ids of DESIGN.md §8 are a contract (tests, benchmarks and users' scripts
find them); the others are internal to the page and may change.
"""

from __future__ import annotations

# -- DESIGN.md §8: stable ------------------------------------------------------
STATUS_BADGE = "status-badge"
HEALTH_BADGE = "health-badge"
NOTIFICATION_BELL = "notification-bell"
NOTIFICATION_COUNT = "notification-count"
NOTIFICATION_LIST = "notification-list"
ACTIVITY_FEED = "activity-feed"
FEED_FILTER = "feed-filter"
FEED_SEARCH = "feed-search"
CHART_CPU = "chart-cpu"
CHART_MEMORY = "chart-memory"
CHART_NETWORK = "chart-network"
CHART_DISK = "chart-disk"
CHART_CUSTOM = "chart-custom"

# -- live client -----------------------------------------------------------------
CONFIG = "mova-config"  # the page config for the browser (components/client.py client_config), read once at boot
SOCKET = "mova-ws"  # dash-extensions WebSocket; its url is set by the client
POLL = "mova-poll"  # dcc.Interval driving the REST fallback while the socket is down
PANEL_EVENTS = "mova-events-"  # prefix: "mova-events-feed" is the feed's store, written when it has new events


def panel_events(panel: str) -> str:
    """The id of a panel's events store (components/client.py ``panel_store``)."""
    return PANEL_EVENTS + panel


# -- top bar -----------------------------------------------------------------------
THEME_TOGGLE = "theme-toggle"  # light/dark; the choice is remembered (assets/01_theme.js)
STATUS_PILL = "status-pill"
STATUS_ICON = "status-icon"
STATUS_DETAIL = "status-detail"
STATUS_POPOVER = "status-popover"
STATUS_POPOVER_BODY = "status-popover-body"
HEALTH_ICON = "health-icon"
HEALTH_PILL = "health-pill"

# -- notifications -----------------------------------------------------------------
NOTIFICATION_POPOVER = "notification-popover"
NOTIFICATION_STATE = "notification-state"  # localStorage: read/removed/cleared marks
NOTIFICATION_MARK_READ = "notification-mark-read"
NOTIFICATION_CLEAR = "notification-clear"
ACCOUNT_LINK = "account-link"  # the top bar's link to /account (sign out, admin)
NOTIFICATION_REMOVE = "notification-remove"  # pattern-matching type: {"type": ..., "seq": n}
TOASTS = "toasts"

# -- charts (only the dcc.Graphs start with "chart-": DESIGN.md §8) ----------------------------------------------------------------------------
CHART_RANGE = "metrics-range"
CHART_PAUSE = "metrics-pause"
CHART_PAUSE_LABEL = "metrics-pause-label"
CHART_SERIES = "metrics-series"  # the custom chart's series picker
CHART_STATS = "metrics-stat"  # prefix: "metrics-stat-chart-cpu" holds the latest value of chart-cpu

# -- feed ------------------------------------------------------------------------------
FEED_LIVE = "feed-live"
FEED_LIVE_TEXT = "feed-live-text"
FEED_NEW = "feed-new"
FEED_NEW_TEXT = "feed-new-text"
FEED_OLDER = "feed-older"
FEED_COUNT = "feed-count"
FEED_ROWS = (
    "activity-feed-rows"  # the rows, kept by assets/client/panel_feed.js one DOM node per event (Dash renders it empty)
)
FEED_EMPTY = "activity-feed-empty"  # "Waiting for events…" / "No event matches the filter", hidden while rows show

# -- issue 5 panels (stable: tests and users' scripts find rows by their data-* attributes) -----------------
ML_JOBS = "ml-jobs"  # one row per training job: data-job, data-state, data-progress
ML_JOBS_COUNT = "ml-jobs-count"
ML_MODELS = "ml-models"  # latest model versions: data-model, data-version
ML_PREDICTIONS = "ml-predictions"  # per model, last minute: data-model, data-count
ML_LOSS = "ml-loss"  # the selected job's loss curve (a dcc.Graph, not a metric chart: no "chart-" prefix)
ML_LOSS_TITLE = "ml-loss-title"
ML_SELECTED = "ml-selected"  # dcc.Store: the job whose loss curve shows (a click on a row sets it)
TRANSFERS = "transfers"  # data-transfer, data-state, data-direction, data-progress
TRANSFERS_COUNT = "transfers-count"
PRESENCE = "presence"  # data-user, data-state
PRESENCE_COUNT = "presence-count"
PLUGINS = "plugins"  # data-plugin, data-state, data-version
PLUGINS_COUNT = "plugins-count"

# -- health popover ------------------------------------------------------------------------------
HEALTH_POPOVER = "health-popover"
HEALTH_POPOVER_BODY = "health-popover-body"

# -- export (issue 4) ---------------------------------------------------------------------------------
EXPORT_OPEN = "export-open"
EXPORT_MODAL = "export-modal"
EXPORT_SERIES = "export-series"
EXPORT_RANGE = "export-range"
EXPORT_FORMAT = "export-format"
EXPORT_LAYOUT = "export-layout"
EXPORT_DOWNLOAD = "export-download"  # a direct link to GET /api/metrics/export
EXPORT_SUMMARY = "export-summary"
FEED_EXPORT = "feed-export"  # a direct link to GET /api/events/export with the feed's filter and search

ALL_CHARTS = (CHART_CPU, CHART_MEMORY, CHART_NETWORK, CHART_DISK, CHART_CUSTOM)

# -- alerts (components/alerts.py, callbacks/alerts.py) ------------------------------------------------------------
ALERTS_CARD = "alerts-card"
ALERTS_LIST = "alerts-list"  # one row per rule: data-rule, data-state
ALERTS_COUNT = "alerts-count"
ALERTS_POLL = "alerts-poll"  # refreshes the list while the page is open
ALERTS_SIGNATURE = "alerts-signature"  # what the list shows, so an unchanged refresh redraws nothing
ALERTS_CHANGED = "alerts-changed"  # bumped by every action, so the list refreshes at once
ALERTS_SELECTED = "alerts-selected"  # the rule whose chart and history are shown
ALERTS_DETAIL_TITLE = "alerts-detail-title"
ALERTS_GRAPH = "alerts-graph"  # the selected rule's series with its threshold lines (not a "chart-": DESIGN.md §8)
ALERTS_HISTORY = "alerts-history"
ALERTS_MESSAGE = "alerts-message"
ALERTS_ACK = "alerts-ack"  # pattern-matching type: {"type": ALERTS_ACK, "rule": id}
ALERTS_SILENCE = "alerts-silence"  # pattern-matching type: {"type": ALERTS_SILENCE, "rule": id}
ALERTS_SHOW = "alerts-show"  # pattern-matching type: {"type": ALERTS_SHOW, "rule": id}
ALERTS_NEW = "alerts-new"
ALERTS_FORM = "alerts-form"  # the rule form's modal
ALERTS_FORM_FIELD = "alerts-form-field"  # pattern-matching type: {"type": ALERTS_FORM_FIELD, "field": name}
ALERTS_FORM_COL = "alerts-form-col"  # pattern-matching type: a field's column, hidden for kinds that lack it
ALERTS_FORM_SERIES = "alerts-form-series"  # the known series names, offered as the series field is typed
ALERTS_FORM_PREVIEW = "alerts-form-preview"  # live preview: the series and the levels as they are typed
ALERTS_FORM_CHECK = "alerts-form-check"  # what the server's validation says of the rule as typed
ALERTS_FORM_SAVE = "alerts-form-save"
ALERTS_FORM_CANCEL = "alerts-form-cancel"

# -- ingest rate per source (the recipe's example panel: ARCHITECTURE.md) -----------------------------
INGEST_RATE = "ingest-rate"  # one row per source: data-source, data-rate (events/s over the last 10 s)
INGEST_RATE_COUNT = "ingest-rate-count"
INGEST_WINDOW = "ingest-window"  # the seconds the rates are averaged over (10 or 60)


def as_config() -> dict[str, str]:
    """Every id above by its constant's name in lower case: the page config hands these to the JS."""
    return {name.lower(): value for name, value in globals().items() if name.isupper() and isinstance(value, str)}
