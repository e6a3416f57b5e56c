"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the built graph, with an offline query page.

Design: two processes, each doing what it is good at.

* The engine is Oxigraph's own server (`oxigraph serve-read-only`, PyPI package `oxigraph`, the `serve`
  extra), on a private loopback port, over the store that `kg sparql` persists in the graph's cache.
  It is a proven implementation of the SPARQL 1.1 Protocol: GET and POST, URL-encoded and direct
  bodies, default-graph-uri / named-graph-uri, content negotiation of every results and RDF format.
* In front of it, a small stdlib `ThreadingHTTPServer` on the public address serves the query page
  (inline CSS and JS, no external URL, the named queries as examples) and relays /query to the engine.

The front exists because Oxigraph's own time limit cannot be trusted to bound a query. Measured with
0.5.13 on a 715-triple graph: a 4-way cross join counted with `--timeout-s 2` ran 39 s, a 3-way one
stopped at 3 s but answered "200 OK" with a truncated body, and a streaming cross join was not stopped
at all (3 GB in 60 s). So the front owns the limit: it reads the engine's whole answer against a
deadline, answers 503 "query timed out after N s" when the deadline passes, and restarts the engine
(ready in ~50 ms) so that the runaway query stops using a CPU. Queries running at that moment are
answered 503 too; for a researcher's local endpoint that trade is better than a server that never
stops a query. The front also refuses updates (403; the engine is read-only as well), refuses SERVICE
unless --allow-remote, and predeclares the project prefixes (one prologue line; error positions are
shifted back so that they point into the user's own text).

By concern: this module is the HTTP side (connections, reading requests, routing, writing answers, the page);
kg.serve_query is the query path (what may run, the text sent, the engine's answer under the deadline);
kg.serve_engine is the engine process (started, guarded, restarted).
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import UsageError
from kg.serve_engine import OxigraphProcess, ServeError, free_port, oxigraph_binary  # noqa: F401 (kg.serve's API)
from kg.serve_query import REFUSED_UPDATE, answer, text_reply
from kg.store import check_timeout, ensure_store
from kg.vocab import prefixes

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

MAX_REQUEST_BYTES = 1024 * 1024
MAX_FIELDS = 1000  # form fields in one request
MAX_CONNECTIONS = 256  # open at once; more are answered 503 at once rather than queued without bound
IDLE_TIMEOUT = 5.0  # seconds a connection may sit without sending anything
REQUEST_DEADLINE = 30.0  # seconds to send a whole request, however slowly the bytes come


class Endpoint(ThreadingHTTPServer):
    """The public front: query page, named queries, /query relayed to the engine under a deadline."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog: Python's default of 5 resets clients under load

    def __init__(
        self,
        address: tuple[str, int],
        engine: OxigraphProcess,
        page: bytes,
        examples: bytes,
        timeout: float,
        allow_remote: bool = False,
    ) -> None:
        super().__init__(address, Handler)
        self.engine = engine
        self.page = page
        self.examples = examples
        self.query_timeout = timeout
        self.allow_remote = allow_remote
        self._open = 0
        self._reading: dict[socket.socket, float] = {}  # connections still sending their request: their deadline
        self._count = threading.Lock()

    def process_request(self, request, client_address) -> None:
        """One thread per connection, up to MAX_CONNECTIONS; past that, 503 at once and closed."""
        with self._count:
            full = self._open >= MAX_CONNECTIONS
            if not full:
                self._open += 1
                self._reading[request] = time.monotonic() + REQUEST_DEADLINE
        if full:
            with contextlib.suppress(OSError):
                request.settimeout(1)
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n")
                request.shutdown(socket.SHUT_WR)
                request.setblocking(False)  # what has arrived is read, so that closing does not reset the connection
                request.recv(1 << 16)
            self.close_request(request)  # no lingering here: this is the thread that accepts connections
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.request_read(request)
            with self._count:
                self._open -= 1

    def shutdown_request(self, request) -> None:
        """Close a connection gracefully: after our answer, read what the client still sends (briefly, boundedly),
        so that unread bytes of a refused request do not make the kernel reset the connection before the client
        has read the refusal."""
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + 1
            while (left := deadline - time.monotonic()) > 0:
                request.settimeout(left)
                if not request.recv(1 << 16):
                    break
        self.close_request(request)

    def request_read(self, request) -> None:
        """The connection has sent its whole request: its request deadline no longer applies."""
        with self._count:
            self._reading.pop(request, None)

    def service_actions(self) -> None:
        """Between polls: cut the connections that take longer than REQUEST_DEADLINE to send their request (a
        client trickling bytes would otherwise hold a thread for ever)."""
        now = time.monotonic()
        with self._count:
            late = [s for s, deadline in self._reading.items() if deadline < now]
            for s in late:
                del self._reading[s]
        for s in late:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        """The base URL clients use."""
        host, port = self.server_address[:2]
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}/"


class Handler(BaseHTTPRequestHandler):
    """One request to the front."""

    server: Endpoint
    server_version = "mechkg"
    timeout = IDLE_TIMEOUT  # seconds a read or write may wait on the client

    def log_message(self, *args) -> None:
        """Quiet: the terminal shows only the ready line and errors."""

    def parse_request(self) -> bool:
        """The request line and headers (http.server refuses long lines and too many headers); then the request
        deadline no longer applies to a GET."""
        ok = super().parse_request()
        if ok and self.command != "POST":
            self.server.request_read(self.connection)
        return ok

    def _params(self, text: str) -> dict[str, list[str]] | None:
        """Form fields of a query string or body, strictly: invalid percent-encoded UTF-8 or too many fields → 400."""
        try:
            return urllib.parse.parse_qs(
                text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS
            )
        except (UnicodeDecodeError, ValueError) as exc:
            reason = "is not UTF-8" if isinstance(exc, UnicodeDecodeError) else f"has too many fields ({exc})"
            self._send_text(400, f"the request's form data {reason}")
            return None

    # --- routing ---------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        """The page, the examples, or a query in the URL."""
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.server.page, page=True)
        elif url.path == "/queries.json":
            self._send(200, "application/json", self.server.examples)
        elif url.path in ("/query", "/sparql"):
            params = self._params(url.query)
            if params is None:
                return
            if "update" in params:
                self._refuse_update()
            elif "query" not in params:
                self._send_text(400, "no query: give ?query=… (or open / for the query page)")
            else:
                self._query(params)
        elif url.path == "/update":
            self._refuse_update()
        else:
            self._send_text(404, f"no such page: {url.path}")

    def do_POST(self) -> None:
        """A query in the body (URL-encoded form or application/sparql-query); updates are refused."""
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/update":
            self._refuse_update()
            return
        if url.path not in ("/query", "/sparql"):
            self._send_text(404 if url.path != "/" else 405, f"cannot POST to {url.path}")
            return
        body = self._body()
        if body is None:
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        charset = self.headers.get_content_charset("utf-8")
        if charset not in ("utf-8", "utf8", "us-ascii"):
            self._send_text(415, f"send the request in UTF-8, not {charset}")
            return
        params = self._params(url.query)
        if params is None:
            return
        if ctype == "application/x-www-form-urlencoded":
            form = self._params(body)
            if form is None:
                return
            params.update(form)
        elif ctype == "application/sparql-query":
            params["query"] = [body]
        elif ctype == "application/sparql-update":
            self._refuse_update()
            return
        else:
            self._send_text(415, "send application/sparql-query or application/x-www-form-urlencoded")
            return
        if "update" in params:
            self._refuse_update()
        elif "query" not in params:
            self._send_text(400, "no query parameter")
        else:
            self._query(params)

    def _body(self) -> str | None:
        """The request body as text; None once a 4xx has been sent (a Content-Length that is missing with a chunked
        body, not a plain number, or over MAX_REQUEST_BYTES; a body that is not UTF-8 or arrives short)."""
        if self.headers.get("Transfer-Encoding"):
            self._send_text(411, "send a Content-Length; chunked requests are not accepted")
            return None
        lengths = self.headers.get_all("Content-Length") or ["0"]
        text = lengths[0].strip()
        if len(set(lengths)) > 1 or not (text.isascii() and text.isdigit()):
            self._send_text(400, "Content-Length must be one whole number of bytes")
            return None
        length = int(text)
        if length > MAX_REQUEST_BYTES:
            self._send_text(413, f"request too large (at most {MAX_REQUEST_BYTES} bytes)")
            return None
        raw = self.rfile.read(length) if length > 0 else b""
        self.server.request_read(self.connection)
        if len(raw) < max(length, 0):
            self.close_connection = True
            return None  # the client went away mid-body: nobody to answer
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self._send_text(400, "the request body is not UTF-8")
            return None

    def do_PUT(self) -> None:
        """Graph Store writes are refused."""
        self._refuse_update()

    do_DELETE = do_PUT
    do_PATCH = do_PUT

    # --- the query path --------------------------------------------------------------------------------

    def _refuse_update(self) -> None:
        self._send(*REFUSED_UPDATE)

    def _query(self, params: dict[str, list[str]]) -> None:
        server = self.server
        accept = self.headers.get("Accept") or "*/*"
        self._send(*answer(params, accept, server.engine, server.query_timeout, allow_remote=server.allow_remote))

    # --- responses -------------------------------------------------------------------------------------

    def _send_text(self, status: int, message: str) -> None:
        self._send(*text_reply(status, message))

    def _send(self, status: int, ctype: str, body: bytes, page: bool = False) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            if page:  # the page may load nothing from elsewhere
                self.send_header(
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                    "connect-src 'self'; img-src 'self' data:",
                )
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


# --- the page ------------------------------------------------------------------------------------------


def examples(graph: KnowledgeGraph) -> list[dict]:
    """The named queries for the page: documentation and text with default parameters bound as VALUES."""
    from kg.query import Binder, list_queries

    binder = Binder(lambda: graph)
    out = []
    for q in list_queries():
        defaults = [f"{p.name}={p.default}" for p in q.params if p.default is not None]
        try:
            text = q.parsed.bound(binder.bind(q, defaults), prefixes())
        except UsageError:
            text = q.text
        out.append({**q.to_dict(), "text": text})
    return out


def page_html(items: list[dict], timeout: float) -> str:
    """The self-contained query page (inline CSS and JS; nothing is loaded from elsewhere)."""
    data = json.dumps({"queries": items, "prefixes": prefixes(), "timeout": timeout}, ensure_ascii=False)
    data = data.replace("<", "\\u003c")  # no "</script>" or "<!--" can end or bend the data block
    template = (Path(__file__).with_name("serve_page.html")).read_text(encoding="utf-8")
    return template.replace("__DATA__", data)


def serve(
    graph: KnowledgeGraph,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    allow_remote: bool = False,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `graph` until Ctrl-C (or SIGTERM); the engine process is always stopped on the way out."""
    if not check_timeout(timeout):
        raise UsageError(f"--timeout must be a positive number of seconds, not {timeout}")
    location = ensure_store(graph)
    if location is None:
        raise ServeError("the graph has no cache directory to serve from")
    engine = OxigraphProcess(location, timeout)
    items = examples(graph)
    page = page_html(items, timeout).encode()
    listing = json.dumps(items, indent=2, ensure_ascii=False).encode()
    try:
        httpd = Endpoint((host, port), engine, page, listing, timeout, allow_remote)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in stops}
    try:
        with contextlib.suppress(ValueError):  # not the main thread: leave the handlers alone
            for sig in stops:  # SIGINT too: a shell starts background jobs with it ignored
                signal.signal(sig, _raise_interrupt)
        engine.start()
        if on_ready:
            on_ready(httpd.url)
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        engine.stop()
        with contextlib.suppress(ValueError):
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _raise_interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt
