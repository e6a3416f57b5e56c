"""Fault injection (issue 21): a damaged cache, signals, special-file outputs, concurrent builds, hostile data and
hostile HTTP requests. Each test injects a fault a user, another process or the machine can cause, and checks what
can be observed: the answer, the exit code, the one line of error, what is left on disk and in the process table.

Every `kg` run here is a real subprocess with its own cache directory and an address-space limit, so that a fault
that makes the engine ask for tens of gigabytes (as a damaged store once did) ends that process, not the machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import resource
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import MINI, ROOT

MEMORY_LIMIT = 4 << 30  # bytes of address space for each kg subprocess
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    # As a user's shell starts it: the signals these tests send at their defaults, even when the suite itself runs
    # under nohup (which ignores SIGHUP, and kg rightly keeps an ignored signal ignored).
    for sig in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def kg(*args: str, cache: Path, cwd: Path | None = None, timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    """Run `kg` as a user would, with its own cache and an address-space limit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MECHKG_CACHE_DIR": str(cache)}
    popen.setdefault("capture_output", "stdout" not in popen and "stderr" not in popen)
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], cwd=cwd or ROOT, env=env, timeout=timeout, preexec_fn=_limits, **popen
    )


def start_kg(*args: str, cache: Path, cwd: Path | None = None, **popen) -> subprocess.Popen:
    """Start `kg` in the background (same environment as `kg`)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MECHKG_CACHE_DIR": str(cache)}
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([sys.executable, "-m", "kg", *args], cwd=cwd or ROOT, env=env, preexec_fn=_limits, **popen)


def one_error_line(stderr: bytes | str) -> str:
    """The single line a failure must print: no traceback, no 'internal error', nothing else."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text[-2000:]
    assert "Traceback" not in text and "internal error" not in text and "Exception ignored" not in text, text
    return lines[0]


@pytest.fixture()
def cache(tmp_path) -> Path:
    """A fresh, empty cache root for one test."""
    path = tmp_path / "cache"
    path.mkdir()
    return path


@pytest.fixture()
def data(tmp_path) -> Path:
    """A writable copy of the fixture dataset."""
    target = tmp_path / "data"
    shutil.copytree(MINI / "data", target)
    return target


def build_dir(cache: Path) -> Path:
    """The one build directory in a cache root."""
    (found,) = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return found


def leftovers(*directories: Path) -> list[str]:
    """Hidden temporaries (not the lock files builds take turns on) in the given directories."""
    return sorted(
        str(p) for d in directories if d.is_dir() for p in d.iterdir() if p.name.startswith(".") and p.name != ".lock"
    )


# --- a damaged cache is detected, never used ----------------------------------------------------------------------


def _replace(path: Path, old: bytes, new: bytes) -> None:
    content = path.read_bytes()
    assert old in content, f"{old!r} not in {path}"
    path.write_bytes(content.replace(old, new))


def _truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def _flip_middle(path: Path) -> None:
    content = bytearray(path.read_bytes())
    for i in range(len(content) // 2, len(content) // 2 + 64):
        content[i] ^= 0x5A
    path.write_bytes(bytes(content))


def _largest(directory: Path, pattern: str) -> Path:
    return max(directory.glob(pattern), key=lambda p: p.stat().st_size)


# (what is damaged, how, the command whose answer shows it). Each damage gave a wrong answer with exit 0, or ended
# this and every later command in an error, before the cache checked itself.
DAMAGE = {
    "kg.pickle: a letter of a label": (
        lambda d: _replace(d / "kg.pickle", b"symptom T", b"symptom X"),
        ("show", "symptom_t"),
    ),
    "kg.pickle: bytes that are not UTF-8": (
        lambda d: _replace(d / "kg.pickle", b"symptom T", b"symptom \xff"),
        ("show", "symptom_t"),
    ),
    "names.pickle: a letter of a synonym": (
        lambda d: _replace(d / "names.pickle", b"tiredness", b"tiredmess"),
        ("show", "tiredness"),
    ),
    "graph.nt: truncated": (lambda d: _truncate(d / "graph.nt"), ("export", "-f", "nt")),
    "graph.nt: a letter changed": (
        lambda d: _replace(d / "graph.nt", b'"symptom T"', b'"symptom X"'),
        ("export", "-f", "nt"),
    ),
    "SPARQL store: CURRENT overwritten": (
        lambda d: (d / "oxigraph" / "CURRENT").write_text("x\n"),
        ("sparql", COUNT, "-f", "csv"),
    ),
    "SPARQL store: bytes of a table flipped": (
        lambda d: _flip_middle(_largest(d / "oxigraph", "*.sst")),
        ("sparql", COUNT, "-f", "csv"),
    ),
    "SPARQL store: a table truncated": (
        lambda d: _truncate(_largest(d / "oxigraph", "*.sst")),
        ("sparql", COUNT, "-f", "csv"),
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_cache_is_rebuilt_with_a_notice_and_never_used(damage, data, cache):
    corrupt, command = DAMAGE[damage]
    args = ("--data", str(data), *command)
    kg("--data", str(data), "sparql", COUNT, cache=cache)  # the build and its SPARQL store
    pristine = kg(*args, cache=cache)
    assert pristine.returncode == 0, pristine.stderr
    corrupt(build_dir(cache))
    damaged = kg(*args, cache=cache)
    assert (damaged.returncode, damaged.stdout) == (0, pristine.stdout), damaged.stderr[-500:]
    note, _, rest = damaged.stderr.decode().partition("\n")  # one line of notice, then what the command says anyway
    assert re.fullmatch(r"kg: note: the (cache|SPARQL store) in \S+ is damaged \(.+\); rebuilding it.*", note), note
    assert rest == pristine.stderr.decode()
    again = kg(*args, cache=cache)  # repaired for good: no notice the next time
    assert (again.returncode, again.stdout, again.stderr) == (0, pristine.stdout, pristine.stderr)


def test_a_cache_whose_manifest_is_gone_or_garbage_is_rebuilt(data, cache):
    args = ("--data", str(data), "show", "symptom_t")
    pristine = kg(*args, cache=cache)
    manifest = build_dir(cache) / "manifest.json"
    assert json.loads(manifest.read_text())["files"].keys() == {"graph.nt", "kg.pickle", "names.pickle"}
    for damage in (lambda: manifest.write_text("{garbage"), manifest.unlink):
        damage()
        damaged = kg(*args, cache=cache)
        assert (damaged.returncode, damaged.stdout) == (0, pristine.stdout)
        assert "manifest" in one_error_line(damaged.stderr)
        assert manifest.is_file()


# --- long commands stopped by signals: nothing half-made is left, or the next run removes it -----------------------


def _stopped_at(proc: subprocess.Popen, directory: Path, pattern: str, timeout: float = 60) -> Path | None:
    """Stop `proc` (SIGSTOP) the moment something matching `pattern` appears in `directory`; that thing, or None if
    the process finished first."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError):
            found = [p for p in directory.glob(pattern)]
            if found:
                os.kill(proc.pid, signal.SIGSTOP)
                still = [p for p in found if p.exists()]
                if still:
                    return still[0]
                os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.0005)
    return None


# (the command, where its temporary appears, the pattern, what a complete run leaves). The real data, whose build and
# writes last long enough to be caught in the middle.
LONG = {
    "build": (("how", "ketamine", "fatigue"), lambda cache, out: cache, ".build-*"),
    "store build": (("sparql", COUNT), lambda cache, out: build_dir(cache), ".oxigraph-*"),
    "export": (("export", "-f", "ttl", "-o", "{out}/g.ttl"), lambda cache, out: out, ".g.ttl.*"),
}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
@pytest.mark.parametrize("what", LONG)
def test_a_long_command_stopped_by_a_signal_leaves_nothing_half_made(what, sig, tmp_path, cache):
    command, where, pattern = LONG[what]
    out = tmp_path / "out"
    out.mkdir()
    args = [a.replace("{out}", str(out)) for a in command]
    if what == "store build":
        kg("how", "ketamine", "fatigue", cache=cache)  # the graph is built; the store is what is caught
    for _attempt in range(8):  # each try catches the command while its temporary exists, or sees it finish first
        proc = start_kg(*args, cache=cache)
        temporary = _stopped_at(proc, where(cache, out), pattern)
        if temporary is not None:
            break
        proc.wait()  # it finished before it was caught: undo what it made, and try again
        if what == "build":
            shutil.rmtree(cache)
            cache.mkdir()
        elif what == "store build":
            shutil.rmtree(build_dir(cache) / "oxigraph")
        else:
            (out / "g.ttl").unlink()
    else:
        pytest.fail(f"{what} never caught in the middle")
    os.kill(proc.pid, sig)
    os.kill(proc.pid, signal.SIGCONT)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    assert not (out / "g.ttl").exists()  # an output is complete or absent
    places = [cache, out, *(p for p in cache.iterdir() if p.is_dir())]
    if sig != signal.SIGKILL:  # a signal that can be caught: the temporary went with the process
        assert leftovers(*places) == []
    again = kg(*args, cache=cache)  # the next run completes, and removes what a SIGKILL left
    assert again.returncode == 0, again.stderr
    if what == "export":  # temporaries beside an output are reaped by the next write into that directory
        assert (out / "g.ttl").stat().st_size > 0
    assert leftovers(*places, *(p for p in cache.iterdir() if p.is_dir())) == []


def test_a_killed_builds_directory_is_removed_by_the_next_run_even_from_the_cache(data, cache):
    kg("--data", str(data), "show", "drug_a", cache=cache)
    stale = cache / ".build-k1ll3d"  # what a build killed outright (SIGKILL) leaves
    (stale / "graph.nt").parent.mkdir()
    (stale / "graph.nt").write_text("half a graph")
    r = kg("--data", str(data), "show", "drug_a", cache=cache)
    assert r.returncode == 0 and not stale.exists()


def test_cold_builds_at_once_take_turns(tmp_path):
    """Six cold `kg how` at once on the real data: one builds, the others wait for it and read its build. Without
    the lock each built and replaced the cache in turn (and sometimes failed with "Directory not empty")."""
    cache = tmp_path / "cache"
    cache.mkdir()
    procs = [start_kg("how", "ketamine", "fatigue", cache=cache, stdout=subprocess.PIPE) for _ in range(6)]
    builds = set()  # every kg.pickle ever seen in place, by inode: one per build that was put in place
    while any(p.poll() is None for p in procs):
        with contextlib.suppress(OSError):
            builds |= {p.stat().st_ino for p in cache.glob("*/kg.pickle")}
        time.sleep(0.001)
    results = [(p.communicate(), p.returncode) for p in procs]
    assert [code for _, code in results] == [0] * 6, [err.decode()[-300:] for (_, err), _ in results]
    assert len({out for (out, _), _ in results}) == 1
    assert [err for (_, err), _ in results] == [b""] * 6
    assert leftovers(cache) == []
    builds |= {build_dir(cache).joinpath("kg.pickle").stat().st_ino}
    assert len(builds) == 1, f"{len(builds)} builds were put in place, one after another"


# --- outputs: complete or absent, never clobbering --------------------------------------------------------------


def _node(path: Path, major: int, minor: int) -> Path:
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


def test_a_device_output_is_written_in_place(tmp_path, data, cache):
    null = _node(tmp_path / "null", 1, 3)  # what /dev/null is
    r = kg("--data", str(data), "stats", "-o", str(null), cache=cache)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(null.stat().st_mode)  # still the device, not a regular file in its place


def test_a_full_device_is_an_error_and_stays_a_device(tmp_path, data, cache):
    full = _node(tmp_path / "full", 1, 7)  # what /dev/full is: every write fails with ENOSPC
    r = kg("--data", str(data), "stats", "-o", str(full), cache=cache)
    assert r.returncode == 1
    assert "No space left on device" in one_error_line(r.stderr)
    assert stat.S_ISCHR(full.stat().st_mode)


def test_a_full_standard_output_is_a_one_line_error(data, cache):
    with open("/dev/full", "wb") as full:
        r = kg("--data", str(data), "stats", cache=cache, stdout=full, stderr=subprocess.PIPE)
    assert r.returncode == 1
    assert "No space left on device" in one_error_line(r.stderr)


def test_a_named_pipe_output_is_written_to_its_reader(tmp_path, data, cache):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = kg("--data", str(data), "stats", "--format", "json", "-o", str(fifo), cache=cache, timeout=60)
    reader.join(10)
    assert r.returncode == 0, r.stderr
    assert json.loads(got[0])["counts"]["statements"] > 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_socket_output_is_an_error_and_stays_a_socket(tmp_path, data, cache):
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        r = kg("--data", str(data), "stats", "-o", str(path), cache=cache)
    assert r.returncode != 0
    assert "sock" in one_error_line(r.stderr)
    assert stat.S_ISSOCK(path.stat().st_mode)


def test_a_symlink_output_is_followed_never_replaced(tmp_path, data, cache):
    target, link, dangling = tmp_path / "target.txt", tmp_path / "link.txt", tmp_path / "dangling.txt"
    target.write_text("old\n")
    link.symlink_to(target.name)
    dangling.symlink_to("new.txt")
    null_link = tmp_path / "null-link"
    with contextlib.suppress(PermissionError):  # a link to a device (where nodes can be made)
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        null_link.symlink_to(tmp_path / "null")
    for path in (link, dangling, *([null_link] if null_link.is_symlink() else [])):
        r = kg("--data", str(data), "stats", "-o", str(path), cache=cache)
        assert r.returncode == 0, r.stderr
        assert path.is_symlink()
    assert target.read_text().startswith("counts:") and (tmp_path / "new.txt").read_text().startswith("counts:")
    assert not null_link.is_symlink() or stat.S_ISCHR((tmp_path / "null").stat().st_mode)


def test_an_output_that_is_an_input_is_refused(tmp_path, data, cache):
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?x WHERE { ?x a mk:Drug }\n")
    (tmp_path / "q-link.rq").symlink_to(query)
    entities = data / "entities.yaml"
    before = {p: p.read_bytes() for p in (query, entities)}
    for args in (
        ("sparql", str(query), "-f", "tsv", "-o", str(query)),
        ("sparql", str(query), "-f", "tsv", "-o", str(tmp_path / "q-link.rq")),
        ("stats", "-o", str(entities)),
        ("export", "-f", "nt", "-o", str(entities)),
    ):
        r = kg("--data", str(data), *args, cache=cache)
        assert r.returncode == 2, r.stderr
        assert "input" in one_error_line(r.stderr)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize("output", ["DIR", ""], ids=["a directory", "an empty name"])
def test_an_impossible_output_name_is_a_usage_error(output, tmp_path, data, cache):
    r = kg("--data", str(data), "stats", "-o", str(tmp_path) if output == "DIR" else "", cache=cache)
    assert r.returncode == 2
    one_error_line(r.stderr)


def test_orphaned_temporaries_are_removed_by_the_next_write_live_ones_kept(tmp_path, data, cache):
    out = tmp_path / "out"
    out.mkdir()
    orphan = out / ".graph.html.abc123.kgtmp"  # a killed run's: nobody holds its lock
    orphan.write_text("half a page")
    live = out / ".graph.html.def456.kgtmp"  # a running writer's: locked
    live.write_text("being written")
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        r = kg("--data", str(data), "viz", "-o", str(out / "graph.html"), cache=cache)
        assert r.returncode == 0, r.stderr
        assert not orphan.exists() and live.exists()
    assert sorted(p.name for p in out.iterdir()) == [live.name, "graph.html"]


# --- children die with their parent and carry their own deadline --------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in task.read_text().split()]
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _query_child(proc: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = _children(proc.pid)
        if kids:
            return kids[0]
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.02)
    raise AssertionError("no query process")


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while _running(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_the_query_process_dies_with_kg_sparql(sig, data, cache):
    kg("--data", str(data), "sparql", COUNT, cache=cache)
    proc = start_kg("--data", str(data), "sparql", RUNAWAY, "--timeout", "120", cache=cache)
    child = _query_child(proc)
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    assert _gone(child, within=5), "the query process outlived kg sparql"


def test_the_query_process_carries_its_own_deadline(data, cache):
    kg("--data", str(data), "sparql", COUNT, cache=cache)
    proc = start_kg("--data", str(data), "sparql", RUNAWAY, "--timeout", "1", cache=cache)
    child = _query_child(proc)
    os.kill(proc.pid, signal.SIGSTOP)  # the parent can enforce nothing now
    try:
        assert _gone(child, within=6), "the query ran on past its deadline"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


# --- limits that hold --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_time_limit_must_be_a_finite_number(value, data, cache):
    for args in (
        ("sparql", "ASK {}", "--timeout", value),
        ("push", "--endpoint", "http://127.0.0.1:9/store", "--timeout", value),
        ("serve", "--port", "0", "--timeout", value),
    ):
        r = kg("--data", str(data), *args, cache=cache, timeout=60)
        assert r.returncode == 2, (args, r.stderr)
        assert "finite" in one_error_line(r.stderr) or "positive" in r.stderr.decode()


class _Hostile:
    """A TCP server that answers every connection in one way: trickling, or with an endless header line."""

    def __init__(self, mode: str) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.mode = mode
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.recv(1 << 16)
            if self.mode == "trickle":  # a byte every 0.3 s: each read is quick, the whole never ends
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n")
                for byte in b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}' * 50:
                    conn.sendall(bytes([byte]))
                    time.sleep(0.3)
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 200_000 + b"\r\n\r\n{}")

    def close(self) -> None:
        self.sock.close()


def test_a_trickling_endpoint_cannot_defeat_the_time_limit(data, cache):
    server = _Hostile("trickle")
    try:
        t0 = time.monotonic()
        r = kg("--data", str(data), "sparql", "SELECT ?x {}", "--endpoint", server.url, "--timeout", "1", cache=cache)
        took = time.monotonic() - t0
    finally:
        server.close()
    assert r.returncode == 1 and "timed out" in one_error_line(r.stderr)
    assert took < 15, took  # cut at the limit (plus a start-up), not when the endpoint stops trickling


def test_a_trickling_graph_store_cannot_defeat_the_push_time_limit(data, cache):
    server = _Hostile("trickle")
    try:
        t0 = time.monotonic()
        r = kg("--data", str(data), "push", "--endpoint", server.url, "--timeout", "2", cache=cache)
        took = time.monotonic() - t0
    finally:
        server.close()
    assert r.returncode != 0 and "within 2 s" in one_error_line(r.stderr)
    assert took < 20, took  # cut at the limit (plus a build), not when the store stops trickling


def test_an_endless_header_line_from_an_endpoint_is_a_one_line_error(data, cache):
    server = _Hostile("header")
    try:
        r = kg("--data", str(data), "sparql", "SELECT ?x {}", "--endpoint", server.url, cache=cache)
    finally:
        server.close()
    assert r.returncode == 1
    assert "header" in one_error_line(r.stderr)


def test_an_argument_that_is_not_utf8_is_a_usage_error(data, cache):
    for args in (("sparql", 'SELECT ("\udcff" AS ?x) {}'), ("show", "\udcffx")):
        r = kg("--data", str(data), *(a.encode("utf-8", "surrogateescape") for a in args), cache=cache)
        assert r.returncode == 2
        assert "not valid UTF-8" in one_error_line(r.stderr)


# --- data that must be refused, at file:line ---------------------------------------------------------------------


def _append(path: Path, text: str) -> int:
    """Append to a data file; the line number the addition starts on."""
    start = path.read_text().count("\n") + 1
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)
    return start


def _statement(quote: str = "Drug A blocks receptor R.", extra: str = "", source: str = "a") -> str:
    return (
        f"  - subject: drug_b\n    predicate: increases\n    object: symptom_t\n{extra}"
        f"    evidence: [{{source: {source}, quote: {json.dumps(quote)}}}]\n"
    )


def validate(data: Path, cache: Path, *extra: str, timeout: float = 120) -> tuple[int, list[str]]:
    r = kg("--data", str(data), "validate", "--no-shacl", "--corpus", str(MINI / "corpus"), *extra, cache=cache,
           timeout=timeout)  # fmt: skip
    text = r.stdout.decode() + r.stderr.decode()
    assert "Traceback" not in text and "internal error" not in text and "Failed to convert" not in text, text[-2000:]
    return r.returncode, [line for line in r.stdout.decode().splitlines() if line.strip()]


def _only_problem(data: Path, cache: Path, line: int | range | None = None) -> str:
    """The one problem `kg validate` finds, checked to be located at file:line; its message."""
    code, problems = validate(data, cache)
    assert code == 1 and len(problems) == 1, problems[:5]
    assert len(problems[0]) < 400, len(problems[0])  # one line, of a size to read
    m = re.match(r"(\S+\.(?:yaml|json)):(\d+): (.*)", problems[0])
    assert m, problems[0]
    lines = range(line, line + 1) if isinstance(line, int) else line
    assert lines is None or int(m.group(2)) in lines, problems[0]
    return m.group(3)


BOMB = """  - subject: drug_b
    predicate: increases
    object: symptom_t
    evidence: [{source: a, quote: "Drug A blocks receptor R."}]
    qualifiers:
      dose:
        text: [&a0 [x, x, x, x, x, x, x, x, x, x], &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0],
               &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1],
               &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2],
               &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]]
        value: [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
"""


def test_a_yaml_alias_bomb_is_refused_at_its_line(data, cache):
    start = _append(data / "statements.yaml", BOMB)
    assert "alias" in _only_problem(data, cache, line=range(start, start + 12))


def test_data_nested_500_deep_is_refused_at_its_line(data, cache):
    start = _append(data / "statements.yaml", _statement(extra="    note: " + "[" * 500 + "]" * 500 + "\n"))
    message = _only_problem(data, cache, line=start + 3)
    assert "nested" in message


@pytest.mark.parametrize("quote", ["...", "…", " ... ", "... ..."])
def test_a_quote_with_no_words_is_refused(quote, data, cache):
    start = _append(data / "statements.yaml", _statement(quote))
    assert "no words" in _only_problem(data, cache, line=start)


@pytest.mark.parametrize("where", ["../outside.txt", "ABSOLUTE"])
def test_a_source_document_outside_the_corpus_is_refused(where, tmp_path, data, cache):
    outside = tmp_path / "outside.txt"
    outside.write_text("Drug B makes symptom T worse, says a file that is not in the corpus.")
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI / "corpus", corpus)
    file = str(outside) if where == "ABSOLUTE" else where
    start = _append(data / "sources.yaml", f"  - {{key: evil, title: Outside, file: {json.dumps(file)}}}\n")
    _append(data / "statements.yaml", _statement("Drug B makes symptom T worse", source="evil"))
    r = kg("--data", str(data), "validate", "--no-shacl", "--corpus", str(corpus), cache=cache)
    problems = r.stdout.decode().splitlines()
    assert r.returncode == 1
    assert any(p.startswith(f"{data / 'sources.yaml'}:{start}") or f"sources.yaml:{start}" in p for p in problems)
    assert all("not found verbatim" not in p for p in problems)  # the outside file was never read as a document


IMPOSSIBLE_DATES = [('"2023-02-30"', 0), ("2023-02-30", 3), ('"2023-13"', 0)]  # (written, line of the problem)


@pytest.mark.parametrize(("date", "offset"), IMPOSSIBLE_DATES, ids=["quoted", "unquoted", "month 13"])
def test_an_impossible_date_is_refused_without_a_traceback(date, offset, data, cache):
    start = _append(data / "sources.yaml", f"  - key: dated\n    title: Dated\n    file: a.txt\n    date: {date}\n")
    message = _only_problem(data, cache, line=start + offset)
    assert "date" in message and "2023" in message


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+400"])
def test_a_quantity_that_is_not_finite_is_refused(value, data, cache):
    start = _append(data / "statements.yaml", _statement(extra=f"    qualifiers: {{dose: {{value: {value}}}}}\n"))
    assert "finite" in _only_problem(data, cache, line=start)


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('{"statements": [\n {"subject": "drug_b",\n  "subject": "drug_a"}]}', 3, "twice"),
        (
            '{"statements": [\n {"subject": "drug_b", "predicate": "increases", "object": "symptom_t",\n'
            '  "qualifiers": {"dose": {"value": NaN}}}]}',
            3,
            "NaN",
        ),
        ('{"statements": [\n {"qualifiers": {"dose": {"value": -Infinity}}}]}', 2, "Infinity"),
    ],
    ids=["duplicate key", "NaN", "-Infinity"],
)
def test_json_data_with_duplicate_keys_or_non_numbers_is_refused_at_its_line(text, line, what, data, cache):
    (data / "more.json").write_text(text)
    message = _only_problem(data, cache, line=line)
    assert what in message


@pytest.mark.parametrize("written", ["0x1F", "017", "1.10", "1_000"])
def test_an_unquoted_key_yaml_would_turn_into_another_number_is_refused(written, data, cache):
    start = _append(data / "entities.yaml", f"  - {{key: {written}, label: Number, type: Symptom}}\n")
    message = _only_problem(data, cache, line=start)
    assert f"'{written}'" in message and "quotes" in message


def test_validation_is_linear_in_the_length_of_a_field(data, cache):
    # 400,000 combining marks in a row: Unicode normalization reorders them in quadratic time (4 minutes or more
    # here); broken into runs of 30 as UAX #15's stream-safe format does, the file validates in a second or two
    _append(data / "statements.yaml", _statement("Drug B" + "\u0316\u0301" * 200_000))
    code, problems = validate(data, cache, timeout=60)
    assert code == 1 and len(problems) == 1 and "not found verbatim" in problems[0]


# --- what reaches a terminal ---------------------------------------------------------------------------------------


def _on_a_terminal(*args: str, cache: Path) -> tuple[int, bytes]:
    """Run kg with stdout and stderr on a pseudo-terminal; its exit code and everything the terminal received."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MECHKG_CACHE_DIR": str(cache), "PAGER": "cat", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *args], cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=slave,
        preexec_fn=_limits,
    )  # fmt: skip
    os.close(slave)
    got = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        try:
            chunk = os.read(master, 1 << 16) if ready else b""
        except OSError:  # the terminal closed with the process
            chunk = b""
        if not chunk:
            break
        got += chunk
    os.close(master)
    return proc.wait(timeout=30), got


EVIL = "\x1b]0;owned\x07\x1b]52;c;ZWNobyBvd25lZA==\x07\x1b[2J\x1b[6nevil\x9b31m label"


def test_escape_sequences_in_names_never_reach_a_terminal(data, cache):
    text = (data / "entities.yaml").read_text().replace("label: symptom T,", f"label: {json.dumps(EVIL)},")
    (data / "entities.yaml").write_text(text)
    code, shown = _on_a_terminal("--data", str(data), "show", "symptom_t", cache=cache)
    assert code == 0, shown
    assert b"evil" in shown and b" label" in shown
    for bad in (b"\x1b]", b"\x1b[2J", b"\x1b[6n", b"\x07", b"\xc2\x9b"):
        assert bad not in shown, (bad, shown)
    unknown = "\x1b]0;owned\x07\x1b[2Jqqq"
    code, shown = _on_a_terminal("--data", str(data), "how", "drug_a", unknown, cache=cache)  # echoed in an error
    assert code == 2 and b"qqq" in shown
    assert b"\x1b]" not in shown and b"\x1b[2J" not in shown


# --- the HTML view with keys named like JavaScript's own properties ------------------------------------------------


@pytest.mark.browser
def test_the_html_view_lays_out_entities_keyed_constructor_or_tostring(tmp_path, data, cache):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    keys = ["constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"]  # Object.prototype's names
    entities = "".join(f"  - {{key: {k}, label: entity {k}, type: Symptom}}\n" for k in keys)
    statements = "".join(
        f"  - subject: drug_a\n    predicate: increases\n    object: {k}\n    id: {k}\n"
        f'    evidence: [{{source: a, quote: "Drug A blocks receptor R."}}]\n'
        for k in keys
    )
    _append(data / "entities.yaml", entities)
    _append(data / "statements.yaml", statements)
    views = {"graph": (), "path": ("--path", "drug_a", "toString")}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            for name, args in views.items():
                page = tmp_path / f"{name}.html"
                r = kg("--data", str(data), "viz", *args, "-o", str(page), cache=cache)
                assert r.returncode == 0, r.stderr
                tab = browser.new_page()
                errors: list[str] = []
                tab.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                tab.goto(page.as_uri())
                deadline = time.monotonic() + 30  # polled through the DevTools protocol: the page's CSP forbids eval
                while not tab.evaluate("!!(window.mechkg && window.mechkg.state.stabilized)"):
                    assert time.monotonic() < deadline, f"the {name} view never finished its layout: {errors}"
                    time.sleep(0.05)
                for k in keys if name == "graph" else ["toString"]:
                    assert tab.evaluate(f"mechkg.focusNode({json.dumps(k)}, false)") is True, k
                    assert tab.evaluate("document.getElementById('info-title').textContent") == f"entity {k}"
                assert tab.evaluate("mechkg.selectEdge('toString')") is True
                assert set(tab.evaluate("mechkg.highlighted().nodes")) >= {"drug_a", "toString"}
                assert errors == []
                tab.close()
        finally:
            browser.close()


# --- kg serve: hostile requests -------------------------------------------------------------------------------------
# In file order: the tests that crash or stall the engine come last, so that each earlier one meets a healthy server.


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """An in-process `kg serve` front (with the real Oxigraph engine) on the fixture graph, with a short request
    deadline so that it can be reached quickly."""
    from kg import serve
    from kg.build import load_graph
    from kg.store import ensure_store

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MECHKG_CACHE_DIR", str(tmp_path_factory.mktemp("serve-cache")))
        mp.setattr(serve, "REQUEST_DEADLINE", 1.5, raising=False)
        graph = load_graph(MINI / "data")
        engine = serve.OxigraphProcess(ensure_store(graph), timeout=5)
        engine.start()
        httpd = serve.Endpoint(("127.0.0.1", 0), engine, b"page", b"[]", 5)
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        try:
            yield httpd
        finally:
            httpd.shutdown()
            httpd.server_close()
            engine.stop()


def raw(address, request: bytes, *, close: bool = True, timeout: float = 20) -> tuple[int | None, bytes, bytes]:
    """Send raw bytes; the status, head and body of the answer (None when the connection was dropped without one)."""
    with socket.create_connection(address, timeout=timeout) as s:
        with contextlib.suppress(OSError):  # a server that refuses at once may have closed already
            s.sendall(request)
            if close:
                s.shutdown(socket.SHUT_WR)
        data = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := s.recv(1 << 16):
                data += chunk
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    head, _, body = data.partition(b"\r\n\r\n")
    return (int(m.group(1)) if m else None), head, body


def post(body: bytes, *headers: str, ctype: str = "application/sparql-query") -> bytes:
    """A POST of `body` to /query; its Content-Length unless `headers` say otherwise."""
    if not any(h.startswith(("Content-Length", "Transfer-Encoding")) for h in headers):
        headers = (*headers, f"Content-Length: {len(body)}")
    head = "".join(f"{h}\r\n" for h in (f"Content-Type: {ctype}", *headers))
    return f"POST /query HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode() + body


ASK = b"ASK { ?s ?p ?o }"
MALFORMED = {
    "Content-Length -1": (post(ASK, "Content-Length: -1"), 400),
    "Content-Length abc": (post(ASK, "Content-Length: abc"), 400),
    "two Content-Lengths": (post(ASK, f"Content-Length: {len(ASK)}", f"Content-Length: {len(ASK) + 1}"), 400),
    "Content-Length over the limit": (post(ASK, "Content-Length: 99999999"), 413),
    "chunked": (post(ASK, "Transfer-Encoding: chunked"), 411),
    "body not UTF-8": (post(b'SELECT ("\xff" AS ?x) {}'), 400),
    "form not UTF-8": (
        post(b"query=SELECT%20(%22%FF%22%20AS%20%3Fx)%20%7B%7D", ctype="application/x-www-form-urlencoded"),
        400,
    ),
    "charset latin-1": (post(ASK, ctype="application/sparql-query; charset=latin-1"), 415),
    "URL not UTF-8": (b"GET /query?query=SELECT%20(%22%FF%22%20AS%20%3Fx)%20%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "100 KB header line": (b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", 431),
    "150 headers": (b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n" + b"X-H: 1\r\n" * 150 + b"\r\n", 431),
}


@pytest.mark.server
@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_request_gets_a_4xx_and_the_server_goes_on(endpoint, case):
    request, status = MALFORMED[case]
    got, _, body = raw(endpoint.server_address, request)
    assert got == status, body[:300]
    assert raw(endpoint.server_address, post(ASK))[0] == 200


@pytest.mark.server
def test_an_idle_connection_is_closed(tmp_path):
    """`kg serve` as it ships: a connection that sends nothing is closed after its idle timeout (5 s)."""
    from test_serve import Server

    server = Server("--data", str(MINI / "data"))
    try:
        address = urllib.parse.urlsplit(server.url)
        with socket.create_connection((address.hostname, address.port), timeout=30) as s:
            t0 = time.monotonic()
            closed = s.recv(1024) == b""
            took = time.monotonic() - t0
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=30)
    assert closed and took < 20, took


@pytest.mark.server
def test_a_request_trickled_byte_by_byte_is_cut_at_the_request_deadline(endpoint):
    request = post(ASK)
    with socket.create_connection(endpoint.server_address, timeout=15) as s:
        t0 = time.monotonic()
        with contextlib.suppress(OSError):
            for byte in request:
                s.sendall(bytes([byte]))
                time.sleep(0.2)  # each byte well within the idle timeout; the whole would take 20 s
        answer = b""
        with contextlib.suppress(OSError):
            answer = s.recv(1024)
        took = time.monotonic() - t0
    assert took < 10 and not answer.startswith(b"HTTP/1.0 200"), (took, answer)


@pytest.mark.server
def test_connections_beyond_the_cap_are_refused_at_once(endpoint, monkeypatch):
    from kg import serve

    monkeypatch.setattr(serve, "MAX_CONNECTIONS", 3, raising=False)
    monkeypatch.setattr(serve, "REQUEST_DEADLINE", 30, raising=False)
    idle = [socket.create_connection(endpoint.server_address, timeout=10) for _ in range(3)]
    try:
        time.sleep(0.3)
        status, head, _ = raw(endpoint.server_address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
        assert status == 503 and b"Retry-After" in head
    finally:
        for s in idle:
            s.close()
    deadline = time.monotonic() + 10  # once the idle ones are gone (the server notices within moments), served again
    while raw(endpoint.server_address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")[0] != 200:
        assert time.monotonic() < deadline, "still refused after the idle connections closed"
        time.sleep(0.1)


@pytest.mark.server
def test_forty_simultaneous_clients_are_all_answered(endpoint):
    start = threading.Barrier(40)
    failures: list[str] = []
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    request = f"GET /query?query={query} HTTP/1.1\r\nHost: x\r\n\r\n".encode()

    def client() -> None:
        start.wait()
        for _ in range(3):
            try:
                status, _, _ = raw(endpoint.server_address, request, close=False)
                if status != 200:
                    failures.append(f"status {status}")
            except OSError as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=client) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    port = endpoint.server_address[1]
    ss = shutil.which("ss")  # iproute2, where it is installed
    listening = subprocess.run([ss, "-ltnH", f"sport = :{port}"], capture_output=True, text=True) if ss else None
    if listening and listening.returncode == 0 and listening.stdout.strip():
        assert int(listening.stdout.split()[2]) >= 128  # Send-Q of a listening socket: its backlog


@pytest.mark.server
def test_a_deeply_nested_query_is_refused_and_later_queries_are_answered(endpoint):
    deep = b"SELECT * WHERE " + b"{" * 5000 + b" ?s ?p ?o " + b"}" * 5000
    status, _, body = raw(endpoint.server_address, post(deep))
    assert status == 400 and b"nest" in body
    for _ in range(3):
        assert raw(endpoint.server_address, post(ASK))[0] == 200


@pytest.mark.server
def test_an_engine_crash_is_logged_and_the_engine_restarted(endpoint, capfd):
    # flat, so no nesting limit applies: a 30,000-term expression overflows the engine's stack all the same
    crash = b"SELECT * WHERE { BIND(" + b" || ".join([b"true"] * 30_000) + b" AS ?x) }"
    status, _, body = raw(endpoint.server_address, post(crash), timeout=60)
    assert status == 503, body
    assert raw(endpoint.server_address, post(ASK))[0] == 200
    logged = capfd.readouterr().err
    assert re.search(r"kg serve \d\d:\d\d:\d\d: the query engine stopped \(.*\); restarting it", logged), logged
