"""Every test runs against its own database and settings in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point OMSCTL_DB at a temporary file so no test touches a real database."""
    db = tmp_path / "omsctl.db"
    monkeypatch.setenv("OMSCTL_DB", str(db))
    monkeypatch.delenv("OMSCTL_CONFIG", raising=False)
    monkeypatch.setenv("OMSCTL_USER", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return db


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def oms() -> object:
    """Run omsctl in-process: `oms("orders", "list", "--json")` -> Run."""
    from omsctl.cli.app import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def env(isolated: Path) -> Iterator[object]:
    """An initialised database and the service environment that points at it."""
    from omsctl.services.context import Env
    from omsctl.store.migrate import upgrade

    environment = Env(
        db=str(isolated), actor="tester", now=lambda: datetime(2026, 11, 20, 9, tzinfo=UTC)
    )
    upgrade(environment.url)
    yield environment
    environment.engine.dispose()
