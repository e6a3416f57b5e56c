"""Progress reporting for long work: a callback the library calls, a bar only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[..., None]  # progress(stage: str, done: int = 0, total: int = 0)


def no_progress(stage: str, done: int = 0, total: int = 0) -> None:
    """Report nothing (the default, and what pipes and tests get)."""


@contextmanager
def terminal_progress(enabled: bool = True, delay: float = 0.3) -> Iterator[Progress]:
    """A progress callback drawing a bar on stderr when it is a terminal; silent otherwise.

    The bar appears only once work has gone on for `delay` seconds, so a command served from the cache
    never flashes one.
    """
    if not (enabled and sys.stderr.isatty()):
        yield no_progress
        return
    import time

    start = time.monotonic()
    state: dict = {}

    def report(stage: str, done: int = 0, total: int = 0) -> None:
        if "bar" not in state:
            if time.monotonic() - start < delay:
                return
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            state["bar"] = Bar(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task(stage, total=None)
        state["bar"].update(state["task"], description=stage, completed=done, total=total or None)

    try:
        yield report
    finally:
        if "bar" in state:
            state["bar"].stop()
