"""What reaches a terminal: control characters and escape sequences from data and answers are stripped.

A name, label or quote (or a remote endpoint's answer) may carry terminal escape sequences: ones that clear the
screen, set the window title, write the clipboard (OSC 52), or make the terminal type a reply (DSR). When standard
output or error is a terminal, it is wrapped so that only the harmless sequences our own display uses pass: colours
and styles (SGR), cursor moves along a line and up or down, erasing a line, hiding and showing the cursor.
Pipes and files get every byte as it is.
"""

from __future__ import annotations

import functools
import io
import os
import re
import sys

_CARRY_LIMIT = 4096


@functools.cache
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """(any control, the harmless ones, one cut off at the end), compiled on first use: only a terminal needs them.

    Any escape sequence (CSI, OSC, DCS / SOS / PM / APC strings, two-character escapes), any C0 control but tab,
    newline and a carriage return that starts a display sequence (a progress bar's), DEL, and the C1 controls
    (U+0080–U+009F, two bytes in UTF-8); of those, SGR, cursor moves, erase-line and show/hide cursor are harmless;
    a sequence cut off by the end of a write is kept until the next one completes it."""
    control = re.compile(
        rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~]?)"
        rb"|\r(?!\x1b\[)|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]|\xc2[\x80-\x9f]"
    )
    harmless = re.compile(rb"\x1b\[(?:[0-9;]*[mABCDGK]|\?25[hl])")
    unfinished = re.compile(rb"(?:\r|\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[PX^_][^\x1b]*|[ -/]*)|\xc2)\Z")
    return control, harmless, unfinished


def clean(data: bytes) -> bytes:
    """`data` with every control character and escape sequence removed but the harmless display ones."""
    control, harmless, _ = _patterns()
    return control.sub(lambda m: m.group() if harmless.fullmatch(m.group()) else b"", data)


def clean_text(text: str) -> str:
    """`clean` for text (what goes to a pager, which writes to the terminal itself)."""
    return clean(text.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")


class _Filtered(io.RawIOBase):
    """A terminal's file descriptor, written through `clean`."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._carry = b""

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return True

    def write(self, b) -> int:
        data = self._carry + bytes(b)
        m = _patterns()[2].search(data, max(0, len(data) - _CARRY_LIMIT))
        cut = m.start() if m else len(data)
        self._carry = data[cut:]
        view = memoryview(clean(data[:cut]))
        while view:
            view = view[os.write(self._fd, view) :]
        return len(b)


def guard_terminal() -> None:
    """Wrap standard output and error, when they are terminals, so that what reaches them is cleaned."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            fd = stream.fileno()
            if not os.isatty(fd):
                continue
        except (AttributeError, OSError, ValueError):  # replaced by a test harness, or closed
            continue
        stream.flush()
        buffered = io.BufferedWriter(_Filtered(fd))
        wrapped = io.TextIOWrapper(
            buffered,
            encoding=stream.encoding,
            errors=stream.errors,
            line_buffering=True,
            write_through=name == "stderr",
        )
        setattr(sys, name, wrapped)
