"""Process and file-system safety: signals that unwind, exclusive locks, and what a killed run left behind.

A run that is stopped must not leave half a file or a busy child behind. Catchable signals that would kill the
process outright raise SystemExit instead while files are being written, so that `finally` blocks remove
temporaries; SIGKILL cannot be caught, so every temporary is locked while it is in use and the next run removes
the ones whose lock nobody holds any more (their writer is dead). Children get the same treatment from the other
side: they die with their parent (Linux: PR_SET_PDEATHSIG) and carry their own deadline.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

# Signals whose default action ends the process without unwinding (SIGINT already raises KeyboardInterrupt).
_FATAL = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF")
TEMP_SUFFIX = ".kgtmp"


def _exit(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def unwinding_signals() -> Iterator[None]:
    """While the block runs, a signal that would kill the process raises SystemExit, so cleanup code runs."""
    import signal  # here, not at the top: every command imports this module, few write or build
    import threading

    if threading.current_thread() is not threading.main_thread():  # handlers belong to the main thread
        yield
        return
    previous = {}
    for name in _FATAL:
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:  # where it would kill us mid-work
            previous[sig] = signal.signal(sig, _exit)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _flock(fd: int, wait: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # no advisory locks here: behave as if every lock were free
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def exclusive_lock(path: Path, waiting: Callable[[], None] | None = None, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on the file `path` (created if need be) for the block; `waiting()` is called first
    when another process holds it (with `wait=False`, the block runs at once and is told False). The kernel
    releases the lock when its holder dies, whatever killed it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        held = _flock(fd, wait=False)
        if not held and wait:
            if waiting:
                waiting()
            held = _flock(fd, wait=True)
        yield held
    finally:
        os.close(fd)


def locked_temporary(directory: Path, name: str) -> tuple[int, Path]:
    """A new temporary file in `directory` for `name`, locked while its descriptor is open: (fd, path)."""
    import tempfile

    while True:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=directory)
        try:
            _flock(fd, wait=True)  # nobody else holds a lock on a file this new
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:  # not taken for an orphan in the moment before the lock
                return fd, Path(tmp)
        except FileNotFoundError:
            pass
        except BaseException:  # a signal, now: the caller never sees this file, so it goes here
            os.close(fd)
            Path(tmp).unlink(missing_ok=True)
            raise
        os.close(fd)


def remove_orphans(directory: Path) -> None:
    """Remove the temporaries in `directory` whose writer is gone (their lock is free); others are in use."""
    try:
        candidates = [p for p in directory.iterdir() if p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return
    for path in candidates:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
            try:
                if _flock(fd, wait=False) and os.stat(path).st_ino == os.fstat(fd).st_ino:
                    path.unlink()
            finally:
                os.close(fd)


# --- inputs: files this process has read, which an output must never replace --------------------------------

_INPUTS: list[Path] = []


def note_input(path: Path) -> None:
    """Remember that this run reads `path`, so that `-o` naming it is refused rather than replacing it."""
    _INPUTS.append(path)


def is_input(path: Path) -> bool:
    """Whether `path` (after symlinks) is a file this run reads."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    for p in _INPUTS:
        with contextlib.suppress(OSError):
            other = os.stat(p)
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                return True
    return False


# --- children ------------------------------------------------------------------------------------------------


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed when the parent dies, by any means (Linux); leave at once if it already has."""
    import signal

    if sys.platform.startswith("linux"):  # ask the kernel (prctl PR_SET_PDEATHSIG = 1)
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def set_deadline(seconds: float | None) -> None:
    """In a child: be ended by the kernel `seconds` from now (SIGALRM's default action), whatever it is doing."""
    import math
    import signal

    if seconds is None or not hasattr(signal, "alarm"):
        return
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(max(1, math.ceil(seconds)))
