"""Channel export readers, one module per format, and the detection that picks one.

Readers are imported only when a file needs them, so `omsctl --help` stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from omsctl.channels.base import ChannelReader, InputFile, decode_head, read_head
from omsctl.domain.errors import InputProblem, UsageProblem

#: name -> module; the order is the order of detection (most specific header first).
READER_MODULES: dict[str, str] = {
    "shopify": "omsctl.channels.shopify",
    "woocommerce": "omsctl.channels.woocommerce",
    "amazon": "omsctl.channels.amazon",
    "ebay": "omsctl.channels.ebay",
    "etsy": "omsctl.channels.etsy",
    "taobao": "omsctl.channels.taobao",
}

CHANNEL_NAMES: tuple[str, ...] = (*READER_MODULES, "csv")


def reader(name: str) -> ChannelReader:
    """The reader for a channel name (not 'csv', which needs a mapping)."""
    try:
        module = importlib.import_module(READER_MODULES[name])
    except KeyError:
        known = ", ".join(CHANNEL_NAMES)
        raise UsageProblem(f"unknown channel {name!r}", hint=f"use one of: {known}") from None
    return module.READER  # type: ignore[no-any-return]


def detect(
    path: Path,
    display: str,
    *,
    channel: str | None = None,
    encoding: str | None = None,
) -> tuple[ChannelReader, InputFile]:
    """Match a file to its reader by its header (or check it against the `channel` asked for)."""
    raw = read_head(path, display)
    names = [channel] if channel else list(READER_MODULES)
    for name in names:
        candidate = reader(name)
        encodings = (encoding,) if encoding else candidate.encodings  # type: ignore[attr-defined]
        head = decode_head(raw, encodings)
        if head is None:
            continue
        found = candidate.match(head)
        if found:
            role, header_line = found
            return candidate, InputFile(path, display, head.encoding, role, header_line)
    raise _unrecognised(raw, display, channel, names)


def _unrecognised(
    raw: bytes, display: str, channel: str | None, names: Sequence[str]
) -> InputProblem:
    if decode_head(raw, ("utf-8-sig",)) is None and not channel:
        return InputProblem(
            f"{display}: not UTF-8 text, and not a Taobao/Tmall export either",
            hint="pass --encoding (e.g. gb18030 or cp1252) or re-save the file as UTF-8",
        )
    if channel:
        return InputProblem(
            f"{display}: the header is not a {channel} export",
            hint="check the file, or leave out --channel to detect the format",
        )
    tried = ", ".join(names)
    return InputProblem(
        f"{display}: the header matches no known export (tried {tried})",
        hint="pass --channel csv --mapping FILE.toml to map its columns"
        " (see docs/import-mapping.md)",
    )
