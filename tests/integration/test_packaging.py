"""The two distributions, built and installed as a user would, outside the repository.

The server's wheel (mova-live) goes into a fresh venv and serves the page from
there, its assets inside the wheel; the client's wheel (mova-live-publish) goes
alone into another fresh venv, which then holds no Dash, pandas, pyarrow or
server code, and publishes to that installed server. Both wheels are built from
a copy of the sources (a checkout's stale build/ cannot leak into them). About
30-40 s on this machine, most of it pip installing the server's dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server import ROOT, free_port, wait_until

SOURCES = ("pyproject.toml", "README.md", "app.py", "hub", "components", "callbacks", "assets", "clients")
SERVER_ONLY = ("dash", "pandas", "pyarrow", "flask", "plotly", "hub", "app", "components", "callbacks")


def run(*cmd: str | Path, cwd: Path, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=outside_env(), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{cmd} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def outside_env() -> dict[str, str]:
    """The environment of a user's shell: nothing points into the checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def fresh_venv(path: Path, *requirements: str | Path, find_links: Path) -> Path:
    """A new venv with ``requirements`` installed by this interpreter's pip (no ensurepip, no bytecode: faster)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=60)
    python = path / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile", "--find-links", find_links]
    run(*pip, *requirements, cwd=path)
    return python


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "node_modules")
    for name in SOURCES:
        src = ROOT / name
        shutil.copytree(src, source / name, ignore=ignore) if src.is_dir() else shutil.copy2(src, source / name)
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, source, cwd=source)
    run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, source / "clients" / "python", cwd=source)
    return dist


@pytest.fixture(scope="module")
def installed_server(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The server wheel in a fresh venv, serving with its ``mova-live`` command from a directory outside the repo."""
    home = tmp_path_factory.mktemp("server-venv")
    [wheel] = wheels.glob("mova_live-*.whl")
    python = fresh_venv(home / "venv", wheel, find_links=wheels)
    port = free_port()
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [home / "venv" / "bin" / "mova-live", "serve", "--port", str(port), "--data-dir", "data", "--no-collector"],
        cwd=home,
        env=outside_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        assert proc.poll() is None, (home / "server.log").read_text()
        try:
            return requests.get(url + "/api/health", timeout=2).status_code == 200
        except requests.RequestException:  # refused, or bound while the worker still imports
            return False

    try:
        wait_until(answering, timeout=60, interval=0.1, message="the installed server")
        yield python, url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def test_server_wheel_serves_the_page_and_its_assets_from_a_fresh_venv(installed_server: tuple[Path, str]) -> None:
    python, url = installed_server
    where = run(python, "-c", "import app, hub; print(app.HERE); print(hub.__file__)", cwd=python.parent)
    site = str(python.parent.parent)
    assert all(line.startswith(site) for line in where.split()), where  # the venv's copy, not the checkout
    page = requests.get(url + "/", timeout=10)
    assert page.status_code == 200 and "MOVA Live" in page.text
    for name in ("mova.css", "client/client.js"):  # the styles, and the browser client outside Dash's own
        asset = requests.get(f"{url}/assets/{name}", timeout=10)
        assert asset.status_code == 200 and asset.content == (ROOT / "assets" / name).read_bytes(), name
    assert f"/assets/{'mova.css'}" in page.text  # Dash found the assets folder inside the installed wheel
    # the dispatcher's other command: `mova-live publish` is the client's CLI
    posted = run(
        python.parent / "mova-live", "publish", "notification", '{"level": "info", "title": "from mova-live"}',
        "--url", url, cwd=python.parent,
    )  # fmt: skip
    assert json.loads(posted)["accepted"] == 1


def test_client_wheel_alone_publishes_without_the_server_stack(
    wheels: Path, installed_server: tuple[Path, str], tmp_path: Path
) -> None:
    _, url = installed_server
    [wheel] = wheels.glob("mova_live_publish-*.whl")
    python = fresh_venv(tmp_path / "venv", wheel, find_links=wheels)
    found = run(
        python, "-c", f"import importlib.util as u; print([m for m in {SERVER_ONLY!r} if u.find_spec(m)])", cwd=tmp_path
    )
    assert found.strip() == "[]", found
    script = (
        "import sys\n"
        "from mova_publish import Publisher\n"
        "with Publisher(sys.argv[1], source='svc/wheel') as pub:\n"
        "    pub.publish('user.activity', {'user': 'ann', 'action': 'deploy'})\n"
        "    assert pub.flush(timeout=20), pub.stats\n"
        "    print(pub.stats.accepted)\n"
    )
    assert run(python, "-c", script, url, cwd=tmp_path).strip() == "1"
    cli = run(
        tmp_path / "venv" / "bin" / "mova-publish",
        "alert",
        '{"severity": "info", "title": "cli"}',
        "--url",
        url,
        cwd=tmp_path,
    )
    assert json.loads(cli)["accepted"] == 1
    events = requests.get(url + "/api/events", params={"type": ["user", "alert"]}, timeout=10).json()["events"]
    assert [(e["type"], e["source"]) for e in events] == [("user.activity", "svc/wheel"), ("alert", "cli")]
