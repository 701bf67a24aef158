"""Help text that fills the terminal: docstring paragraphs joined into one line each.

Typer's rich mode keeps every line break of a docstring, so a paragraph written to our 100
columns breaks again at a terminal's 80 and reads in ragged halves. Joining each paragraph's
lines lets Rich wrap it to whatever width the terminal has. A line that starts an example
(`Example:`, `[bold]omsctl …`) or a list item keeps its own line; a paragraph starting with
click's `\\b` marker is left exactly as written.
"""

from __future__ import annotations

import inspect
from typing import Any

_OWN_LINE = ("Example", "[bold]", "- ", "* ", "• ")


def reflow(text: str) -> str:
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(_reflow_paragraph(p) for p in paragraphs)


def _reflow_paragraph(paragraph: str) -> str:
    if paragraph.startswith("\b"):
        return paragraph
    lines: list[str] = []
    for line in paragraph.split("\n"):
        if lines and not line.startswith(_OWN_LINE) and not line[:1].isspace():
            lines[-1] = f"{lines[-1]} {line.strip()}"
        else:
            lines.append(line)
    return "\n".join(lines)


def reflow_tree(command: Any) -> None:
    """Reflow the help of `command` and of every command under it, once per process."""
    if getattr(command, "_omsctl_reflowed", False):
        return
    if command.help:
        command.help = reflow(command.help)
    command._omsctl_reflowed = True
    for sub in getattr(command, "commands", {}).values():
        reflow_tree(sub)
