"""The browser client's wiring: ids from Python only, panels found in the layout, scripts in order,
and the workarounds pinned to the library versions they were checked with.

The JS reads every id from the page config (``cfg.ids.<name>``, components/ids.py ``as_config``): a
name the config lacks would be ``undefined`` in the browser, and an id typed as a string in the JS
is the duplication issue 14 removed. assets/client/workarounds.js works around limits of dash
4.4.1 and dash-extensions 2.0.6; a different installed version fails here so that whoever upgrades
re-checks both workarounds (its header says how).
"""

from __future__ import annotations

import re
from importlib.metadata import version
from types import SimpleNamespace

from components import ids
from components.client import CLIENT_DIR, client_config, client_files, client_scripts
from components.layout import page

JS = {path.name: path.read_text() for path in CLIENT_DIR.glob("*.js")}
CSS_CLASSES = set(re.findall(r"\.([a-z][a-z0-9-]+)", (CLIENT_DIR.parent / "mova.css").read_text()))
SETTINGS = SimpleNamespace(feed_max_items=50, notifications_max=10, poll_interval_s=2.0, heartbeat_s=30.0)


def test_every_id_the_js_reads_is_in_the_config_and_none_is_typed_in_it() -> None:
    names = ids.as_config()
    for file, text in JS.items():
        for name in set(re.findall(r"\bids\.([a-z_]+)\b", text)):
            assert name in names, f"{file} reads ids.{name}, which components/ids.py does not declare"
        # a panel's name (its module's `name: 'transfers'`) may equal its container's id: that is a key, not an id
        literals = set(re.findall(r"'([a-z][a-z0-9-]+)'", re.sub(r"name: '[a-z_]+'", "", text)))
        typed = (literals & set(names.values())) - CSS_CLASSES  # a class may share its element's id
        assert not typed, f"{file} types page ids {sorted(typed)}: read them from cfg.ids instead"


def test_config_lists_every_panel_store_of_the_page_and_its_js_module() -> None:
    config = client_config(SETTINGS, page(SETTINGS).children)
    panels = config["panels"]
    assert panels["notifications"] == ids.panel_events("notifications") and {"status", "health"} <= set(panels)
    for name in panels:
        assert f"panel_{name}.js" in JS, f"the page has a {name} panel store but no assets/client/panel_{name}.js"
    assert config["ids"]["status_badge"] == ids.STATUS_BADGE


def test_scripts_load_core_first_panels_then_the_client_last() -> None:
    files = client_files()
    assert files[:2] == ["format.js", "describe.js"] and files[-1] == "client.js"
    panels = [i for i, name in enumerate(files) if name.startswith("panel_")]
    assert panels == list(range(panels[0], panels[0] + len(panels))) and files.index("workarounds.js") < panels[0]
    assert set(files) == set(JS), "a module of assets/client/ is not loaded (or a listed one is missing)"
    assert all(url.startswith("/assets/client/") and "?m=" in url for url in client_scripts())


def test_every_module_needs_only_modules_loaded_before_it() -> None:
    # in the page need('./x.js') reads window.mova.x, which exists only once x.js ran: a module needed
    # before it loads is undefined in the browser, though node's require would find it
    files = client_files()
    for at, name in enumerate(files):
        for needed in re.findall(r"need\('\./([a-z_]+\.js)'\)", JS[name]):
            assert needed in files[:at], (
                f"{name} needs {needed}, which components/client.py loads after it (or not at all)"
            )


def test_workarounds_are_pinned_to_the_versions_they_were_checked_with() -> None:
    pinned = dict(
        re.findall(r"'?([\w-]+)'?: '([\d.]+)'", re.search(r"VERIFIED_WITH = \{(.*?)\}", JS["workarounds.js"]).group(1))
    )
    installed = {name: version(name) for name in ("dash", "dash-extensions")}
    assert pinned == installed, (
        f"assets/client/workarounds.js was checked with {pinned}, installed is {installed}: re-check both "
        "workarounds (does the component still drop frames? does Dash still keep its undo history?) and update it"
    )
