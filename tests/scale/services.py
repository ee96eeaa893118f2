"""Debian's redis-server and PostgreSQL, started on loopback ports of their own for the scale tests.

``scale_services`` (session) runs one of each in a temp dir: redis-server with no
persistence, PostgreSQL from /usr/lib/postgresql/*/bin as the ``postgres`` user when
the tests run as root (postgres refuses root). ``scale_urls`` (per test) creates a
fresh database, so every test starts from an empty store with its own epoch (the
Redis stream key carries the epoch). Missing binaries or packages skip with the
command that installs them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server import free_port, wait_until

INSTALL_HINT = "run `make scale-deps` (apt: redis-server postgresql) and `pip install -e '.[scale]'`"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class Redis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.dir = root / "redis"
        self.dir.mkdir()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        wait_until(lambda: self._ping(client), timeout=15, message="redis-server to answer")

    @staticmethod
    def _ping(client: object) -> bool:
        import redis

        try:
            return bool(client.ping())  # type: ignore[attr-defined]
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Stop Redis (its stream is lost: no persistence)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Postgres:
    def __init__(self, root: Path, bindir: Path) -> None:
        self.port = free_port()
        self.bindir = bindir
        self.dir = root / "pg"
        self.user: str | None = "postgres" if os.geteuid() == 0 else None

    def _run(self, *cmd: str, check: bool = True) -> None:
        full = [str(self.bindir / cmd[0]), *cmd[1:]]
        if self.user:
            full = ["runuser", "-u", self.user, "--", *full]
        done = subprocess.run(full, capture_output=True, cwd="/")
        if check and done.returncode:
            raise AssertionError(
                f"{' '.join(full)} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}"
            )

    def start(self) -> None:
        """Create the cluster on first start; later starts bring the same one back (a restart)."""
        if not self.dir.exists():
            self.dir.mkdir()
            if self.user:
                entry = pwd.getpwnam(self.user)
                os.chown(self.dir, entry.pw_uid, entry.pw_gid)
                os.chmod(self.dir.parent, 0o755)
            self._run("initdb", "-D", str(self.dir / "data"), "-U", "mova", "--auth=trust", "-E", "UTF8", "--locale=C")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", "start")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://mova@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        """Stop at once, like a crash (``-m immediate``): open transactions are lost, committed ones are kept."""
        # check=False: at teardown a server that never started has nothing to stop
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop", check=False)


@dataclass
class Services:
    redis: Redis
    postgres: Postgres


class Missing(RuntimeError):
    """redis-server, PostgreSQL or their Python clients are not installed (the message says how to)."""


@contextmanager
def running_services(prefix: str = "mova-scale-") -> Iterator[Services]:
    """One redis-server and one PostgreSQL in a temp dir, stopped and removed at the end."""
    bindir = _pg_bin()
    if shutil.which("redis-server") is None or bindir is None:
        raise Missing(f"redis-server or PostgreSQL binaries missing: {INSTALL_HINT}")
    try:
        import psycopg  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        raise Missing(f"psycopg or redis-py missing: {INSTALL_HINT}") from None
    root = Path(tempfile.mkdtemp(prefix=prefix))
    services = Services(Redis(root), Postgres(root, bindir))
    try:
        services.redis.start()
        services.postgres.start()
        yield services
    finally:
        services.redis.stop()
        services.postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def scale_services() -> Iterator[Services]:
    try:
        context = running_services()
        services = context.__enter__()
    except Missing as exc:
        pytest.skip(str(exc))
    try:
        yield services
    finally:
        context.__exit__(None, None, None)


@dataclass
class ScaleUrls:
    store_url: str
    bus_url: str
    services: Services

    @property
    def args(self) -> list[str]:
        return ["--store-url", self.store_url, "--bus-url", self.bus_url]


@pytest.fixture
def scale_urls(scale_services: Services) -> ScaleUrls:
    """A fresh PostgreSQL database and the shared Redis, as server arguments."""
    return ScaleUrls(scale_services.postgres.create_database(), scale_services.redis.url, scale_services)
