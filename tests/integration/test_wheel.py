"""The installed wheel (not only a checkout) finds its migrations and sample data."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.sqlite_only  # the demo makes its own SQLite file; once per CI is enough
def test_the_wheel_carries_migrations_and_samples_and_runs_the_demo(tmp_path: Path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("omsctl-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "omsctl/_migrations/env.py" in names
    assert any(n.startswith("omsctl/_migrations/versions/0001_") for n in names)
    assert "omsctl/_sample_data/README.md" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # Only the unpacked wheel and the dependencies: never the checkout.
    deps = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), deps]), "NO_COLOR": "1"}
    code = "import omsctl, sys; print(omsctl.__file__); from omsctl.cli.app import main; main()"
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path[:0] = {[str(site), deps]!r}; {code}",
            "demo",
            "--out",
            str(tmp_path / "demo"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(str(site))
    assert (tmp_path / "demo" / "omsctl.db").exists()
