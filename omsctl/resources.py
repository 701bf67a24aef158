"""Files omsctl ships beside its code: the migrations and the sample data.

An installed wheel carries them inside the package (`omsctl/_migrations`,
`omsctl/_sample_data`); a checkout has them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(packaged: str, checkout: str, marker: str) -> Path:
    for candidate in (_PACKAGE / packaged, _PACKAGE.parent / checkout):
        if (candidate / marker).exists():
            return candidate
    raise FileNotFoundError(f"omsctl's {checkout}/ is missing (looked beside {_PACKAGE})")


def migrations_dir() -> Path:
    return _find("_migrations", "migrations", "env.py")


def sample_data_dir() -> Path:
    return _find("_sample_data", "sample_data", "README.md")
