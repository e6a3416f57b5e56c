"""Turn the validated dataset and the ontology into one deterministic RDF graph, cached by input hash."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from kg import resources
from kg.errors import DataError, ValidationError
from kg.graph import KnowledgeGraph
from kg.load import data_files, load_dataset
from kg.osutil import exclusive_lock, note_input, unwinding_signals
from kg.progress import Progress, no_progress
from kg.rdf import iter_rdf_lines
from kg.resolve import NameIndex
from kg.validate import check_dataset
from kg.vocab import load_vocabulary, ontology_files

CACHE_FORMAT = "5"  # bump when the cache layout changes
NAMES_FILE = "names.pickle"
MANIFEST = "manifest.json"  # content hashes of the files of a build, written last
LOCK_FILE = ".lock"
KEEP_CACHES = 6

# Modules whose code decides what a build produces: a change to any of them invalidates the cache.
_BUILD_CODE = ("model.py", "load.py", "validate.py", "vocab.py", "rdf.py", "build.py", "graph.py", "resolve.py")


def input_hash(data_dir: Path, ontology: Path | None = None) -> str:
    """A digest of everything a build reads: data files, ontology files and the build code."""
    h = hashlib.blake2b(digest_size=16)
    h.update(CACHE_FORMAT.encode())
    code = Path(__file__).parent
    groups = (
        ("data", data_dir, data_files(data_dir)),
        ("ontology", ontology or resources.ontology_dir(), ontology_files(ontology)),
        ("code", code, [code / name for name in _BUILD_CODE]),
    )
    for tag, base, files in groups:
        for path in files:
            note_input(path)  # an output must never replace what the graph is built from
            h.update(f"\0{tag}\0{path.relative_to(base)}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def build(data_dir: Path, ontology: Path | None = None, progress: Progress = no_progress) -> KnowledgeGraph:
    """Load and validate; raise ValidationError listing every problem, else return the indexed graph."""
    progress("reading the data")
    vocab = load_vocabulary(ontology)
    data, problems = load_dataset(data_dir)
    progress("checking the data")
    problems += check_dataset(data, vocab)
    if problems:
        raise ValidationError(problems)
    return KnowledgeGraph.create(vocab, data)


def write_ntriples(graph: KnowledgeGraph, out: BinaryIO, progress: Progress = no_progress) -> int:
    """Stream the graph's triples as N-Triples to a binary file; return how many were written."""
    total = len(graph.statements)
    count, batch = 0, []
    for count, line in enumerate(iter_rdf_lines(graph.data, graph.vocab), 1):
        batch.append(line)
        if count % 10_000 == 0:
            batch.append("")
            out.write("\n".join(batch).encode())
            batch.clear()
            if count % 200_000 == 0:
                progress("writing triples", min(count // 10, total), total)
    if batch:
        batch.append("")
        out.write("\n".join(batch).encode())
    return count


class Companion(Protocol):
    """Something built beside the cache from the triples as graph.nt is written (the SPARQL store: kg.store)."""

    def write(self, data: bytes) -> None:
        """Whole N-Triples lines."""

    def close(self) -> None:
        """All triples written: finish (under the build's lock, before the build is moved into place)."""

    def abandon(self) -> None:
        """The build failed: stop."""


class _Hashing:
    """A binary file that hashes what is written through it, so that a manifest need not read it back; and that
    hands the bytes to a companion too, if there is one."""

    def __init__(self, fh: BinaryIO, companion: Companion | None = None) -> None:
        self.fh, self.sha256, self.size, self.companion = fh, hashlib.sha256(), 0, companion

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        if self.companion is not None:
            self.companion.write(data)
        return self.fh.write(data)

    def record(self, path: Path) -> dict:
        """The manifest's record of the file written (closed by now)."""
        return {"size": self.size, "sha256": self.sha256.hexdigest(), "stat": _fingerprint(path.stat())}


def stderr_notice(message: str) -> None:
    """A one-line note on standard error: what a library call does about a damaged cache, unless told otherwise."""
    print(f"kg: note: {message}", file=sys.stderr)


def _digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_record(path: Path) -> dict:
    """What a manifest records of a file: its size, content hash and the stat fields that change when it is written."""
    st = path.stat()
    return {"size": st.st_size, "sha256": _digest(path), "stat": _fingerprint(st)}


def _fingerprint(st: os.stat_result) -> list[int]:
    # a write through the file system changes ctime, which no one can set back; a copy changes the inode
    return [st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size]


def write_manifest(directory: Path, doc: dict, name: str = MANIFEST) -> None:
    """Write a manifest atomically (a temporary file renamed into place)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, sort_keys=True)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, directory / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(directory: Path, name: str = MANIFEST) -> dict | None:
    """A cache manifest: {"format", "files": {name: {"size", "sha256", "stat"}}, …}, or None if absent or unreadable."""
    try:
        doc = json.loads((directory / name).read_bytes())
    except (OSError, ValueError):
        return None
    ok = isinstance(doc, dict) and doc.get("format") == CACHE_FORMAT and isinstance(doc.get("files"), dict)
    ok = ok and all(isinstance(r, dict) and isinstance(r.get("size"), int) for r in doc["files"].values())
    return doc if ok else None


def changed_files(directory: Path, name: str = MANIFEST) -> list[str] | None:
    """The files of `directory` whose content is not what its manifest records ([] when all match; None without a
    readable manifest). A file whose stat fields are as recorded is trusted; another is hashed, and when its content
    still matches, its new stat fields are recorded (how git's index avoids rehashing unchanged files)."""
    manifest = read_manifest(directory, name)
    if manifest is None:
        return None
    changed, refreshed = [], False
    for file, rec in manifest["files"].items():
        try:
            st = (directory / file).stat()
        except OSError:
            changed.append(file)
            continue
        if st.st_size != rec["size"]:
            changed.append(file)
        elif _fingerprint(st) != rec.get("stat"):
            if _digest(directory / file) != rec.get("sha256"):
                changed.append(file)
            else:
                rec["stat"], refreshed = _fingerprint(st), True
    if refreshed and not changed:
        with contextlib.suppress(OSError):  # a read-only cache is checked again next time
            write_manifest(directory, manifest, name)
    return changed


def cached_dir(data_dir: Path | None = None) -> Path | None:
    """The cache directory of the current inputs when a complete build is there (its manifest read, the sizes of its
    files checked; each file's content is checked when it is read)."""
    data_dir = Path(data_dir) if data_dir else resources.data_dir()
    target = resources.cache_root() / input_hash(data_dir)
    manifest = read_manifest(target)
    if manifest is None or any(_stat_size(target / name) != rec["size"] for name, rec in manifest["files"].items()):
        return None
    return target


def _read_verified(directory: Path, name: str, manifest: dict | None = None) -> tuple[bytes | None, str | None]:
    """(content, None) when `name` matches the manifest's hash; else (None, why), why None when nothing is there."""
    manifest = manifest or read_manifest(directory)
    if manifest is None:
        return None, ("its manifest is missing or unreadable" if directory.is_dir() else None)
    rec = manifest["files"].get(name)
    try:
        data = (directory / name).read_bytes()
    except OSError:
        data = None
    if rec is None or data is None:
        return None, f"{name} is missing"
    if len(data) != rec["size"] or hashlib.sha256(data).hexdigest() != rec.get("sha256"):
        return None, f"{name} differs from its recorded content hash"
    return data, None


def cached_names(cache_dir: Path) -> NameIndex | None:
    """The name index saved beside a cached build, so that names resolve without loading the graph."""
    data, why = _read_verified(cache_dir, NAMES_FILE)
    if data is None:
        if why:  # the graph is loaded instead, and rebuilt if it is damaged too; this file is rewritten then
            _discard(cache_dir, why)
        return None
    try:
        with _no_gc():
            names = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return names if isinstance(names, NameIndex) else None


def _discard(cache_dir: Path, why: str, notice: Callable[[str], None] = stderr_notice) -> None:
    """Take a damaged build out of use, so that the next read rebuilds it from the data."""
    notice(f"the cache in {cache_dir} is damaged ({why}); rebuilding it from the data")
    with contextlib.suppress(OSError):
        aside = Path(tempfile.mkdtemp(prefix=".build-", dir=cache_dir.parent))
        os.replace(cache_dir, aside)
        shutil.rmtree(aside, ignore_errors=True)


def verified_file(cache_dir: Path, name: str, notice: Callable[[str], None] = stderr_notice) -> Path:
    """`name` in a build's cache directory once its content matches the manifest; a damaged build is first rebuilt
    from the data it was built from. A directory with no manifest (not made by `load_graph`) is taken as it is."""
    path = cache_dir / name
    for attempt in range(2):
        manifest = read_manifest(cache_dir)
        if manifest is None and not (cache_dir / MANIFEST).exists():
            note_input(path)
            return path
        rec = manifest and manifest["files"].get(name)
        if rec and rec["size"] == _stat_size(path) and _digest(path) == rec.get("sha256"):
            note_input(path)
            return path
        why = f"{name} differs from its recorded content hash" if rec else "its manifest is unreadable"
        data = Path(manifest["data"]) if manifest and manifest.get("data") else None
        if attempt or data is None or not data.is_dir() or input_hash(data) != cache_dir.name:
            raise DataError(f"the cache is damaged ({why}); remove this directory and run again", where=str(cache_dir))
        notice(f"the cache in {cache_dir} is damaged ({why}); rebuilding it from the data")
        load_graph(data, rebuild=True)
    raise AssertionError("unreachable")


def _stat_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def load_graph(
    data_dir: Path | None = None,
    *,
    rebuild: bool = False,
    progress: Progress = no_progress,
    notice: Callable[[str], None] = stderr_notice,
    companion: Callable[[Path], Companion] | None = None,
) -> KnowledgeGraph:
    """The knowledge graph for `data_dir` (default: the embedded data), built once and then read from cache.

    `companion(build_dir)`, when given, is made when a build writes its triples and fed them as they are written
    (kg sparql passes the SPARQL store's loader, so that a first query on new data loads the store beside the build
    instead of after it).

    Every file of a cached build is checked against the content hashes of its manifest (written last) when it is
    read; a damaged build is rebuilt from the data, and `notice` says so in one line. Builds into one cache root
    take turns on a lock, and the one holding it removes what killed builds left behind."""
    data_dir = Path(data_dir) if data_dir else resources.data_dir()
    key = input_hash(data_dir)
    root = resources.cache_root()
    target = root / key
    damage = None
    if not rebuild:
        graph, damage = _read_cache(target)
        if graph is not None:
            _reap(root)
            return graph
    try:
        root.mkdir(parents=True, exist_ok=True)
        with (
            exclusive_lock(root / LOCK_FILE, waiting=lambda: progress("waiting for another kg build")),
            unwinding_signals(),
        ):
            for stale in root.glob(".build-*"):  # every builder holds the lock: these are from killed ones
                shutil.rmtree(stale, ignore_errors=True)
            if not rebuild:  # another process may have built it while this one waited
                graph, damage = _read_cache(target)
                if graph is not None:
                    return graph
            if damage:
                notice(f"the cache in {target} is damaged ({damage}); rebuilding it from the data")
            graph = build(data_dir, progress=progress)
            _write_cache(graph, data_dir, root, target, progress, companion)
            _prune(root, keep=target)
    except OSError as exc:
        raise DataError(f"cannot write the cache: {exc.strerror or exc}", where=str(root)) from None
    graph.cache_dir = target
    return graph


def _reap(root: Path) -> None:
    """Remove the build directories killed builds left in `root`, when no build is running (a listing, most times)."""
    try:
        if not any(name.startswith(".build-") for name in os.listdir(root)):
            return
        with exclusive_lock(root / LOCK_FILE, wait=False) as held:
            for stale in root.glob(".build-*") if held else ():
                shutil.rmtree(stale, ignore_errors=True)
    except OSError:  # a cache this process may read but not write: left as it is
        pass


def _write_cache(
    graph: KnowledgeGraph,
    data_dir: Path,
    root: Path,
    target: Path,
    progress: Progress,
    companion: Callable[[Path], Companion] | None = None,
) -> None:
    side = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))

        def save(name: str, write: Callable[[_Hashing], object], beside: Companion | None = None) -> dict:
            with open(tmp / name, "wb", buffering=1 << 20) as fh, _no_gc():
                out = _Hashing(fh, beside)
                write(out)
            return out.record(tmp / name)

        side = companion(tmp) if companion is not None else None
        files = {"graph.nt": save("graph.nt", lambda out: write_ntriples(graph, out, progress), side)}
        progress("saving the cache")
        files["kg.pickle"] = save("kg.pickle", lambda out: pickle.dump(graph, out, protocol=pickle.HIGHEST_PROTOCOL))
        names = NameIndex.of(graph)
        files[NAMES_FILE] = save(NAMES_FILE, lambda out: pickle.dump(names, out, protocol=pickle.HIGHEST_PROTOCOL))
        if side is not None:
            progress("loading the SPARQL store")
            done, side = side, None
            done.close()
        write_manifest(tmp, {"format": CACHE_FORMAT, "data": str(data_dir.resolve()), "files": files})  # last
        if target.exists():  # a damaged build, or a forced rebuild: moved aside, then replaced
            old = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, target)
    except BaseException:  # whenever it came, even inside mkdtemp: under the lock every .build-* is this one's
        if side is not None:
            side.abandon()
        for stale in root.glob(".build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        raise


@contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_cache(target: Path) -> tuple[KnowledgeGraph | None, str | None]:
    """(graph, None) from a verified cache; else (None, why it cannot be used), why None when there is none."""
    data, why = _read_verified(target, "kg.pickle")
    if data is None:
        return None, why
    try:
        # the collector would rescan the growing heap of records many times over: pause it
        with _no_gc():
            graph = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None, "kg.pickle cannot be read"
    if not isinstance(graph, KnowledgeGraph):
        return None, "kg.pickle holds no graph"
    graph.cache_dir = target
    return graph, None


def _prune(root: Path, keep: Path) -> None:
    entries = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=os.path.getmtime)
    for old in entries[:-KEEP_CACHES]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
