"""What the routes read of the hub: two narrow protocols instead of the whole ``Hub``.

The REST routes need the settings, the producers' gate, the store, ingest and the
status snapshot (``ApiHub``); the /ws route needs the store, the bus, the open
sessions, the socket watch and the current health (``SocketHub``). ``Hub``
(hub/hub.py) provides both; a test or another server could give either alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hub.access.gate import Gate
    from hub.access.sockets import SocketWatch
    from hub.events.model import AppendResult
    from hub.live.bus import Bus
    from hub.live.session import ClientSession
    from hub.settings import Settings
    from hub.storage.interface import Store


class ApiHub(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def gate(self) -> Gate: ...

    @property
    def store(self) -> Store: ...

    def ingest(self, items: list[Any], source: str) -> AppendResult: ...

    def status(self) -> dict[str, Any]: ...


class SocketHub(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def bus(self) -> Bus: ...

    @property
    def sessions(self) -> set[ClientSession]: ...

    @property
    def socket_watch(self) -> SocketWatch: ...

    def current_health(self) -> dict[str, Any]: ...
