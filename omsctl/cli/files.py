"""Writing documents: to a file atomically (never half a PDF), or to stdout for `| lp`."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from omsctl.domain.errors import InputProblem


def write_pdf(target: str, render: Callable[[BinaryIO], None]) -> None:
    if target == "-":
        render(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    path = Path(target).expanduser()
    if path.is_dir():
        raise InputProblem(f"{target} is a folder", hint="name a file, e.g. -o wave-3.pdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            render(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
