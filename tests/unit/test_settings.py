"""Settings: precedence, loud failures, token generation, and every one documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import Settings, SettingsError, load
from hub.settings_table import SETTINGS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_readme():
    text = README.read_text()
    missing = [s.name for s in SETTINGS if f"`{s.flag}`" not in text or f"`{s.env}`" not in text]
    assert missing == []


def test_every_setting_is_a_field_with_the_same_default():
    defaults = Settings()
    for s in SETTINGS:
        assert getattr(defaults, s.name) == s.default, s.name


def test_flags_beat_environment_beat_defaults():
    env = {"MOVA_PORT": "9000", "MOVA_COLLECTOR": "off", "MOVA_ALLOWED_ORIGIN": "https://a, https://b"}
    settings = load(["--port", "9100"], env)
    assert settings.port == 9100 and settings.collector is False
    assert settings.allowed_origin == ("https://a", "https://b")
    assert load([], {}).port == 8050 and load(["--collector"], {"MOVA_COLLECTOR": "0"}).collector is True


@pytest.mark.parametrize(
    ("argv", "env", "name"),
    [
        (["--port", "http"], {}, "port"),
        ([], {"MOVA_COLLECTOR_INTERVAL": "0"}, "collector_interval"),
        ([], {"MOVA_COLLECTOR": "maybe"}, "collector"),
        (["--server", "uwsgi"], {}, "server"),
    ],
)
def test_bad_values_fail_naming_the_setting(argv, env, name):
    with pytest.raises(SettingsError, match=name):
        load(argv, env)


def test_token_generated_when_bound_beyond_loopback():
    assert load(["--host", "0.0.0.0"], {}).token and load(["--host", "0.0.0.0"], {}).generated_token
    assert load(["--host", "0.0.0.0", "--token", "t"], {}).token == "t"
    assert load([], {}).token == ""
