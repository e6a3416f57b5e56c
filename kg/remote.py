"""Beyond one machine: run a query at a remote SPARQL endpoint, and push the graph into a remote store.

Queries use the SPARQL 1.1 Protocol (an HTML-form POST of `query=`, the most widely supported way);
parameters are bound on the client as a VALUES block of properly serialized RDF terms at the start of
the query's WHERE group, and the project prefixes are declared in front of the text. Answers come back
as SPARQL JSON or N-Triples and are re-serialized locally, so every output format works with any server.
`push` uses the SPARQL 1.1 Graph Store HTTP Protocol: PUT (replace) or POST (add) N-Triples to the
store URL with `?default` or `?graph=IRI`. Only the standard library's urllib is used.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import UsageError
from kg.sparqltext import bind_values, declared_prefixes, prologue, query_form, shift_error_lines
from kg.store import MEDIA_TYPES, QueryError, QueryTimeout, Result, serialize_triples
from kg.vocab import prefixes

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.graph import KnowledgeGraph

USER_AGENT = "mechkg (+https://w3id.org/mechkg)"
DEFAULT_TIMEOUT = 60.0


def check_url(url: str) -> str:
    """An http(s) URL, or UsageError (urllib would also open file: and ftp: URLs)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"'{url}' is not an http(s) URL")
    return url


def prepare(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> str:
    """The text to send: undeclared project prefixes declared in front, parameters bound as a VALUES block."""
    return _prepare(text, bindings)[0]


def _prepare(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> tuple[str, int]:
    own = declared_prefixes(text)
    missing = {p: ns for p, ns in prefixes().items() if p not in own}
    bound = bind_values(text, bindings or {}, missing) if bindings else text
    return (f"{prologue(missing)}\n{bound}", 1) if missing else (bound, 0)  # (text, lines added in front)


def _request(req: urllib.request.Request, timeout: float, what: str, shift: int = 0) -> tuple[str, bytes]:
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        detail = " ".join(shift_error_lines(body, shift).split())[:300] or exc.reason
        if exc.code == 400:
            raise UsageError(f"the endpoint rejected the {what}: {detail}") from None
        raise QueryError(f"the endpoint answered {exc.code} {exc.reason}: {detail}", where=req.full_url) from None
    except TimeoutError:
        raise QueryTimeout(timeout) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise QueryTimeout(timeout) from None
        raise QueryError(f"cannot reach the endpoint: {exc.reason}", where=req.full_url) from None
    except OSError as exc:
        raise QueryError(f"cannot reach the endpoint: {exc}", where=req.full_url) from None


def query_endpoint(
    url: str,
    text: str,
    *,
    bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    results: str = "json",
    graph_format: str = "nt",
    timeout: float | None = None,
    allow_update: bool = False,
) -> Result:
    """Run a query (or, with allow_update, an update) at a SPARQL endpoint; answer serialized like Engine.query."""
    import pyoxigraph as ox

    from kg.store import results_format

    check_url(url)
    limit = timeout if timeout and timeout > 0 else DEFAULT_TIMEOUT
    form = query_form(text)
    if form == "UPDATE":
        if not allow_update:
            raise UsageError(f"refusing to send an update to {url}; pass --allow-update to send it")
        if bindings:
            raise UsageError("parameters cannot be bound in an update")
        sent, shift = _prepare(text)
        body = urllib.parse.urlencode({"update": sent}).encode()
        req = urllib.request.Request(url, data=body, method="POST", headers=_headers("*/*", form=True))
        _request(req, limit, "update", shift)
        return Result("ask", b'{"head":{},"boolean":true}', "json", True)
    sent, shift = _prepare(text, bindings)
    body = urllib.parse.urlencode({"query": sent}).encode()
    accept = f"{MEDIA_TYPES['json']}, {MEDIA_TYPES['nt']};q=0.9, {MEDIA_TYPES['ttl']};q=0.8"
    req = urllib.request.Request(url, data=body, method="POST", headers=_headers(accept, form=True))
    ctype, data = _request(req, limit, "query", shift)
    media = ctype.split(";")[0].strip().lower()
    try:
        if media in ("application/sparql-results+json", "application/json", "application/sparql-results+xml"):
            fmt = ox.QueryResultsFormat.JSON if "json" in media else ox.QueryResultsFormat.XML
            answer = ox.parse_query_results(data, format=fmt)
            if isinstance(answer, ox.QueryBoolean):
                return Result("ask", answer.serialize(format=results_format(results)), results, bool(answer))
            return Result("select", answer.serialize(format=results_format(results)), results)
        rdf = ox.RdfFormat.from_media_type(media) if media else None
        if rdf is None:
            raise QueryError(f"the endpoint answered with an unknown media type '{ctype}'", where=url)
        triples = ox.parse(data, format=rdf)
        return Result("graph", serialize_triples(triples, graph_format, prefixes()), graph_format)
    except SyntaxError as exc:
        raise QueryError(f"cannot read the endpoint's answer: {exc}", where=url) from None


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
    (target URL, triples sent). A cached build's N-Triples file is streamed as it is, never held in memory."""
    from kg.export import ntriples, ntriples_file

    target = store_url(url, graph_iri)
    headers = {"Content-Type": "application/n-triples", "User-Agent": USER_AGENT}
    method = "PUT" if replace else "POST"
    timeout = timeout if timeout and timeout > 0 else DEFAULT_TIMEOUT
    path = ntriples_file(graph)
    if path is None and isinstance(graph, Path):
        raise TypeError(f"no graph.nt in {graph}: push a KnowledgeGraph or a build's cache directory")
    if path is None:
        body = ntriples(graph).encode()
        _request(urllib.request.Request(target, data=body, method=method, headers=headers), timeout, "graph")
        return target, body.count(b"\n")
    with open(path, "rb") as fh:
        count = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
        headers["Content-Length"] = str(fh.tell())
        fh.seek(0)
        _request(urllib.request.Request(target, data=fh, method=method, headers=headers), timeout, "graph")
    return target, count
