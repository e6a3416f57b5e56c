"""Shared fixtures: a tiny fixture graph of the tests' own, the real data, and a CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
SEEDS = ROOT.parent / "shared" / "seeds"

# Every test run builds into its own cache, never the user's, and removes it when it ends.
os.environ["MECHKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="mechkg-test-cache-")
_OWNER = os.getpid()  # a forked child that exits normally must not remove it under its parent
atexit.register(lambda d=os.environ["MECHKG_CACHE_DIR"]: os.getpid() == _OWNER and shutil.rmtree(d, True))
os.environ.pop("MECHKG_DATA", None)


@pytest.fixture(scope="session")
def mini_dir() -> Path:
    """The fixture dataset's data directory."""
    return MINI / "data"


@pytest.fixture(scope="session")
def mini_corpus() -> Path:
    """The fixture dataset's source documents."""
    return MINI / "corpus"


@pytest.fixture(scope="session")
def mini_graph(mini_dir):
    """The fixture knowledge graph."""
    from kg.build import load_graph

    return load_graph(mini_dir)


@pytest.fixture(scope="session")
def real_graph():
    """The embedded ketamine knowledge graph."""
    from kg.build import load_graph

    return load_graph()


@pytest.fixture()
def data_copy(tmp_path, mini_dir) -> Path:
    """A writable copy of the fixture data, for tests that corrupt it."""
    target = tmp_path / "data"
    shutil.copytree(mini_dir, target)
    return target


def run_kg(*args: str, input: str | None = None, cwd: Path | None = None, timeout: float = 120):
    """Run the real `kg` program in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        input=input,
        cwd=cwd or ROOT,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def wait_for_http(url: str, proc: subprocess.Popen, seconds: float) -> bool:
    """Whether a server started as `proc` answers `url` with 200 within `seconds` (False if it died or is late)."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture()
def kg_cli():
    """Invoke the click application in-process; returns click's Result."""
    from click.testing import CliRunner

    from cli import cli

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke
