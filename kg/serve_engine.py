"""The query engine behind `kg serve`: Oxigraph's own server (`oxigraph serve-read-only`) on a private loopback
port over the store `kg sparql` persists, started under a guard that makes it die with kg serve, and restartable
after a runaway query or a crash (see kg.serve for why the front owns the time limit)."""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kg.errors import KGError


class ServeError(KGError):
    """The endpoint cannot start or run (exit 1)."""


def oxigraph_binary() -> str:
    """Path of the `oxigraph` server program; ServeError telling how to install it if it is missing."""
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not found:
        raise ServeError(
            "kg serve needs the Oxigraph server, an optional dependency: pip install 'mechkg[serve]' "
            "(or pip install oxigraph)"
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class OxigraphProcess:
    """The `oxigraph serve-read-only` process on a private loopback port; restartable after a runaway query."""

    def __init__(self, location: Path, timeout: float, binary: str | None = None) -> None:
        self.location = location
        self.timeout = timeout
        self.binary = binary or oxigraph_binary()
        self.port = 0
        self.generation = 0
        self._proc: subprocess.Popen | None = None
        self._log = None  # the engine's own output, for the line that says why it stopped
        self._log_mark = 0
        self._lock = threading.Lock()

    def start(self, wait: float = 15.0) -> None:
        """Start the engine and wait (bounded) until it answers a query."""
        for _ in range(3):  # a port taken between choosing and binding: try another
            self.port = free_port()
            log = tempfile.TemporaryFile()  # noqa: SIM115 (closed on every path below)
            cmd = [
                self.binary,
                "serve-read-only",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout-s",
                str(math.ceil(self.timeout) + 5),  # our deadline comes first; this is a backstop
            ]
            self._proc = _spawn_guarded(cmd, log)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    break
                if self._answers():
                    self.generation += 1
                    self._log = log
                    log.seek(0, os.SEEK_END)  # what it says from now on is why it stopped, if it does
                    self._log_mark = log.tell()
                    return
                time.sleep(0.02)
            log.seek(0)
            message = " ".join(log.read().decode("utf-8", "replace").split())[:300]
            log.close()
            self.stop()
            if "address" not in message.lower():
                raise ServeError(f"the Oxigraph server did not start: {message or 'no answer'}")
        raise ServeError("the Oxigraph server could not bind a loopback port")

    def _answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            conn.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def stopped(self, grace: float = 1.0) -> bool:
        """Whether the engine process has ended (waiting up to `grace` seconds for one that is dying)."""
        proc = self._proc
        if proc is None:
            return True
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return False
        return True

    def restart(self, seen_generation: int, why: str | None = None) -> None:
        """Restart the engine unless someone already did since `seen_generation`; `why` is logged when it stopped
        by itself (a crash), with the end of its own output."""
        with self._lock:
            if self.generation != seen_generation:
                return
            if why is not None:
                log(f"the query engine {why}{self._last_words()}; restarting it")
            self.stop()
            self.start()

    def _last_words(self) -> str:
        """The end of the engine's own output (a panic message, say), or how its process ended."""
        proc, words = self._proc, ""
        if self._log is not None:
            with contextlib.suppress(OSError, ValueError):
                self._log.seek(self._log_mark)
                words = " ".join(self._log.read()[-2000:].decode("utf-8", "replace").split())[-300:]
        code = proc.poll() if proc is not None else None
        if code is not None:
            sig = code - 128 if code > 128 else -code if code < 0 else 0
            ended = f"{signal.Signals(sig).name}" if sig in signal.Signals._value2member_map_ else f"exit status {code}"
            words = f"{words}; {ended}" if words else ended
        return f" ({words})" if words else ""

    def stop(self) -> None:
        """Stop the engine process and its guard (a read-only engine can be killed outright)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the guard's own process group: guard, engine, watcher
        except (AttributeError, OSError):  # no process groups here, or the engine runs unguarded
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdin:
            proc.stdin.close()
        log_file, self._log = self._log, None
        if log_file is not None:
            log_file.close()


def log(message: str) -> None:
    """A line on the server's terminal (stderr), with the time: what went wrong and what was done about it."""
    with contextlib.suppress(OSError, ValueError):
        print(f"kg serve {time.strftime('%H:%M:%S')}: {message}", file=sys.stderr, flush=True)


# The engine runs under a small POSIX shell guard whose stdin is a pipe from kg serve: a watcher reads it and kills
# the engine at end of file, which comes when kg serve exits by any means, SIGKILL included (the kernel closes the
# pipe), so no engine outlives its server. The guard itself waits for the engine, so a failed start shows at once.
_GUARD = """
exec 3<&0
"$@" </dev/null 3<&- &
engine=$!
{ read -r _ <&3; kill -9 "$engine"; } 2>/dev/null &
wait "$engine"
"""


def _spawn_guarded(cmd: list[str], log) -> subprocess.Popen:
    """Start `cmd` so that it dies with this process (POSIX); elsewhere, plainly."""
    if os.name != "posix" or not os.path.exists("/bin/sh"):
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    return subprocess.Popen(
        ["/bin/sh", "-c", _GUARD, "kg-serve-engine", *cmd],
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=log,
        start_new_session=True,  # its own process group, out of reach of the terminal's Ctrl-C
    )
