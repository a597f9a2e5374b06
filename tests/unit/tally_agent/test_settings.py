"""Settings refuse what Tally cannot survive (tally-xml.md §1.6, §5.2)."""

from __future__ import annotations

import pytest
from mlc_shared.config import ConfigError, load_settings
from tally_agent.settings import MAX_EXPORT_WINDOW, MAX_IMPORT_BATCH, TallyAgentSettings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MLC_TALLY_URL", "MLC_TALLY_COMPANY", "MLC_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(TallyAgentSettings)
    assert settings.tally_base_url == "http://127.0.0.1:9000"
    assert settings.tally_encoding == "utf-16"
    assert settings.tally_export_window == MAX_EXPORT_WINDOW


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_TALLY_URL", "http://192.168.1.20:9000")
    monkeypatch.setenv("MLC_TALLY_COMPANY", "Acme & Co")
    monkeypatch.setenv("MLC_TALLY_USERNAME", "owner")
    monkeypatch.setenv("MLC_TALLY_PASSWORD", "pa55word")
    settings = load_settings(TallyAgentSettings)
    assert settings.tally_company == "Acme & Co"
    assert settings.tally_password is not None
    assert "pa55word" not in repr(settings)


def test_batch_above_what_tally_survives_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_TALLY_IMPORT_BATCH_SIZE", str(MAX_IMPORT_BATCH + 1))
    with pytest.raises(ConfigError, match=r"MLC_TALLY_IMPORT_BATCH_SIZE.*above what Tally"):
        load_settings(TallyAgentSettings)


def test_window_above_what_tally_survives_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_TALLY_EXPORT_WINDOW", "10000")
    with pytest.raises(ConfigError, match=r"MLC_TALLY_EXPORT_WINDOW.*stuck"):
        load_settings(TallyAgentSettings)


def test_password_without_user_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLC_TALLY_USERNAME", raising=False)
    monkeypatch.setenv("MLC_TALLY_PASSWORD", "pa55word")
    with pytest.raises(ConfigError, match="MLC_TALLY_USERNAME"):
        load_settings(TallyAgentSettings)


def test_https_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_TALLY_URL", "https://127.0.0.1:9000")
    with pytest.raises(ConfigError, match="MLC_TALLY_URL"):
        load_settings(TallyAgentSettings)
