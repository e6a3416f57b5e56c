"""The SPARQL engine: pyoxigraph over a store persisted in the graph's cache, behind one small interface.

Why pyoxigraph: bench/sparql_engines.py runs our named queries on the real graph and on a 100k-triple
synthetic graph with rdflib's default store, rdflib over oxrdflib and raw pyoxigraph; the numbers are in
bench/results/. pyoxigraph is a complete SPARQL 1.1 engine, much faster, and opens a saved store in
milliseconds, so a cold `kg sparql` never re-parses the graph.

The store is built lazily on first use into `<cache_dir>/oxigraph` (written in a temporary directory,
then renamed into place, so a reader never sees half a store) and opened read-only afterwards.
Queries are read-only: updates are refused, and so is SERVICE (a remote call) unless allowed.
Parameters are bound as a VALUES block, which the planner sees (see Engine._run).
A time limit runs the query in a forked child process that is killed when the limit passes: pyoxigraph
cannot cancel a running query, and a runaway query must not hang the caller.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import pickle
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import DataError, KGError, UsageError
from kg.osutil import die_with_parent, exclusive_lock, set_deadline, unwinding_signals
from kg.sparqltext import Query, ask_as_construct, parse, rebound_variables, syntax_error_message

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.graph import KnowledgeGraph

STORE_DIR = "oxigraph"
STORE_MANIFEST = "kg-manifest.json"  # inside the store directory: RocksDB leaves files it does not know alone
RESULTS_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}


class QueryError(KGError):
    """The query ran but failed: engine error, remote failure, or the endpoint said no (exit 1)."""


class QueryTimeout(QueryError):
    """The query ran out of time (exit 1)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"query timed out after {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True, slots=True)
class Result:
    """A query's answer, already serialized: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples."""

    form: str  # select | ask | graph
    data: bytes  # serialized in `format`
    format: str  # json | xml | csv | tsv (select, ask) or ttl | nt | jsonld (graph)
    boolean: bool | None = None
    start: int = 0  # a window of a larger answer (kg.query.run): the index of its first row in the whole answer
    total: int | None = None  # … and the number of rows of the whole answer, when it is known
    more: bool = False  # … and whether rows follow this window

    @property
    def media_type(self) -> str:
        """The IANA media type of `data`."""
        return MEDIA_TYPES[self.format]


def results_format(name: str) -> ox.QueryResultsFormat:
    """The pyoxigraph SPARQL results format for json | xml | csv | tsv."""
    import pyoxigraph as ox

    return {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }[name]


def rdf_format(name: str) -> ox.RdfFormat:
    """The pyoxigraph RDF format for ttl | nt | jsonld."""
    import pyoxigraph as ox

    return {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}[name]


def serialize_triples(triples, fmt: str, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Triples in a stable order as Turtle, N-Triples or JSON-LD."""
    import pyoxigraph as ox

    ordered = sorted(triples, key=str)
    if fmt == "nt":
        return ox.serialize(ordered, format=rdf_format(fmt))
    iris = {t.value for tr in ordered for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
    iris |= {tr.object.datatype.value for tr in ordered if isinstance(tr.object, ox.Literal)}
    used = {p: ns for p, ns in (prefixes or {}).items() if any(i.startswith(ns) for i in iris)}
    return ox.serialize(ordered, format=rdf_format(fmt), prefixes=used)


def ensure_store(graph: KnowledgeGraph) -> Path | None:
    """The persisted store of `graph` (built now if missing), or None if the graph has no cache directory."""
    return None if graph.cache_dir is None else store_in(Path(graph.cache_dir))


def store_in(cache_dir: Path, notice: Callable[[str], None] | None = None) -> Path:
    """The persisted store inside a build's cache directory, checked against its manifest; built from the build's
    graph.nt when it is missing, and rebuilt, with a one-line `notice`, when it is damaged."""
    from kg.build import stderr_notice, verified_file

    target = cache_dir / STORE_DIR
    why = store_damage(target)
    if why is None:
        return target
    if why != _ABSENT:
        (notice or stderr_notice)(f"the SPARQL store in {target} is damaged ({why}); rebuilding it")
    return build_store(verified_file(cache_dir, "graph.nt"), target)


_ABSENT = "absent"


def store_damage(target: Path) -> str | None:
    """None when the store at `target` is as it was built (its files' sizes and stat fields as its manifest records,
    else their content hashes); otherwise what is wrong. RocksDB checks the blocks it reads no further, and a store
    changed behind its back can make the engine fail on every query or ask for tens of gigabytes."""
    from kg.build import changed_files

    if not target.is_dir():
        return _ABSENT
    changed = changed_files(target, STORE_MANIFEST)
    if changed is None:
        return "its manifest is missing or unreadable"
    return f"{', '.join(changed[:3])}{' …' if len(changed) > 3 else ''} changed" if changed else None


class StoreWriter:
    """A new on-disk store at `directory`, loaded from N-Triples written to it in pieces of whole lines, on a thread
    of its own, in chunks of CHUNK bytes; `close` optimizes it and records its files in a manifest.

    pyoxigraph's bulk load lets go of the GIL, so a build that writes graph.nt and loads the store at once takes
    about the longer of the two, not their sum; and loading 32 MB at a time keeps memory bounded (the 2.64 M
    triples of a 100k-statement graph: 360 MB peak, where one bulk load of the whole file took 1.5 GB). Chunks are
    independent sets of triples, so two threads load two of them at once. The triples are the build's own
    serialization of validated data, so IRIs are not checked again (lenient: 10% faster)."""

    CHUNK = 32 << 20
    THREADS = 2  # one bulk load of a chunk runs on one core; two chunks load side by side (1.8× as fast on 2 cores)

    def __init__(self, directory: Path) -> None:
        import queue
        import threading

        import pyoxigraph as ox

        self.directory = directory
        self._store: ox.Store | None = ox.Store(str(directory))
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self.THREADS)  # a writer waits for busy loaders
        self._pending: list[bytes] = []
        self._size = 0
        self._error: BaseException | None = None
        self._threads = [
            threading.Thread(target=self._load, name="kg-store-load", daemon=True) for _ in range(self.THREADS)
        ]
        for thread in self._threads:
            thread.start()

    def write(self, data: bytes) -> None:
        """Whole N-Triples lines to load."""
        self._pending.append(data)
        self._size += len(data)
        if self._size >= self.CHUNK:
            self._send()

    def _send(self) -> None:
        if self._error is not None:
            raise self._error
        if self._pending:
            self._queue.put(b"".join(self._pending))
            self._pending, self._size = [], 0

    def _load(self) -> None:
        import pyoxigraph as ox

        while (chunk := self._queue.get()) is not None:
            if self._error is None and self._store is not None:
                try:
                    self._store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES, lenient=True)
                except BaseException as exc:  # handed to the writing thread
                    self._error = exc

    def close(self) -> None:
        """Load what is left, optimize, close the database and write the manifest (last)."""
        from kg.build import CACHE_FORMAT, file_record, write_manifest

        try:
            self._send()
        finally:
            self._stop()
        if self._error is not None:
            raise self._error
        store, self._store = self._store, None
        store.flush()
        store.optimize()
        del store  # closes the database before it is recorded and moved
        files = {p.name: file_record(p) for p in sorted(self.directory.iterdir()) if p.is_file()}
        write_manifest(self.directory, {"format": CACHE_FORMAT, "files": files}, STORE_MANIFEST)

    def abandon(self) -> None:
        """Stop loading (the build failed or was interrupted); the caller removes the directory."""
        self._pending = []
        self._error = self._error or RuntimeError("abandoned")
        self._stop()
        self._store = None

    def _stop(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()


def store_beside(build_dir: Path) -> StoreWriter:
    """The store of a build being written, loaded as its graph.nt is (kg.build.load_graph's companion)."""
    return StoreWriter(build_dir / STORE_DIR)


def build_store(ntriples: Path, target: Path) -> Path:
    """Load an N-Triples file into a new on-disk store at `target`, atomically (temp dir + rename), with a
    manifest of its files written last. Builds into one directory take turns; a store already built is kept."""
    from kg.build import LOCK_FILE

    parent = target.parent
    try:
        with exclusive_lock(parent / LOCK_FILE), unwinding_signals():
            if store_damage(target) is None:  # another process built it while this one waited
                return target
            for stale in parent.glob(f".{target.name}-*"):  # every builder holds the lock: these are from killed ones
                shutil.rmtree(stale, ignore_errors=True)
            try:
                tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=parent))
                writer = StoreWriter(tmp)
                try:
                    with open(ntriples, "rb") as fh:
                        for chunk in iter(lambda: fh.read(1 << 20), b""):
                            writer.write(chunk + fh.readline())  # whole lines
                except BaseException:
                    writer.abandon()
                    raise
                writer.close()
                if target.exists():  # a damaged store: moved aside, then replaced
                    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=parent))
                    os.replace(target, old)
                    shutil.rmtree(old, ignore_errors=True)
                os.rename(tmp, target)
            except BaseException:  # whenever it came: under the lock every temporary store is this one's
                for stale in parent.glob(f".{target.name}-*"):
                    shutil.rmtree(stale, ignore_errors=True)
                raise
    except (OSError, SyntaxError) as exc:
        raise DataError(
            f"cannot build the SPARQL store: {getattr(exc, 'strerror', None) or exc}", where=str(target)
        ) from None
    return target


class Engine:
    """Run read-only SPARQL 1.1 queries over one graph; the one interface the rest of mechkg uses."""

    def __init__(self, location: Path | None = None, ntriples: str | None = None) -> None:
        self.location = location
        self._ntriples = ntriples
        self._store: ox.Store | None = None

    @classmethod
    def for_graph(cls, graph: KnowledgeGraph) -> Engine:
        """The engine over `graph`'s persisted store (an in-memory one when the graph is not cached)."""
        location = ensure_store(graph)
        if location is not None:
            return cls(location)
        from kg.export import ntriples

        return cls(None, ntriples(graph))

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store, opened on first use (read-only when persisted)."""
        if self._store is None:
            import pyoxigraph as ox

            if self.location is not None:
                try:
                    self._store = ox.Store.read_only(str(self.location))
                except OSError as exc:
                    raise DataError(f"cannot open the SPARQL store: {exc}", where=str(self.location)) from None
            else:
                self._store = ox.Store()
                self._store.bulk_load(self._ntriples or "", format=ox.RdfFormat.N_TRIPLES)
        return self._store

    def query(
        self,
        query: str | Query,
        *,
        bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        prefixes: Mapping[str, str] | None = None,
        results: str = "json",
        graph_format: str = "nt",
        allow_remote: bool = False,
        timeout: float | None = None,
    ) -> Result:
        """Run a query (text, or a Query value lexed once) and serialize its answer (`results` for SELECT/ASK,
        `graph_format` for triples).

        `prefixes` are predeclared (default: the project's); `bindings` fix variables to RDF terms through
        the engine, never by editing the text; `timeout` (seconds) runs the query in a child process that is
        killed when time is up (0: no limit, still in a child, so that Ctrl-C stops it).
        """
        check_timeout(timeout)
        query = query if isinstance(query, Query) else parse(query)
        check_query(query, allow_remote=allow_remote)
        if results not in RESULTS_FORMATS or graph_format not in GRAPH_FORMATS:
            raise UsageError(f"unknown result format '{results}' / '{graph_format}'")

        if prefixes is None:
            from kg.vocab import prefixes as project_prefixes

            prefixes = project_prefixes()

        def run() -> Result:
            return self._run(query, bindings or {}, dict(prefixes), results, graph_format)

        if timeout is not None and (timeout > 0 or hasattr(os, "fork")):  # 0: no limit, in a child Ctrl-C stops
            if self.location is not None:
                self._store = None  # the child opens its own handle; never share a database across fork
            return run_with_timeout(run, timeout if timeout > 0 else None)
        return run()

    def _run(
        self, query: Query, bindings: Mapping, prefixes: dict[str, str], results: str, graph_format: str
    ) -> Result:
        import pyoxigraph as ox

        if bindings:
            # A VALUES block is part of the query, so the planner sees the bound value and can start from it;
            # an engine substitution is applied only after planning (a typical drug's mechanism-chain at 100k
            # statements: 4 s planned blind, 3 ms with VALUES). Substitution remains for what VALUES cannot
            # reach (the CONSTRUCT WHERE short form) and for text that does not parse, so that a syntax error
            # points into the text the user wrote.
            try:
                return self._answer(query.bound(bindings), {}, prefixes, results, graph_format)
            except (UsageError, SyntaxError):
                pass
        subs = {ox.Variable(k): v for k, v in bindings.items()}
        try:
            return self._answer(query.text, subs, prefixes, results, graph_format)
        except SyntaxError as exc:
            message = rebinding_error(query, prefixes) or syntax_error_message(str(exc), query.text)
            raise UsageError(message, where="query") from None

    def _answer(self, text: str, subs: dict, prefixes: dict[str, str], results: str, graph_format: str) -> Result:
        import pyoxigraph as ox

        try:
            answer = self.store.query(text, prefixes=prefixes, substitutions=subs or None)
            if isinstance(answer, ox.QueryBoolean):
                value = bool(answer)
                return Result("ask", answer.serialize(format=results_format(results)), results, value)
            if isinstance(answer, ox.QuerySolutions):
                return Result("select", answer.serialize(format=results_format(results)), results)
            return Result("graph", serialize_triples(answer, graph_format, prefixes), graph_format)
        except (RuntimeError, OSError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from None


def rebinding_error(query: Query, prefixes: Mapping[str, str]) -> str | None:
    """What is wrong with a query that does not parse, when it is a BIND to a variable already in use.

    SPARQL forbids `BIND (… AS ?v)` once ?v is used earlier in the same group; the engine reports that as an
    unexpected token somewhere after it. A BIND is named when its group mentions ?v before it and giving it a
    new variable is needed to make the query parse.
    """
    import pyoxigraph as ox

    def parses(candidate: str | Query) -> bool:
        try:  # parsing is all: an ASK is sent as a CONSTRUCT, whose answer is computed only when read
            ox.Store().query(ask_as_construct(candidate), prefixes=dict(prefixes))
        except SyntaxError:
            return False
        except (RuntimeError, OSError, ValueError):
            pass
        return True

    if query.uses_service:  # a query that calls out is not tried again
        return None
    suspects = rebound_variables(query)
    if not suspects or parses(query):
        return None
    text, used = query.text, query.variables

    def renamed(tokens: list) -> str:
        out, taken = text, set(used)
        for var in sorted(tokens, key=lambda t: t.start, reverse=True):  # each BIND a name of its own
            fresh = next(f"{var.text[1:]}_{i}" for i in itertools.count() if f"{var.text[1:]}_{i}" not in taken)
            taken.add(fresh)
            out = out[: var.start] + "?" + fresh + out[var.start + len(var.text) :]
        return out

    if not parses(renamed(suspects)):
        return None
    needed = [v for v in suspects if not parses(renamed([s for s in suspects if s is not v]))] or suspects
    where = " and ".join(f"BIND (… AS {v.text}) on line {text.count(chr(10), 0, v.start) + 1}" for v in needed)
    if len(needed) == 1:
        return f"syntax error: {where} binds a variable its group already uses before it; bind a new variable"
    return f"syntax error: {where} bind variables their groups already use before them; bind new variables"


MAX_NESTING = 256  # groups and brackets inside one another; the engine's parser overflows its stack at ~3,000


def check_query(query: str | Query, *, allow_remote: bool = False) -> str | None:
    """Refuse what must not run locally (updates; SERVICE unless allowed; nesting the engine cannot parse); return
    the query form."""
    query = query if isinstance(query, Query) else parse(query)
    if query.form == "UPDATE":
        raise UsageError(
            "updates (INSERT, DELETE, LOAD, DROP …) are refused: the graph is read-only, built from the data "
            "files; edit those and rebuild, or load the graph into a server of your own with `kg push`"
        )
    if query.uses_service and not allow_remote:
        raise UsageError("SERVICE calls another endpoint over the network; pass --allow-remote to permit it")
    if query.nesting > MAX_NESTING:
        raise UsageError(f"the query nests groups or brackets {query.nesting} deep; at most {MAX_NESTING} are allowed")
    return query.form


def check_timeout(seconds: float | None, what: str = "--timeout") -> float | None:
    """A time limit as given (None or 0: none), or UsageError when it is not a finite number of seconds ≥ 0."""
    if seconds is not None and not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0):
        raise UsageError(f"{what} must be a finite number of seconds (0 for no limit), not {seconds}")
    return seconds


def run_with_timeout(fn: Callable[[], Result], seconds: float | None) -> Result:
    """Run `fn` in a forked child; kill it and raise QueryTimeout if it takes longer than `seconds` (None: no
    limit). The parent waits in Python, so Ctrl-C stops the query, which pyoxigraph itself would not notice.
    The child dies with its parent, however the parent ends (SIGKILL included, on Linux), and carries its own
    deadline a second after the parent's, so a runaway query never outlives the command that started it."""
    if not hasattr(os, "fork"):
        raise UsageError("a time limit needs os.fork (POSIX); run without --timeout")
    check_timeout(seconds)
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, report through the pipe, and leave without running any cleanup
        code = 1
        try:
            os.close(read_fd)
            die_with_parent(parent)
            set_deadline(None if seconds is None else seconds + 1)
            try:
                payload: tuple = ("ok", fn())
            except KGError as exc:
                payload = ("error", type(exc).__name__, exc.message, exc.where)
            view = memoryview(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
            while view:
                view = view[os.write(write_fd, view) :]
            code = 0
        finally:  # the child never returns into the parent's code, whatever happened
            os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = None if seconds is None else time.monotonic() + seconds
    finished = False
    try:
        with unwinding_signals():  # SIGTERM or SIGHUP: the child is killed below before this process ends
            while True:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise QueryTimeout(seconds)
                ready, _, _ = select.select([read_fd], [], [], left)
                if ready:
                    chunk = os.read(read_fd, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
            _, status = os.waitpid(pid, 0)
            finished = True
    finally:
        os.close(read_fd)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    if not chunks:
        raise QueryError(f"the query engine {_ending(status)}")
    payload = pickle.loads(b"".join(chunks))
    if payload[0] == "ok":
        return payload[1]
    _, kind, message, where = payload
    cls = {"UsageError": UsageError, "DataError": DataError, "QueryTimeout": QueryError}.get(kind, QueryError)
    raise cls(message, where=where)


def _ending(status: int) -> str:
    """How a child that gave no answer ended, for a one-line error."""
    if not os.WIFSIGNALED(status):
        return f"stopped without an answer (exit status {os.waitstatus_to_exitcode(status)})"
    sig = os.WTERMSIG(status)
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
    hint = {
        signal.SIGSEGV: ": it ran out of stack, as a very deeply nested or very long expression makes it do",
        signal.SIGKILL: ": killed, perhaps for want of memory",
        signal.SIGABRT: ": it aborted, perhaps for want of memory",
    }.get(sig, "")
    return f"crashed ({name}){hint}"
