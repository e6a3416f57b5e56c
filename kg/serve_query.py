"""The query path of `kg serve`: what a query may be, the text the engine is sent, and its answer relayed under the
endpoint's deadline. A function of the request's form fields and Accept header to (status, media type, body), so
the HTTP side (kg.serve) only reads requests and writes answers."""

from __future__ import annotations

import http.client
import time
import urllib.parse

from kg.serve_engine import OxigraphProcess
from kg.sparqltext import parse, shift_error_lines
from kg.store import MAX_NESTING, MEDIA_TYPES, rebinding_error
from kg.vocab import prefixes

Reply = tuple[int, str, bytes]  # status, media type, body

MAX_RESULT_BYTES = 256 * 1024 * 1024
_ANSWER_TYPES = {
    *MEDIA_TYPES.values(),
    "application/json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
    "text/n3",
    "application/xml",
    "text/xml",
}
_TEXT = "text/plain; charset=utf-8"
REFUSED_UPDATE: Reply = (403, _TEXT, b"updates are refused: this SPARQL endpoint is read-only\n")


def text_reply(status: int, message: str) -> Reply:
    """A plain-text answer of one line."""
    return status, _TEXT, (message + "\n").encode()


def answer(
    params: dict[str, list[str]], accept: str, engine: OxigraphProcess, timeout: float, *, allow_remote: bool = False
) -> Reply:
    """The answer to a query request (its form fields: query, format, default-graph-uri …): refused when it is an
    update, calls out (SERVICE) unless allowed, or nests deeper than the engine can parse; otherwise sent to the
    engine with the project prefixes declared, and the engine's answer relayed (error positions moved back into the
    user's own text)."""
    texts = params.get("query", [])
    if len(texts) != 1 or not texts[0].strip():
        return text_reply(400, "give exactly one non-empty query")
    query = parse(texts[0])
    if query.form == "UPDATE":
        return REFUSED_UPDATE
    if query.uses_service and not allow_remote:
        return text_reply(403, "SERVICE (a call to another endpoint) is disabled on this endpoint")
    depth = query.nesting
    if depth > MAX_NESTING:  # the engine's parser would overflow its stack and take every query down with it
        return text_reply(400, f"the query nests groups or brackets {depth} deep; at most {MAX_NESTING} are allowed")
    sent, shift, missing = query.with_prologue(prefixes())
    fmt = (params.get("format") or [""])[0].lower()
    if fmt in MEDIA_TYPES and not any(t.split(";")[0].strip() in _ANSWER_TYPES for t in accept.split(",")):
        accept = MEDIA_TYPES[fmt]  # a plain link (the page's downloads); a client's own Accept wins
    keep = [(k, v) for k in ("default-graph-uri", "named-graph-uri") for v in params.get(k, [])]
    target = "/query" + (f"?{urllib.parse.urlencode(keep)}" if keep else "")
    status, ctype, body = relay(engine, target, sent.encode(), accept, timeout)
    if status == 400:
        rebound = rebinding_error(query, missing)
        if rebound:
            status, ctype, body = 400, _TEXT, rebound.encode()
        elif shift:
            body = shift_error_lines(body.decode("utf-8", "replace"), shift).encode()
    return status, ctype, body


def relay(engine: OxigraphProcess, target: str, body: bytes, accept: str, timeout: float) -> Reply:
    """The engine's whole answer to a query, read against a deadline; 503 when time runs out (the engine is then
    restarted, since it keeps computing a query nobody waits for), when the answer is too large, or when the engine
    stopped (restarted, and said so on the terminal)."""
    deadline = time.monotonic() + timeout
    generation = engine.generation
    conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=timeout)
    try:
        conn.request("POST", target, body=body, headers={"Content-Type": "application/sparql-query", "Accept": accept})
        resp = conn.getresponse()
        chunks, size = [], 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if conn.sock is not None:
                conn.sock.settimeout(left)
            chunk = resp.read(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_RESULT_BYTES:
                return 503, _TEXT, b"the result is too large for this endpoint; add a LIMIT"
            chunks.append(chunk)
        data = b"".join(chunks)
        if resp.status == 200 and data.rstrip().endswith(b"The SPARQL operation has been cancelled"):
            raise TimeoutError  # the engine's own backstop fired first: its answer is cut short
        return resp.status, resp.getheader("Content-Type", "application/octet-stream"), data
    except TimeoutError:
        conn.close()
        engine.restart(generation)  # the engine keeps computing a cancelled query: stop it
        return 503, _TEXT, f"query timed out after {timeout:g} s".encode()
    except (OSError, http.client.HTTPException):
        if engine.stopped():  # it crashed (on this query or another): restarted, and said so on the terminal
            engine.restart(generation, why="stopped")
            return 503, _TEXT, b"the query engine stopped while answering and was restarted; retry"
        return 503, _TEXT, b"the query engine was restarted or is not running; retry"
    finally:
        conn.close()
