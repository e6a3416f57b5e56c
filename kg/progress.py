"""Progress reporting for long work: a callback the library calls, a bar only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[..., None]  # progress(stage: str, done: int = 0, total: int = 0)


def no_progress(stage: str, done: int = 0, total: int = 0) -> None:
    """Report nothing (the default, and what pipes and tests get)."""


@contextmanager
def terminal_progress(enabled: bool = True) -> Iterator[Progress]:
    """A progress callback drawing a bar on stderr when it is a terminal; silent otherwise."""
    if not (enabled and sys.stderr.isatty()):
        yield no_progress
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True, console=None
    ) as bar:
        task = bar.add_task("starting", total=None)

        def report(stage: str, done: int = 0, total: int = 0) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        yield report
