"""The page's definitions: feed categories, chart definitions, ranges, transfer fading.

components/client.py hands them to the browser in the page config.
"""

from __future__ import annotations

from dataclasses import dataclass

from components import ids

# categories offered by the feed filter before any event is seen (DESIGN.md §2); others are added when seen
CATEGORIES: tuple[str, ...] = (
    "system",
    "ml",
    "file",
    "user",
    "notification",
    "alert",
    "plugin",
    "analytics",
    "metrics",
)

# event types shown only as chart points, never as feed rows (one a second would drown the feed)
FEED_EXCLUDED_TYPES: tuple[str, ...] = ("system.metrics",)

LIVE_WINDOW_S = 300
# a finished transfer stays in the list this long, then fades, then leaves
TRANSFER_FADE_AFTER_S = 30
TRANSFER_REMOVE_AFTER_S = 90
RANGES: tuple[tuple[str, str, int], ...] = (
    ("live", "Live 5m", LIVE_WINDOW_S),
    ("1h", "1 h", 3600),
    ("6h", "6 h", 6 * 3600),
    ("24h", "24 h", 24 * 3600),
)


@dataclass(frozen=True)
class ChartSpec:
    id: str
    title: str
    icon: str
    series: tuple[str, ...]
    labels: tuple[str, ...]
    unit: str  # "%" or "B/s": how the axis and the latest value are formatted


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(ids.CHART_CPU, "CPU", "cpu", ("cpu.percent",), ("CPU",), "%"),
    ChartSpec(ids.CHART_MEMORY, "Memory", "database", ("memory.percent", "swap.percent"), ("RAM", "Swap"), "%"),
    ChartSpec(ids.CHART_NETWORK, "Network", "network", ("net.rx_bps", "net.tx_bps"), ("In", "Out"), "B/s"),
    ChartSpec(
        ids.CHART_DISK, "Disk I/O", "device-floppy", ("disk.read_bps", "disk.write_bps"), ("Read", "Write"), "B/s"
    ),
)
