"""Beyond one machine: run a query at a remote SPARQL endpoint, and push the graph into a remote store.

Queries use the SPARQL 1.1 Protocol (an HTML-form POST of `query=`, the most widely supported way);
parameters are bound on the client as a VALUES block of properly serialized RDF terms at the start of
the query's WHERE group (and written into transitive paths, see kg.sparqltext.bind_values), and the
project prefixes are declared in front of the text. Accept asks for what the query form gives: SPARQL
results for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE. Answers are re-serialized locally, so every
output format works with any server; an answer that cannot be read is refused, never guessed at.
`push` uses the SPARQL 1.1 Graph Store HTTP Protocol: PUT (replace) or POST (add) N-Triples to the
store URL with `?default` or `?graph=IRI`, after an empty POST that checks, in seconds, that the URL is a
Graph Store endpoint that lets us write. Only the standard library's urllib and http.client are used.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import UsageError
from kg.sparqltext import Query, parse, shift_error_lines
from kg.store import QueryError, QueryTimeout, Result, check_timeout, serialize_triples
from kg.vocab import prefixes

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.graph import KnowledgeGraph

USER_AGENT = "mechkg (+https://w3id.org/mechkg)"
DEFAULT_TIMEOUT = 60.0
PROBE_TIMEOUT = 10.0  # seconds a Graph Store endpoint gets to answer the empty POST sent before a push
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"


def check_url(url: str) -> str:
    """An http(s) URL, or UsageError (urllib would also open file: and ftp: URLs)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"'{url}' is not an http(s) URL")
    return url


def prepare(query: str | Query, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> str:
    """The text to send: undeclared project prefixes declared in front, parameters bound as a VALUES block."""
    return _prepare(query if isinstance(query, Query) else parse(query), bindings)[0]


def _prepare(query: Query, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> tuple[str, int]:
    """(the text to send, the lines added in front of the user's)."""
    missing = {p: ns for p, ns in prefixes().items() if p not in query.declared_prefixes}
    text, shift, _ = query.with_prologue(missing, query.bound(bindings, missing) if bindings else None)
    return text, shift


class _Deadline:
    """A total time limit on one request. urllib's timeout bounds each read, so a server sending a byte every few
    tenths of a second would never reach it; when this one passes, the request's sockets are shut down."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def watch(self, sock: socket.socket) -> None:
        """Cut `sock` when the time is up."""
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        """The request is over."""
        self._timer.cancel()

    def opener(self) -> urllib.request.OpenerDirector:
        """A urllib opener whose connections this deadline watches."""
        deadline = self

        def watched(cls: type) -> type:
            class Watched(cls):
                def connect(self) -> None:
                    super().connect()
                    deadline.watch(self.sock)

            return Watched

        class HTTP(urllib.request.HTTPHandler):
            def do_open(self, http_class, req, **kwargs):
                return super().do_open(watched(http_class), req, **kwargs)

        class HTTPS(urllib.request.HTTPSHandler):
            def do_open(self, http_class, req, **kwargs):
                return super().do_open(watched(http_class), req, **kwargs)

        return urllib.request.build_opener(HTTP, HTTPS)


def _request(req: urllib.request.Request, timeout: float, what: str, shift: int = 0) -> tuple[str, bytes]:
    deadline = _Deadline(timeout)
    try:
        with deadline.opener().open(req, timeout=timeout) as resp:
            answer = resp.headers.get("Content-Type", ""), resp.read()
        if deadline.expired:  # a body cut short when the time ran out
            raise QueryTimeout(timeout)
        return answer
    except urllib.error.HTTPError as exc:
        detail = _body_text(shift_error_lines(exc.read().decode("utf-8", "replace"), shift)) or exc.reason
        if exc.code == 400:
            raise UsageError(f"the endpoint rejected the {what}: {detail}") from None
        raise QueryError(f"the endpoint answered {exc.code} {exc.reason}: {detail}", where=req.full_url) from None
    except TimeoutError:
        raise QueryTimeout(timeout) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError) or deadline.expired:
            raise QueryTimeout(timeout) from None
        raise QueryError(f"cannot reach the endpoint: {exc.reason}", where=req.full_url) from None
    except (OSError, http.client.HTTPException) as exc:
        if deadline.expired:
            raise QueryTimeout(timeout) from None
        if isinstance(exc, http.client.HTTPException) and not isinstance(exc, ConnectionError):
            raise QueryError(f"the endpoint's answer is malformed: {exc}", where=req.full_url) from None
        raise QueryError(f"cannot reach the endpoint: {exc}", where=req.full_url) from None
    finally:
        deadline.cancel()


def query_endpoint(
    url: str,
    query: str | Query,
    *,
    bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    results: str = "json",
    graph_format: str = "nt",
    timeout: float | None = None,
    allow_update: bool = False,
) -> Result:
    """Run a query (or, with allow_update, an update) at a SPARQL endpoint; answer serialized like Engine.query."""
    check_url(url)
    limit = check_timeout(timeout) or DEFAULT_TIMEOUT
    query = query if isinstance(query, Query) else parse(query)
    form = query.form
    if form == "UPDATE":
        if not allow_update:
            raise UsageError(f"refusing to send an update to {url}; pass --allow-update to send it")
        if bindings:
            raise UsageError("parameters cannot be bound in an update")
        sent, shift = _prepare(query)
        body = urllib.parse.urlencode({"update": sent}).encode()
        req = urllib.request.Request(url, data=body, method="POST", headers=_headers("*/*", form=True))
        _request(req, limit, "update", shift)
        return Result("ask", b'{"head":{},"boolean":true}', "json", True)
    sent, shift = _prepare(query, bindings)
    body = urllib.parse.urlencode({"query": sent}).encode()
    accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT  # Virtuoso goes by the first
    req = urllib.request.Request(url, data=body, method="POST", headers=_headers(accept, form=True))
    ctype, data = _request(req, limit, "query", shift)
    return read_answer(ctype, data, form, url, results=results, graph_format=graph_format)


def read_answer(
    ctype: str, data: bytes, form: str | None, url: str, *, results: str = "json", graph_format: str = "nt"
) -> Result:
    """An endpoint's answer to a query of `form`, re-serialized; QueryError when it cannot be read as one.

    Virtuoso answers ASK with a one-row table (`__ASK_RETVAL`: 1, or no row for false) and writes booleans
    as "1"^^xsd:boolean; both are read as the true/false they mean (the canonical "true"/"false" is kept)."""
    import pyoxigraph as ox

    from kg.store import results_format

    media = ctype.split(";")[0].strip().lower()
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    results_media = media in ("application/sparql-results+json", "application/json", "application/sparql-results+xml")
    rdf = None if results_media or not media else ox.RdfFormat.from_media_type(media)
    what = "triples" if graph_form else "true or false" if form == "ASK" else "SPARQL results" if form else "an answer"
    if (not results_media and rdf is None) or (form and graph_form != (rdf is not None)):
        sent = f"'{media}'" if media else "no media type"
        raise QueryError(f"cannot read the endpoint's answer: it sent {sent}, not {what}{_peek(data)}", where=url)
    try:
        if rdf is not None:
            triples = ox.parse(data, format=rdf)
            return Result("graph", serialize_triples(triples, graph_format, prefixes()), graph_format)
        if "json" in media:
            data = _canonical_booleans(data)
        fmt = ox.QueryResultsFormat.JSON if "json" in media else ox.QueryResultsFormat.XML
        answer = ox.parse_query_results(data, format=fmt)
        if isinstance(answer, ox.QueryBoolean):
            if form not in ("ASK", None):
                raise QueryError(f"cannot read the endpoint's answer: it sent true/false, not {what}", where=url)
            return Result("ask", answer.serialize(format=results_format(results)), results, bool(answer))
        if form == "ASK":
            value = _ask_table(answer, url)
            return Result("ask", _boolean_document(value, results), results, value)
        return Result("select", answer.serialize(format=results_format(results)), results)
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read the endpoint's answer as {media}: {_first_line(exc)}", where=url) from None


def _ask_table(answer, url: str) -> bool:
    """The boolean in a table given for an ASK: no row is false; one row, one value of 1/0/true/false."""
    names = [v.value for v in answer.variables]
    rows = [[solution[n] for n in names] for solution in answer]
    if not rows:
        return False
    cells = rows[0]
    if len(rows) == 1 and len(cells) == 1 and cells[0] is not None and cells[0].value in ("1", "0", "true", "false"):
        return cells[0].value in ("1", "true")
    raise QueryError(
        f"cannot read the endpoint's answer: it sent {len(rows)} row(s) of {', '.join(names) or 'no columns'} "
        "for an ASK query, not true or false",
        where=url,
    )


def _boolean_document(value: bool, results: str) -> bytes:
    """An ASK answer serialized as pyoxigraph writes it locally."""
    import pyoxigraph as ox

    from kg.store import results_format

    doc = json.dumps({"head": {}, "boolean": value}).encode()
    return ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON).serialize(format=results_format(results))


def _canonical_booleans(data: bytes) -> bytes:
    """SPARQL JSON with xsd:boolean literals in their canonical form ("1" → "true"), as other engines write them."""
    if XSD_BOOLEAN.encode() not in data:
        return data
    doc = json.loads(data)
    for row in doc.get("results", {}).get("bindings", ()):
        for term in row.values():
            if term.get("datatype") == XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(doc).encode()


def _body_text(body: str, limit: int = 300) -> str:
    """The words of an error page: HTML tags, its title and heading (which repeat the status) left out."""
    return " ".join(re.sub(r"<(title|h1)>.*?</\1>|<[^>]*>", " ", body[:20000], flags=re.S | re.I).split())[:limit]


def _peek(data: bytes) -> str:
    """A hint of what a body holds: its first words."""
    text = _body_text(data[:2000].decode("utf-8", "replace"), 120)
    return f" ({text})" if text else ""


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _headers(accept: str, form: bool = False) -> dict[str, str]:
    headers = {"Accept": accept, "User-Agent": USER_AGENT}
    if form:
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    return headers


def store_url(url: str, graph_iri: str | None) -> str:
    """The Graph Store Protocol URL for the default graph or a named graph."""
    check_url(url)
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in ("default", "graph")]
    if graph_iri:
        import pyoxigraph as ox

        try:
            ox.NamedNode(graph_iri)
        except ValueError as exc:
            raise UsageError(f"--graph '{graph_iri}' is not a valid IRI: {exc}") from None
        suffix = urllib.parse.urlencode([*query, ("graph", graph_iri)])
    else:
        suffix = "&".join(filter(None, [urllib.parse.urlencode(query), "default"]))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, suffix, ""))


def push(
    graph: KnowledgeGraph | Path,
    url: str,
    *,
    graph_iri: str | None = None,
    replace: bool = True,
    timeout: float | None = None,
) -> tuple[str, int]:
    """Load the built graph (or a build's cache directory) into a Graph Store Protocol endpoint; return
    (target URL, triples sent). A cached build's N-Triples file is streamed as it is, never held in memory.

    An empty POST goes first (it adds nothing): a URL that is not a Graph Store endpoint, a store without a
    writable default graph, or one that does not let us write is reported within seconds, before any upload."""
    from kg.export import ntriples, ntriples_file

    target = store_url(url, graph_iri)
    timeout = check_timeout(timeout) or DEFAULT_TIMEOUT
    path = ntriples_file(graph)
    if path is None and isinstance(graph, Path):
        raise TypeError(f"no graph.nt in {graph}: push a KnowledgeGraph or a build's cache directory")
    _store_request(target, "POST", b"", min(timeout, PROBE_TIMEOUT), graph_iri, probe=True)
    method = "PUT" if replace else "POST"
    if path is None:
        body = ntriples(graph).encode()
        _store_request(target, method, body, timeout, graph_iri)
        return target, body.count(b"\n")
    with open(path, "rb") as fh:
        count = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
        fh.seek(0)
        _store_request(target, method, fh, timeout, graph_iri)
    return target, count


def _store_request(target: str, method: str, body, timeout: float, graph_iri: str | None, probe: bool = False) -> None:
    """Send N-Triples to a Graph Store URL; explain a refusal. The answer is read even when the server sends it
    before taking the whole body (a refusal then shows as a broken pipe on our side)."""
    parts = urllib.parse.urlsplit(target)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.netloc, timeout=timeout)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    headers = {"Content-Type": "application/n-triples", "User-Agent": USER_AGENT}
    if not isinstance(body, bytes):
        body.seek(0, 2)
        headers["Content-Length"] = str(body.tell())
        body.seek(0)
    deadline = _Deadline(timeout)  # a total limit: the connection's timeout bounds each read, not the whole
    try:
        conn.connect()
        deadline.watch(conn.sock)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server stopped reading: it says why
            conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        status, reason, server = resp.status, resp.reason, resp.getheader("Server", "")
        text = resp.read(64 << 10).decode("utf-8", "replace")
        if deadline.expired:  # the answer was cut short when the time ran out
            raise TimeoutError
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if not (isinstance(exc, TimeoutError) or deadline.expired):
            raise QueryError(
                f"cannot reach the endpoint: {getattr(exc, 'strerror', None) or exc}", where=target
            ) from None
        if probe:
            raise UsageError(
                f"{target} gave no answer within {timeout:g} s to a Graph Store request; is it the store's Graph "
                "Store Protocol URL (Virtuoso: /sparql-graph-crud, Fuseki: /DATASET/data, Oxigraph: /store), not its "
                "query endpoint?"
            ) from None
        raise QueryError(f"the store gave no answer within {timeout:g} s (--timeout)", where=target) from None
    finally:
        deadline.cancel()
        conn.close()
    if 200 <= status < 300:
        return
    raise _refusal(status, reason, server, text, target, graph_iri)


def _refusal(status: int, reason: str, server: str, body: str, target: str, graph_iri: str | None) -> Exception:
    """The error that says why a store refused a Graph Store request, and what to do."""
    detail = _body_text(body)
    said = f"{status} {reason}" + (f": {detail}" if detail else "")
    virtuoso = "virtuoso" in (server + body).lower()
    if "default graph" in body.lower() and not graph_iri:
        return UsageError(
            f"the store has no writable default graph ({said}); push into a named graph with --graph IRI and "
            "query it with ?default-graph-uri=IRI on the endpoint URL"
        )
    if status in (401, 403) or "permission denied" in body.lower():
        hint = ' (Virtuoso: in isql, GRANT SPARQL_UPDATE TO "SPARQL";)' if virtuoso else ""
        return QueryError(f"the store refused to let us write ({said}); it must allow Graph Store writes{hint}")
    if status in (404, 405, 415, 501) or "sparql query" in body.lower():
        return UsageError(
            f"{target} is not a Graph Store Protocol endpoint ({said}); give the store's Graph Store URL "
            "(Virtuoso: /sparql-graph-crud, Fuseki: /DATASET/data, Oxigraph: /store)"
        )
    return QueryError(f"the store refused the graph ({said})", where=target)
