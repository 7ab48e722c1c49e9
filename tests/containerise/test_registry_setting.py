"""`LEGACYLIFT_REGISTRY` is honoured by `--registry local`: naming a registry other than the
one setup started is refused in one line naming both, never silently ignored."""

from __future__ import annotations

import pytest

from legacylift.containerise.registry import resolve_target
from legacylift.errors import LegacyLiftError


def test_local_registry_follows_the_setting(registry_credentials, monkeypatch):
    """Planted bug `registry-setting-ignored` (local_target using setup's address whatever
    LEGACYLIFT_REGISTRY says): a build meant for another registry went to setup's."""
    started = registry_credentials["address"]
    monkeypatch.setenv("LEGACYLIFT_REGISTRY", started)
    assert resolve_target("local").address == started
    monkeypatch.setenv("LEGACYLIFT_REGISTRY", "127.0.0.1:5999")
    with pytest.raises(LegacyLiftError) as refused:
        resolve_target("local")
    message = str(refused.value)
    assert "LEGACYLIFT_REGISTRY is 127.0.0.1:5999" in message
    assert f"setup started the development registry at {started}" in message
