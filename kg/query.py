"""Named queries (queries/*.rq and their headers), typed parameters bound as RDF terms, and result writers.

A named query is a `.rq` file whose leading comment block documents it:

    # title: Mechanism chain of a drug, with evidence
    # description: Every causal or clinical claim reachable from the drug …
    #   (indented comment lines continue a field)
    # param: drug (entity, default: ketamine) — the drug to start from
    # example: kg sparql mechanism-chain --param drug=ketamine
    # keys: SELECT DISTINCT ?from WHERE { ?drug mk:affects* ?from }

`keys` (optional) lists the values a large answer's sort starts from, so that a page of it is computed from the
first few of them only (see run_window).

Parameter types: entity (a name, synonym, key, CURIE or IRI, through the resolver), source (a source key),
iri, string, integer, decimal, boolean, and term (guessed: <IRI>, CURIE, "literal"^^type, number, or an
entity name). Values become RDF terms, written into the query as a VALUES block (kg.sparqltext.bind_values),
never spliced into the text as strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg import resources
from kg.errors import DataError, UsageError
from kg.sparqltext import Query, is_valid_variable, parse
from kg.store import GRAPH_FORMATS, RESULTS_FORMATS, Result
from kg.vocab import ENT, SRC, iri_to_curie, prefixes

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.graph import KnowledgeGraph
    from kg.resolve import NameIndex

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("entity", "source", "iri", "string", "integer", "decimal", "boolean", "term")
OUTPUT_FORMATS = ("table", *RESULTS_FORMATS, *GRAPH_FORMATS)
_EXTENSIONS = {
    ".json": "json",
    ".srj": "json",
    ".xml": "xml",
    ".srx": "xml",
    ".csv": "csv",
    ".tsv": "tsv",
    ".ttl": "ttl",
    ".nt": "nt",
    ".jsonld": "jsonld",
    ".txt": "table",
}
_FIELD = re.compile(r"#\s?(title|description|param|example|keys)\s*:\s*(.*)$", re.IGNORECASE)
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_]\w*)\s*\(\s*(?P<type>\w+)\s*(?:,\s*default\s*:\s*(?P<default>[^)]*?)\s*)?\)\s*(?:—|–|-|:)\s*(?P<meaning>.+)"
)
_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True, slots=True)
class QueryParam:
    """A documented parameter of a named query."""

    name: str
    type: str = "term"
    default: str | None = None
    meaning: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with its documentation; inline queries have name 'query' and no header."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[QueryParam, ...] = ()
    examples: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)

    @cached_property
    def parsed(self) -> Query:
        """The text lexed once (kg.sparqltext.Query): what flows down to the local or remote engine."""
        return parse(self.text)

    @property
    def form(self) -> str | None:
        """SELECT, CONSTRUCT, DESCRIBE, ASK, UPDATE or None."""
        return self.parsed.form

    @cached_property
    def keys(self) -> str:
        """The header's `keys:` query, if any: the values of one variable, in the order the query sorts its rows
        by (see run_window); '' when there is none."""
        return next((f[1] for f in _header_fields(self.text) if f[0] == "keys"), "")

    def param(self, name: str) -> QueryParam | None:
        """The declared parameter `name`, if any."""
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict:
        """A JSON-ready summary (name, title, description, params, examples, form)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "form": self.form,
            "params": [
                {"name": p.name, "type": p.type, "default": p.default, "meaning": p.meaning} for p in self.params
            ],
            "examples": list(self.examples),
        }


def _header_fields(text: str) -> list[list[str]]:
    """The fields of a query's leading comment block as [field, text, line], continuation lines joined."""
    fields: list[list[str]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _FIELD.match(stripped)
        if m:
            fields.append([m.group(1).lower(), m.group(2).strip(), str(lineno)])
        elif fields and re.match(r"#\s{2,}\S", stripped):
            fields[-1][1] = f"{fields[-1][1]} {stripped.lstrip('#').strip()}".strip()
    return fields


def parse_header(text: str, where: str = "query") -> tuple[str, str, tuple[QueryParam, ...], tuple[str, ...]]:
    """Title, description, parameters and examples from a query's leading comment block."""
    fields = _header_fields(text)
    title = next((f[1] for f in fields if f[0] == "title"), "")
    description = next((f[1] for f in fields if f[0] == "description"), "")
    params = []
    for kind, value, line in fields:
        if kind != "param":
            continue
        m = _PARAM.fullmatch(value)
        if not m:
            raise DataError(
                f"cannot read the parameter '{value}'; write: name (type, default: value) — meaning",
                where=f"{where}:{line}",
            )
        if m.group("type") not in PARAM_TYPES:
            raise DataError(
                f"unknown parameter type '{m.group('type')}'; use one of {', '.join(PARAM_TYPES)}",
                where=f"{where}:{line}",
            )
        default = m.group("default")
        params.append(QueryParam(m.group("name"), m.group("type"), default or None, m.group("meaning").strip()))
    examples = tuple(f[1] for f in fields if f[0] == "example")
    return title, description, tuple(params), examples


def load_query_file(path: Path, name: str | None = None) -> NamedQuery:
    """Read one .rq file with its header."""
    from kg.osutil import note_input

    note_input(path)  # `-o` naming it is refused
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the query: {getattr(exc, 'strerror', None) or exc}", where=str(path)) from None
    title, description, params, examples = parse_header(text, str(path))
    return NamedQuery(name or path.stem, text, title, description, params, examples, path)


def list_queries(directory: Path | None = None) -> list[NamedQuery]:
    """Every named query in `directory` (default: the project's queries/), sorted by name."""
    d = directory or resources.queries_dir()
    return [load_query_file(p) for p in sorted(d.glob("*.rq"))]


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """The named query `name`; UsageError with suggestions if there is none."""
    d = directory or resources.queries_dir()
    path = d / f"{name}.rq"
    if _NAME.fullmatch(name) and path.is_file():
        return load_query_file(path)
    import difflib

    names = [p.stem for p in sorted(d.glob("*.rq"))]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; `kg queries` lists them"
    raise UsageError(f"no query named '{name}'{hint}")


def load_query_arg(arg: str, stdin_text: Callable[[], str] | None = None) -> NamedQuery:
    """QUERY as the user gave it: '-' (stdin), a file, the name of a named query, or the text itself."""
    if arg == "-":
        text = stdin_text() if stdin_text else ""
        if not text.strip():
            raise UsageError("no query on standard input")
        title, description, params, examples = parse_header(text, "<stdin>")
        return NamedQuery("query", text, title, description, params, examples)
    if not arg.strip():
        raise UsageError("empty query")
    if "\n" not in arg and len(arg) < 4096:
        path = Path(arg)
        if _is_file(path):
            return load_query_file(path, name="query")
        if _NAME.fullmatch(arg.strip()) and path.suffix not in (".rq", ".sparql"):
            return get_query(arg.strip())
        if path.suffix in (".rq", ".sparql") and " " not in arg:
            raise UsageError(f"no such query file: {arg}")
    title, description, params, examples = parse_header(arg)
    return NamedQuery("query", arg, title, description, params, examples)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a one-line query longer than a file name may be
        return False


def queries_text(found: Sequence[NamedQuery], full: bool = False) -> str:
    """The query list as aligned text (name, parameters, title), or one query's documentation and text."""
    import textwrap

    if not full:
        cells = [
            (q.name, ", ".join(f"{p.name}={p.default}" if p.default else p.name for p in q.params) or "-", q.title)
            for q in found
        ]
        wn = max([4] + [len(c[0]) for c in cells])
        wp = max([6] + [len(c[1]) for c in cells])
        lines = [f"{'NAME'.ljust(wn)}  {'PARAMS'.ljust(wp)}  TITLE"]
        lines += [f"{n.ljust(wn)}  {p.ljust(wp)}  {t}" for n, p, t in cells]
        return "\n".join(lines) + "\n"
    out = []
    for q in found:
        out.append(f"{q.name}: {q.title}")
        out += textwrap.wrap(q.description, 100, initial_indent="  ", subsequent_indent="  ")
        if q.params:
            out.append("parameters:")
            for p in q.params:
                default = f", default: {p.default}" if p.default else ""
                out.append(f"  {p.name} ({p.type}{default}) — {p.meaning}")
        if q.examples:
            out.append("examples:")
            out += [f"  {e}" for e in q.examples]
        out += ["", q.text.rstrip()]
    return "\n".join(out) + "\n"


# --- parameters -------------------------------------------------------------------------------------------


class Binder:
    """Turns NAME=VALUE pairs into RDF terms for a query, resolving entity and source names by name index."""

    def __init__(
        self,
        names: Callable[[], KnowledgeGraph | NameIndex],
        resolve: Callable[[str], str] | None = None,
    ) -> None:
        self._names = names
        self._index: NameIndex | None = None
        self._resolve = resolve

    @property
    def index(self) -> NameIndex:
        """The names to resolve against, fetched on first need (a graph is indexed then)."""
        if self._index is None:
            from kg.resolve import NameIndex

            found = self._names()
            self._index = found if isinstance(found, NameIndex) else NameIndex.of(found)
        return self._index

    def entity(self, value: str) -> ox.NamedNode:
        """An entity by name, synonym, key, CURIE or IRI."""
        import pyoxigraph as ox

        text = value.strip()
        if text.startswith("<") and text.endswith(">"):
            value = text[1:-1]
        if self._resolve is not None:
            key = self._resolve(value)
        else:
            from kg.resolve import Resolver

            key = Resolver(self.index).resolve(value).key
        return ox.NamedNode(ENT + key)

    def source(self, value: str) -> ox.NamedNode:
        """A source by key, title, src: CURIE or IRI."""
        import pyoxigraph as ox

        sources = self.index.sources
        text = value.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        key = text.removeprefix(SRC).removeprefix("src:")
        if key in sources:
            return ox.NamedNode(SRC + key)
        by_title = [k for k, title in sources.items() if title.casefold() == value.casefold()]
        if len(by_title) == 1:
            return ox.NamedNode(SRC + by_title[0])
        known = sorted(sources)
        listed = ", ".join(known[:8]) + (f" … ({len(known)} in all)" if len(known) > 8 else "")
        raise UsageError(f"unknown source '{value}'; the sources are {listed}")

    def term(self, value: str, kind: str = "term") -> ox.NamedNode | ox.Literal:
        """The RDF term a parameter value of type `kind` stands for."""
        import pyoxigraph as ox

        if kind == "entity":
            return self.entity(value)
        if kind == "source":
            return self.source(value)
        if kind == "string":
            return ox.Literal(value)
        if kind == "iri":
            return _iri(value)
        if kind in ("integer", "decimal", "boolean"):
            return _typed(value, kind)
        return self.guess(value)

    def guess(self, value: str) -> ox.NamedNode | ox.Literal:
        """An untyped value: <IRI>, http(s) IRI, "literal" (with @lang or ^^type), number, boolean, CURIE, name."""
        text = value.strip()
        if text.startswith("<") or text.startswith(("http://", "https://")):
            return _iri(text)
        if text[:1] in ('"', "'"):
            return _literal(text)
        if re.fullmatch(r"[+-]?\d+", text):
            return _typed(text, "integer")
        if re.fullmatch(r"[+-]?\d*\.\d+", text):
            return _typed(text, "decimal")
        if text in ("true", "false"):
            return _typed(text, "boolean")
        prefix, sep, _ = text.partition(":")
        if sep and prefix in prefixes() and prefix != "ent" and " " not in text:
            return _iri(text)
        try:
            return self.entity(text)
        except UsageError as exc:
            raise UsageError(f'{exc.message} (to pass text, quote it: "{text}")') from None

    def bind(self, query: NamedQuery, raw: Sequence[str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Bindings for `query` from NAME=VALUE strings, plus the defaults of its declared parameters."""
        given: dict[str, str] = {}
        for item in raw:
            name, sep, value = item.partition("=")
            name = name.strip().lstrip("?$")
            if not sep or not name:
                raise UsageError(f"--param wants NAME=VALUE, got '{item}'")
            if not is_valid_variable(name):
                raise UsageError(f"--param {name}: not a valid variable name")
            if name in given:
                raise UsageError(f"--param {name} given twice")
            given[name] = value
        if query.params:
            known = {p.name for p in query.params}
            for name in given:
                if name not in known:
                    raise UsageError(f"'{query.name}' has no parameter '{name}'; it takes {', '.join(sorted(known))}")
        else:
            mentioned = query.parsed.variables
            for name in given:
                if name not in mentioned:
                    raise UsageError(f"--param {name}: the query has no variable ?{name}")
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in query.params:
            value = given.get(p.name, p.default)
            if value is not None:
                bindings[p.name] = self._checked(p.name, value, p.type)
        for name, value in given.items():
            if name not in bindings:
                bindings[name] = self._checked(name, value, "term")
        return bindings

    def _checked(self, name: str, value: str, kind: str) -> ox.NamedNode | ox.Literal:
        try:
            return self.term(value, kind)
        except UsageError as exc:
            raise UsageError(f"--param {name}: {exc.message}") from None


def _iri(text: str) -> ox.NamedNode:
    import pyoxigraph as ox

    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    elif not value.startswith(("http://", "https://", "urn:")):
        prefix, sep, local = value.partition(":")
        ns = prefixes().get(prefix)
        if not sep or ns is None:
            raise UsageError(f"'{text}' is not an IRI or a CURIE with a known prefix")
        value = ns + local
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise UsageError(f"'{text}' is not a valid IRI: {exc}") from None


def _typed(text: str, kind: str) -> ox.Literal:
    import pyoxigraph as ox

    value = text.strip()
    try:
        if kind == "integer":
            value = str(int(value))
        elif kind == "decimal":
            d = Decimal(value)
            if not d.is_finite():
                raise InvalidOperation
            value = format(d, "f")
        elif value not in ("true", "false"):
            raise ValueError
    except (ValueError, InvalidOperation):
        raise UsageError(f"'{text}' is not a valid {kind}") from None
    return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))


def _literal(text: str) -> ox.Literal:
    """A literal written in Turtle syntax ("text", "text"@en, "5"^^xsd:integer), read by a Turtle parser."""
    import pyoxigraph as ox

    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes().items())
    doc = f"{head}<urn:mechkg:s> <urn:mechkg:p> {text}\n."
    try:
        triples = list(ox.parse(doc, format=ox.RdfFormat.TURTLE))
    except SyntaxError:
        raise UsageError(f'cannot read {text} as a literal; write "text", "text"@en or "5"^^xsd:integer') from None
    if len(triples) != 1 or not isinstance(triples[0].object, ox.Literal):
        raise UsageError(f"{text} is not one literal")
    return triples[0].object


# --- formats and writers --------------------------------------------------------------------------------


def choose_format(fmt: str | None, output: str, form: str | None) -> str:
    """The output format: as given, else from the -o extension, else table (rows, booleans) or ttl (triples)."""
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if fmt is None and output not in ("-", ""):
        ext = Path(output).suffix.lower()
        fmt = "jsonld" if ext == ".json" and graph_form else _EXTENSIONS.get(ext)
        if ext and fmt is None:
            known = ", ".join(sorted(_EXTENSIONS))
            raise UsageError(f"cannot tell the format from '{ext}': use one of {known}, or give -f", where=output)
    if fmt is None:
        fmt = "ttl" if graph_form else "table"
    if fmt not in OUTPUT_FORMATS:
        raise UsageError(f"unknown format '{fmt}'; choose one of {', '.join(OUTPUT_FORMATS)}")
    if graph_form and fmt not in GRAPH_FORMATS:
        raise UsageError(f"a {form} query gives triples: choose -f ttl, nt or jsonld")
    if form in ("SELECT", "ASK") and fmt in GRAPH_FORMATS:
        raise UsageError(
            f"a {form} query gives {'rows' if form == 'SELECT' else 'true/false'}: "
            "choose -f table, json, xml, csv or tsv"
        )
    return fmt


def engine_formats(fmt: str, *, local: bool = True) -> tuple[str, str]:
    """The (results, graph) serializations to ask the engine for, given the output format.

    A table is read from TSV when the engine is ours (a third of JSON's size, read twice as fast: it matters
    for answers of tens of thousands of rows) and from SPARQL JSON, which every endpoint speaks, otherwise.
    """
    if fmt in GRAPH_FORMATS:
        return "json", fmt
    if fmt == "table":
        return ("tsv" if local else "json"), "nt"
    return fmt, "nt"


def _cell(binding: Mapping[str, str] | None) -> str:
    """A SPARQL JSON term as a table cell: CURIE for IRIs, the bare value for literals, empty when unbound."""
    if binding is None:
        return ""
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return iri_to_curie(value)
    if kind == "bnode":
        return f"_:{value}"
    if kind in ("literal", "typed-literal"):
        return value
    return json.dumps(binding, ensure_ascii=False)  # a quoted triple (RDF 1.2): shown as it came


@lru_cache(maxsize=1)
def _solutions(data: bytes) -> tuple[list[str], list[dict]]:
    doc = json.loads(data)
    return doc["head"]["vars"], doc["results"]["bindings"]


_ECHAR = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(m: re.Match) -> str:
    code = m.group(1) or m.group(2)
    return chr(int(code, 16)) if code else _ECHARS.get(m.group(3), m.group(0))


def _tsv_cell(term: str) -> str:
    """A SPARQL TSV term (Turtle syntax) as a table cell, the same as `_cell` gives for its JSON form."""
    if not term:
        return ""
    if term[0] == "<" and not term.startswith("<<"):
        return iri_to_curie(term[1:-1])
    if term[0] == '"':  # "lexical form" with an optional @lang or ^^<datatype> after the closing quote
        value = term[1 : term.rindex('"')]
        return _ECHAR.sub(_unescape, value) if "\\" in value else value
    return term  # a number or boolean written bare, a blank node, a quoted triple


def rows(result: Result, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    """Column names and display rows (the first `limit` ones, if given) of a SELECT result in SPARQL JSON or TSV."""
    if result.form == "select" and result.format == "tsv":
        text = result.data.decode("utf-8")
        text = text[:-1] if text.endswith("\n") else text
        header, *lines = text.split("\n", -1 if limit is None else limit + 1)  # a line per row, even if empty
        lines = lines[:limit]
        if not header:  # no variables: each row is an empty line
            return [], [[] for _ in lines]
        return [n[1:] for n in header.split("\t")], [[_tsv_cell(t) for t in line.split("\t")] for line in lines]
    if result.form != "select" or result.format != "json":
        raise UsageError("rows() needs a SELECT result in SPARQL JSON or TSV")
    names, bindings = _solutions(result.data)
    return names, [[_cell(b.get(n)) for n in names] for b in bindings[:limit]]


def plain_table(names: Sequence[str], table: Sequence[Sequence[str]]) -> str:
    """Aligned plain text: a header, a rule, one line per row (stable when piped)."""
    cells = [[c.replace("\n", " ") for c in row] for row in table]
    columns = list(zip(*cells, strict=True)) if cells else [() for _ in names]
    widths = [min(80, max(len(n), max(map(len, col), default=0))) for n, col in zip(names, columns, strict=True)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(map(str.ljust, values, widths)).rstrip()  # a value wider than its column stays whole

    out = [line(names), line(["-" * w for w in widths])]
    out += map(line, cells)
    return "\n".join(out) + "\n"


def rich_table(names: Sequence[str], table: Sequence[Sequence[str]]) -> str:
    """A boxed table for a terminal (rich)."""
    import io

    from rich.console import Console
    from rich.table import Table

    t = Table(*names, show_lines=False, header_style="bold")
    for r in table:
        t.add_row(*r)
    buf = io.StringIO()
    Console(file=buf, force_terminal=True, width=_terminal_width()).print(t)
    return buf.getvalue()


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def render(result: Result, fmt: str, *, terminal: bool = False, max_rows: int | None = None) -> bytes:
    """The bytes to write for `result` in output format `fmt` (the engine already serialized other formats);
    a table shows the first `max_rows` rows when that is given."""
    if fmt != "table":
        if result.format != fmt:
            raise UsageError(f"cannot write a {result.form} result as {fmt}")
        return result.data if result.data.endswith(b"\n") else result.data + b"\n"
    if result.form == "ask":
        return b"true\n" if result.boolean else b"false\n"
    if result.form == "graph":
        raise UsageError("CONSTRUCT and DESCRIBE give triples: choose -f ttl, nt or jsonld")
    names, table = rows(result, max_rows)
    text = rich_table(names, table) if terminal else plain_table(names, table)
    return text.encode()


def rows_note(result: Result, shown: int, page: int = 1) -> str:
    """What a table shows of the answer: how many rows, which of them, and how to see the rest."""
    plural = "s" if (result.total if result.total is not None else shown) != 1 else ""
    rest = "all of them: --max-rows 0, or -f csv"
    if result.total is None and not result.more and not result.start:
        return f"{shown} row{plural}"
    first, last = result.start + 1, result.start + shown
    if not shown:
        whole = f" (the answer has {result.total} row{plural})" if result.total is not None else ""
        return f"no rows on page {page}{whole}"
    more = f"next: --page {page + 1}; " if result.more or (result.total or 0) > last else ""
    if result.total is None:
        return f"rows {first}–{last} shown, sorted as the query asks ({more}{rest})"
    if shown == result.total:
        return f"{shown} row{plural}"
    if first == 1:
        return f"{result.total} row{plural} (the first {shown} shown; {more}{rest})"
    return f"{result.total} row{plural} (rows {first}–{last} shown; {more}{rest})"


def row_count(result: Result) -> int | None:
    """The number of rows of a SELECT result in SPARQL JSON or TSV, else None."""
    if result.form == "select" and result.format == "tsv":
        return result.data.count(b"\n") - 1  # the header, then one line per row, each ended by a newline
    if result.form != "select" or result.format != "json":
        return None
    return len(_solutions(result.data)[1])


# --- running ---------------------------------------------------------------------------------------------


def run(
    query: NamedQuery,
    bindings: Mapping[str, ox.NamedNode | ox.Literal],
    fmt: str,
    *,
    graph: Callable[[], KnowledgeGraph] | None = None,
    cache_dir: Path | None = None,
    endpoint: str | None = None,
    allow_remote: bool = False,
    allow_update: bool = False,
    timeout: float | None = None,
    window: tuple[int, int] | None = None,
) -> Result:
    """Run a query locally (over `graph()`) or at a remote `endpoint`, serialized for output format `fmt`; with a
    `window` (first row, rows) and a table, only those rows of the answer (see run_window)."""
    results, graph_format = engine_formats(fmt, local=not endpoint)
    engine = None

    def answer(q: Query, b: Mapping, limit: float | None = timeout) -> Result:
        nonlocal engine
        if endpoint:
            from kg.remote import query_endpoint

            return query_endpoint(
                endpoint,
                q,
                bindings=b,
                results=results,
                graph_format=graph_format,
                timeout=limit,
                allow_update=allow_update,
            )
        if engine is None:
            engine = _engine(graph, cache_dir)
        return engine.query(
            q,
            bindings=b,
            prefixes=prefixes(),
            results=results,
            graph_format=graph_format,
            allow_remote=allow_remote,
            timeout=limit,
        )

    if window is None or fmt != "table" or query.form != "SELECT":
        return answer(query.parsed, bindings)
    if query.keys and not endpoint:
        from kg.store import check_timeout, run_with_timeout

        check_timeout(timeout)
        parts = (lambda q, b: answer(q, b, None)) if timeout is not None else answer  # all in one child process
        page = lambda: run_window(query, bindings, *window, parts)  # noqa: E731
        return page() if timeout is None else run_with_timeout(page, timeout or None)
    return _rows_of(answer(query.parsed, bindings), *window)


def _engine(graph: Callable[[], KnowledgeGraph] | None, cache_dir: Path | None):
    """The local engine: over the cached store (a cold process need not load the graph itself), else the graph's."""
    from kg.store import Engine, store_in

    if cache_dir is not None:
        return Engine(store_in(cache_dir))
    if graph is not None:
        return Engine.for_graph(graph())
    raise UsageError("no graph to query")


FIRST_KEYS = 4  # keys in a page's first batch; each next batch has twice as many


def run_window(
    query: NamedQuery,
    bindings: Mapping[str, ox.NamedNode | ox.Literal],
    start: int,
    count: int,
    answer: Callable[[Query, Mapping], Result],
) -> Result:
    """Rows `start` … `start + count` of a sorted SELECT answer (TSV), computed for its first keys only.

    A query whose header has `keys: SELECT … ?k WHERE …` sorts its rows first by what only ?k decides, in the order
    of the keys query's rows sorted by their columns left to right (IRIs by their text, literals by their value, as
    SPARQL orders plain strings); ?k is its last column, and a key without rows is harmless (mechanism-chain: the
    entities the drug reaches, by IRI). The first rows are then the rows of the first keys: the query runs again for
    batches of 4, 8, 16 … keys, bound as a VALUES block, until it has the rows asked for; the answer says whether
    more follow. The keys are sorted here rather than by the engine (its sort reads each string back from disk at
    every comparison). A hub's whole answer takes seconds to compute and sort; its first screen, a fraction of a
    second (bench/run.py measures both)."""
    keys_query = parse(query.keys)
    names = [t.text[1:] for t in keys_query.tokens[: _where(keys_query)] if t.kind == "var"]
    if not names or keys_query.form != "SELECT":
        raise DataError("the keys: query must be a SELECT whose last variable is the key", where=query.name)
    name = names[-1]
    keys = _sorted_keys(_tsv_lines(answer(keys_query, bindings).data)[1:])
    need, done, size = start + count, 0, FIRST_KEYS
    header, lines = "", []
    while done < len(keys) and len(lines) < need:
        batch = tuple(_key_term(k) for k in keys[done : done + size])
        got = _tsv_lines(answer(query.parsed, {**bindings, name: batch}).data)
        header, lines = got[0], lines + got[1:]
        done, size = done + size, size * 2
    if not header:  # no key: the query has no rows
        header = _tsv_lines(answer(query.parsed, {**bindings, name: ()}).data)[0]
    data = "".join(f"{line}\n" for line in [header, *lines[start:need]]).encode()
    return Result("select", data, "tsv", start=start, more=len(lines) > need or done < len(keys))


def _where(query: Query) -> int:
    """Index of the token that opens the WHERE group of a SELECT (its projection comes before)."""
    for i, t in enumerate(query.tokens):
        if t.upper == "WHERE" or t.text == "{":
            return i
    return len(query.tokens)


def _sorted_keys(lines: list[str]) -> list[str]:
    """The last cells of TSV rows, the rows sorted by their cells left to right as SPARQL orders IRIs and plain
    strings (by their text, in code point order). Grouped a column at a time and the last column sorted as plain
    strings, so that 100k keys sort in a tenth of a second (tuples of long strings took half a second)."""
    return _sort_rows([line.split("\t") for line in lines]) if lines else []


def _sort_rows(rows: list[list[str]]) -> list[str]:
    if len(rows[0]) == 1:
        cells = [r[0] for r in rows]
        if all(c[:1] == "<" for c in cells):  # IRIs, sorted by their text
            return [f"<{c}>" for c in sorted(c[1:-1] for c in cells)]
        return [raw for _, raw in sorted((_plain(c), c) for c in cells)]
    groups: dict[str, list[list[str]]] = {}
    for r in rows:
        groups.setdefault(r[0], []).append(r[1:])
    return [key for first in sorted(groups, key=_plain) for key in _sort_rows(groups[first])]


def _plain(cell: str) -> str:
    """A TSV term as the text SPARQL sorts it by: an IRI's own text, a literal's value."""
    return cell[1:-1] if cell.startswith("<") else _tsv_cell(cell)


def _rows_of(result: Result, start: int, count: int) -> Result:
    """Rows `start` … `start + count` of a whole SELECT answer (TSV or SPARQL JSON), with its number of rows."""
    if result.format == "tsv":
        lines = _tsv_lines(result.data)
        data = "".join(f"{line}\n" for line in [lines[0], *lines[1 + start : 1 + start + count]]).encode()
        return Result("select", data, "tsv", start=start, total=len(lines) - 1)
    doc = json.loads(result.data)
    bindings = doc["results"]["bindings"]
    doc["results"]["bindings"] = bindings[start : start + count]
    return Result("select", json.dumps(doc).encode(), "json", start=start, total=len(bindings))


def _tsv_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    return (text[:-1] if text.endswith("\n") else text).split("\n")


def _key_term(text: str) -> ox.NamedNode | ox.Literal:
    """A key as the engine's TSV writes it (an IRI or a literal in Turtle syntax), as an RDF term."""
    import pyoxigraph as ox

    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    return _literal(text)
