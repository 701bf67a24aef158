"""Every test runs against its own database and settings in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from oms_backends import Backend, backend_from_environment, backend_name
from typer.testing import CliRunner

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite file (or the demo's); skipped on a PostgreSQL run"
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"omsctl test database: {backend_name()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if backend_name() == "sqlite":
        return
    skip = pytest.mark.skip(reason="about the SQLite file itself (sqlite_only)")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def backend() -> Iterator[Backend]:
    """SQLite files, or PostgreSQL databases when OMSCTL_TEST_BACKEND=postgresql."""
    try:
        chosen = backend_from_environment()
    except RuntimeError as exc:
        pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
    yield chosen
    chosen.close()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: Backend) -> Path:
    """Point OMSCTL_DB at an empty database of this test's own, never a real one.

    Returns the SQLite file's path; its folder is the test's working folder and holds
    omsctl.toml on either backend (a PostgreSQL run works in that folder, where omsctl looks
    for the config of a database named by URL). Tests that use the path as the database
    itself are marked sqlite_only.
    """
    monkeypatch.setenv("OMSCTL_DB", backend.empty(tmp_path))
    if backend.name != "sqlite":
        monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OMSCTL_CONFIG", raising=False)
    monkeypatch.setenv("OMSCTL_USER", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "omsctl.db"


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
        db=os.environ["OMSCTL_DB"],
        actor="tester",
        now=lambda: datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    upgrade(environment.url)
    yield environment
    environment.engine.dispose()
