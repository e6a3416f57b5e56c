"""Write the built graph as Turtle, N-Triples, JSON-LD, GraphML or KGX TSV, atomically."""

from __future__ import annotations

import bisect
import contextlib
import io
import itertools
import os
import re
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.errors import OutputError, UsageError
from kg.graph import KnowledgeGraph
from kg.model import QUALIFIERS
from kg.osutil import is_input, locked_temporary, remove_orphans, unwinding_signals
from kg.vocab import ENT, MK, SRC, STMT, prefixes

RDF_FORMATS = ("ttl", "nt", "jsonld")
FORMATS = (*RDF_FORMATS, "graphml", "kgx")
EXTENSIONS = {".ttl": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld", ".graphml": "graphml", ".tsv": "kgx"}


def guess_format(path: str | None, fmt: str | None, default: str = "ttl") -> str:
    """The export format: as given, else from the file extension, else `default` when there is none; an
    extension that names no format is refused (never silently written as Turtle)."""
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower() if path and path != "-" else ""
    if suffix and suffix not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise UsageError(f"cannot tell the format from '{suffix}': use one of {known}, or give -f", where=path)
    return EXTENSIONS.get(suffix, default)


def output_target(path: str | Path) -> tuple[Path, bool]:
    """Where an output named `path` goes once symlinks are followed, and whether that is a regular file (or a new
    one); UsageError for an empty name, a directory, or a file this run reads."""
    text = str(path)
    if not text.strip():
        raise UsageError("the output file name is empty; give a file name, or - for standard output")
    real = Path(os.path.realpath(text))  # a symlink is followed, never replaced (a dangling one: its target)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real, True
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot write: {getattr(exc, 'strerror', None) or exc}", where=text) from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError("is a directory; give a file name", where=text)
    if is_input(real):
        raise UsageError("is an input of this command; write the output to another file", where=text)
    return real, stat.S_ISREG(st.st_mode)


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write `path` through (stdout for '-'), never half-written and never clobbering: a regular file
    appears whole when the block ends (a locked temporary renamed over it) or not at all; a device, pipe or socket is
    written in place; a symlink is followed; a directory, an empty name or an input of this run is refused (exit 2);
    a failure to write (a full disk, /dev/full) is an error (exit 1), and temporaries go on every signal."""
    if str(path) == "-":
        out = sys.stdout.buffer
        try:
            yield out
            out.flush()
        except BrokenPipeError:  # the reader stopped early (`| head`): not an error, and nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(0) from None
        except OSError as exc:
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return
    target, regular = output_target(path)
    if not regular:
        yield from _in_place(target, str(path))
        return
    remove_orphans(target.parent)  # temporaries of runs killed outright (SIGKILL) before they could clean up
    with unwinding_signals():
        fh, tmp = None, None
        try:
            try:
                fd, tmp = locked_temporary(target.parent, target.name)
            except OSError as exc:
                raise UsageError(f"cannot write: {exc.strerror or exc}", where=str(path)) from None
            fh = os.fdopen(fd, "wb")  # the lock lasts while it is open: until the file is in place
            try:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
                os.chmod(tmp, _mode(target))
                os.replace(tmp, target)
            except OSError as exc:
                raise OutputError(f"cannot write: {exc.strerror or exc}", where=str(path)) from None
        except BaseException:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            else:  # stopped while the temporary was being made: it is not locked yet, so it is taken for an orphan
                remove_orphans(target.parent)
            raise
        finally:
            if fh is not None:
                with contextlib.suppress(OSError):
                    fh.close()


def _in_place(target: Path, name: str) -> Iterator[BinaryIO]:
    """Write a device, named pipe or socket where it is (a pipe waits for its reader, as the shell's > does)."""
    try:
        fh = open(target, "wb")  # noqa: SIM115 (closed below, where its errors are reported)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", where=name) from None
    try:
        with unwinding_signals():
            yield fh
            fh.close()
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", where=name) from None
    finally:
        with contextlib.suppress(OSError):
            fh.close()


def _mode(target: Path) -> int:
    """The permissions of the file being replaced, or the default ones of a new file."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | Path, content: bytes) -> None:
    """Write `content` to `path` (or stdout for '-') so that a reader never sees half a file."""
    with atomic_file(path) as fh:
        fh.write(content)


def ntriples(graph: KnowledgeGraph) -> str:
    """The graph as sorted N-Triples: the canonical, byte-stable form every export starts from."""
    return b"".join(_sorted_ntriples(graph)).decode("utf-8")


def ntriples_file(graph: KnowledgeGraph | Path) -> Path | None:
    """The build's N-Triples file (unsorted, one triple per line) of a graph or a cache directory, if there is one,
    its content checked against the build's manifest (a damaged build is rebuilt first)."""
    from kg.build import read_manifest, verified_file

    directory = graph if isinstance(graph, Path) else graph.cache_dir
    if directory is None or not ((directory / "graph.nt").is_file() or read_manifest(directory)):
        return None
    return verified_file(directory, "graph.nt")


RUN_BYTES = 64 << 20  # N-Triples sorted in memory at once; a larger graph is sorted in runs on disk and merged


def _sorted_ntriples(graph: KnowledgeGraph | Path, chunk: int = 20_000, run_bytes: int = RUN_BYTES) -> Iterator[bytes]:
    """The sorted N-Triples in chunks of lines. A graph over `run_bytes` is sorted in runs spilled to temporary
    files and merged, so memory stays bounded however large the graph (an external sort, as sort(1) does)."""
    with contextlib.ExitStack() as stack:
        runs: list[BinaryIO] = []
        batch: list[bytes] = []
        size = 0
        for line in _ntriples_lines(graph):
            batch.append(line)
            size += len(line)
            if size >= run_bytes:
                runs.append(_spill(batch, stack))
                batch, size = [], 0
        batch.sort()
        if not runs:
            for i in range(0, len(batch), chunk):
                yield b"".join(batch[i : i + chunk])
            return
        runs.append(iter(batch))
        for block in _merged(runs, chunk):
            yield b"".join(block)


def _ntriples_lines(graph: KnowledgeGraph | Path) -> Iterator[bytes]:
    if path := ntriples_file(graph):
        with open(path, "rb") as fh:
            for line in fh:
                yield line if line.endswith(b"\n") else line + b"\n"
    else:
        from kg.rdf import iter_rdf_lines

        for line in iter_rdf_lines(graph.data, graph.vocab):
            yield f"{line}\n".encode()


def _merged(runs: list, block: int) -> Iterator[list[bytes]]:
    """Merge sorted runs a block at a time: every buffered line up to the smallest of the buffers' last lines can
    go out, sorted together by one C sort of a few sorted pieces (far cheaper than heapq.merge line by line)."""
    buffers = [list(itertools.islice(run, block)) for run in runs]
    while live := [i for i, buf in enumerate(buffers) if buf]:
        bound = min(buffers[i][-1] for i in live)
        out: list[bytes] = []
        for i in live:
            buf = buffers[i]
            k = bisect.bisect_right(buf, bound)
            out += buf[:k]
            buffers[i] = buf[k:] or list(itertools.islice(runs[i], block))
        out.sort()
        yield out


def _spill(batch: list[bytes], stack: contextlib.ExitStack) -> BinaryIO:
    """Sort `batch` into a temporary file removed when `stack` closes; return it rewound for reading."""
    batch.sort()
    run = stack.enter_context(tempfile.TemporaryFile(prefix="kg-sort-"))  # noqa: SIM115 (the stack closes it)
    run.writelines(batch)
    run.seek(0)
    return run


class _ChunkReader(io.RawIOBase):
    """A readable stream over an iterator of byte chunks, for a parser that wants a file."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._left = chunks, memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = memoryview(chunk)
        n = min(len(buffer), len(self._left))
        buffer[:n], self._left = self._left[:n], self._left[n:]
        return n


def _write_rdf(graph: KnowledgeGraph | Path, fmt: str, out: BinaryIO) -> None:
    """Stream the sorted N-Triples to `out` as they are, through pyoxigraph's Turtle writer, or as JSON-LD."""
    import pyoxigraph as ox

    chunks = _sorted_ntriples(graph)
    if fmt == "nt":
        out.writelines(chunks)
        return
    triples = ox.parse(io.BufferedReader(_ChunkReader(chunks)), format=ox.RdfFormat.N_TRIPLES)
    if fmt == "jsonld":
        _write_jsonld(triples, out)
    else:
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes())


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_GEN_DELIMS = tuple(":/?#[]@")


def jsonld_context() -> dict:
    """The project's prefix map (ontology/context.jsonld) as a JSON-LD 1.1 context: a prefix whose namespace
    does not end in / or # (CHEBI: → …/CHEBI_) is marked "@prefix": true, without which JSON-LD 1.1 would not
    expand CHEBI:6121."""
    context: dict = {"@version": 1.1}
    for prefix, ns in prefixes().items():
        context[prefix] = ns if ns.endswith(_GEN_DELIMS) else {"@id": ns, "@prefix": True}
    return context


def _write_jsonld(triples, out: BinaryIO) -> None:
    """Compacted JSON-LD: the project context, then one node object per subject with CURIEs for IRIs.

    The triples arrive sorted, so each subject's (and each property's) triples are consecutive: nodes are
    written as they complete, in bounded memory, and the output is byte-stable."""
    import json

    import pyoxigraph as ox

    from kg.vocab import iri_to_curie

    def iri(value: str) -> str:
        curie = iri_to_curie(value)
        return curie if curie != value and not curie.split(":", 1)[1].startswith("//") else value

    def node_id(term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else iri(term.value)

    def value(term):
        if not isinstance(term, ox.Literal):
            return {"@id": node_id(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": iri(term.datatype.value)}

    def node(subject, props: dict) -> bytes:
        obj: dict = {"@id": node_id(subject)}
        for pred, values in props.items():
            if pred == RDF_TYPE and all(isinstance(v, ox.NamedNode) for v in values):
                obj["@type"] = [iri(v.value) for v in values]
            else:
                obj[iri(pred)] = [value(v) for v in values]
        return json.dumps(obj, ensure_ascii=False).encode()

    def nodes() -> Iterator[bytes]:
        subject, props = None, {}
        for t in triples:
            if t.subject != subject:
                if subject is not None:
                    yield node(subject, props)
                subject, props = t.subject, {}
            props.setdefault(t.predicate.value, []).append(t.object)
        if subject is not None:
            yield node(subject, props)

    out.write(b'{"@context": ' + json.dumps(jsonld_context()).encode() + b',\n"@graph": [\n')
    for i, text in enumerate(nodes()):
        out.write(b",\n" + text if i else text)
    out.write(b"\n]}\n")


LIST_SEPARATOR = "|"  # between the values of a list attribute, in GraphML and KGX alike
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]|[\ud800-\udfff]")


def clean(text: str) -> str:
    """One line of text that no format can mistake: control characters (tabs, newlines, others XML 1.0 cannot
    hold) become spaces, and the list separator | becomes ¦ so that a value is never split into two."""
    return _CONTROL.sub(" ", text).replace(LIST_SEPARATOR, "¦")


def joined(values) -> str:
    """Cleaned values joined by the list separator, each once, in order."""
    return LIST_SEPARATOR.join(dict.fromkeys(clean(v) for v in values if v))


GRAPHML_NODE_KEYS = {
    "name": "string", "type": "string", "category": "string", "ids": "string", "synonyms": "string",
    "definition": "string", "iri": "string",
}  # fmt: skip
GRAPHML_EDGE_KEYS = {
    "name": "string", "interaction": "string", "biolink_predicate": "string", "sign": "int", "kind": "string",
    "status": "string", "negated": "boolean", "note": "string", "sources": "string", "source_count": "int",
    "quotes": "string", "qualifiers": "string", "iri": "string",
}  # fmt: skip


def _graphml(graph: KnowledgeGraph) -> bytes:
    """GraphML as Cytoscape and Gephi read it: `name` on nodes and edges, `interaction` (the predicate) on
    edges, lists joined by |, sign as an integer, negated as a boolean, every text free of control characters.
    Written directly (networkx's writer took 23 s and 1.2 GB at 100k statements)."""
    from xml.sax.saxutils import escape, quoteattr

    def data(prefix: str, values: dict) -> str:
        return "".join(
            f'<data key="{prefix}{k}">{str(v).lower() if isinstance(v, bool) else escape(str(v))}</data>'
            for k, v in values.items()
        )

    ents, preds = graph.entities, graph.vocab.predicates
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/'
        'xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    ]
    for prefix, where, keys in (("n_", "node", GRAPHML_NODE_KEYS), ("e_", "edge", GRAPHML_EDGE_KEYS)):
        out += [f'<key id="{prefix}{k}" for="{where}" attr.name="{k}" attr.type="{t}"/>\n' for k, t in keys.items()]
    out.append('<graph edgedefault="directed">\n')
    for ent in ents.values():
        values = {
            "name": clean(ent.label),
            "type": ent.type,
            "category": graph.vocab.classes[ent.type].category,
            "ids": joined(x.curie for x in ent.xrefs),
            "synonyms": joined(ent.synonyms),
            "definition": clean(ent.definition),
            "iri": ENT + ent.key,
        }
        out.append(f"<node id={quoteattr(ent.key)}>{data('n_', values)}</node>\n")
    for st in graph.statements.values():
        pred = preds[st.predicate]
        values = {
            "name": clean(f"{ents[st.subject].label} ({st.predicate}) {ents[st.object].label}"),
            "interaction": st.predicate,
            "biolink_predicate": pred.biolink,
            "sign": pred.sign,
            "kind": pred.kind,
            "status": st.status,
            "negated": st.status == "negated",
            "note": clean(st.note),
            "sources": joined(st.sources),
            "source_count": len(st.sources),
            "quotes": joined(e.quote for e in st.evidence),
            "qualifiers": joined(q.display() for q in st.qualifiers),
            "iri": STMT + st.id,
        }
        ends = f"id={quoteattr(st.id)} source={quoteattr(st.subject)} target={quoteattr(st.object)}"
        out.append(f"<edge {ends}>{data('e_', values)}</edge>\n")
    out.append("</graph>\n</graphml>\n")
    return "".join(out).encode("utf-8")


KGX_PREFIX = "MECHKG"  # node ids of entities without a standard identifier: MECHKG:<key>, expands to ENT + key
KGX_SOURCE = "infores:mechkg"
KGX_NODE_COLUMNS = ("id", "category", "name", "description", "xref", "synonym", "provided_by", "mechkg_close_match")
KGX_EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "qualified_predicate",
    "object_aspect_qualifier",
    "object_direction_qualifier",
    "anatomical_context_qualifier",
    "negated",
    "publications",
    "supporting_text",
    "has_percentage",
    "primary_knowledge_source",
    "knowledge_level",
    "agent_type",
    "original_predicate",
    # mechkg's own columns, beside the Biolink slots (named mechkg_*, so they never meet a Biolink name)
    "mechkg_supporting_text_publication",  # the document of each supporting_text entry, in the same order
    "mechkg_sign",
    "mechkg_relation_kind",
    "mechkg_status",
    "mechkg_curator_note",
    *(f"mechkg_{q}" for q in QUALIFIERS if q != "location"),  # qualifiers Biolink has no slot for, as text
)


def kgx_node_ids(graph: KnowledgeGraph) -> dict[str, str]:
    """Each entity's KGX node id: its exact standard CURIE where it has one that no other entity shares, else
    MECHKG:<key>."""
    first = {key: next((x.curie for x in e.xrefs if x.match == "exact"), None) for key, e in graph.entities.items()}
    taken = Counter(c for c in first.values() if c)
    return {key: c if c and taken[c] == 1 else f"{KGX_PREFIX}:{key}" for key, c in first.items()}


def kgx_tables(graph: KnowledgeGraph) -> tuple[str, str]:
    """KGX TSV nodes and edges as kgx reads them: Biolink 4 categories, predicates with direction qualifiers,
    registered prefixes, publications as IRIs, empty cells for false and for nothing (kgx reads 'false' as
    true), no quoting (kgx reads TSV with quoting off), and no tab, newline or | inside a value."""
    classes, preds, ents = graph.vocab.classes, graph.vocab.predicates, graph.entities
    ids = kgx_node_ids(graph)

    def table(columns: tuple[str, ...], rows: list[dict]) -> str:
        lines = ["\t".join(columns)]
        lines += ["\t".join(str(row.get(c, "")) for c in columns) for row in rows]
        return "\n".join(lines) + "\n"

    nodes = []
    for key, e in ents.items():
        exact = [x.curie for x in e.xrefs if x.match == "exact"]
        nodes.append(
            {
                "id": ids[key],
                "category": joined(classes[c].category for c in graph.vocab.class_ancestors(e.type)),
                "name": clean(e.label),
                "description": clean(e.definition),
                "xref": joined(c for c in [*exact, f"{KGX_PREFIX}:{key}"] if c != ids[key]),  # the same entity
                "synonym": joined(e.synonyms),
                "provided_by": KGX_SOURCE,
                "mechkg_close_match": joined(x.curie for x in e.xrefs if x.match != "exact"),
            }
        )
    edges = []
    for st in graph.statements.values():
        pred = preds[st.predicate]
        signed_causal = pred.kind == "causal" and pred.sign != 0
        affects = pred.biolink == "biolink:affects" and signed_causal
        target = ents[st.object].type
        row = {
            "id": STMT + st.id,
            "subject": ids[st.subject],
            "predicate": pred.biolink,
            "object": ids[st.object],
            "qualified_predicate": "biolink:causes" if affects else "",
            "object_aspect_qualifier": "activity_or_abundance"
            if affects and any(graph.vocab.is_a(target, c) for c in ("ChemicalEntity", "Receptor"))
            else "",
            "object_direction_qualifier": ("increased" if pred.sign > 0 else "decreased") if signed_causal else "",
            "anatomical_context_qualifier": joined(ids[q.entity] for q in st.qualifiers if q.entity in ids),
            "negated": "True" if st.status == "negated" else "",
            "publications": joined(SRC + s for s in st.sources),
            "supporting_text": LIST_SEPARATOR.join(clean(e.quote) for e in st.evidence),
            "mechkg_supporting_text_publication": LIST_SEPARATOR.join(SRC + e.source for e in st.evidence),
            "primary_knowledge_source": KGX_SOURCE,
            "knowledge_level": "logical_entailment" if st.status == "inferred" else "knowledge_assertion",
            "agent_type": "manual_agent",
            "original_predicate": MK + st.predicate,
            "mechkg_sign": pred.sign,
            "mechkg_relation_kind": pred.kind,
            "mechkg_status": st.status,
            "mechkg_curator_note": clean(st.note),
        }
        for q in st.qualifiers:
            if q.name == "prevalence" and q.unit == "percent" and q.value is not None:
                row["has_percentage"] = f"{q.value:g}"
            if q.name != "location":
                row[f"mechkg_{q.name}"] = clean(q.display().split(": ", 1)[1])
        edges.append(row)
    return table(KGX_NODE_COLUMNS, nodes), table(KGX_EDGE_COLUMNS, edges)


def _kgx_paths(output: str) -> tuple[Path, Path]:
    out = Path(output)
    if out.is_dir():
        return out / "nodes.tsv", out / "edges.tsv"
    stem = str(out)[: -len(".tsv")] if str(out).endswith(".tsv") else str(out)
    stem = stem.removesuffix("_nodes").removesuffix("_edges")
    return Path(f"{stem}_nodes.tsv"), Path(f"{stem}_edges.tsv")


def export(graph: KnowledgeGraph | Path, fmt: str, output: str = "-") -> list[str]:
    """Write the graph in `fmt` to `output`; return the paths written ('-' for stdout).

    For the RDF formats `graph` may be a build's cache directory (kg.build.cached_dir): its N-Triples are
    streamed without loading the graph (at 100k statements: 0.6 s and 120 MB less)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if isinstance(graph, Path) and (fmt not in RDF_FORMATS or not ntriples_file(graph)):
        raise TypeError(f"exporting {fmt} from a cache directory needs its graph.nt and an RDF format")
    if fmt == "kgx":
        if output == "-":
            raise UsageError("KGX export writes two files (nodes and edges): give -o PREFIX or -o DIRECTORY")
        nodes, edges = kgx_tables(graph)
        paths = _kgx_paths(output)
        for path, text in zip(paths, (nodes, edges), strict=True):
            atomic_write(path, text.encode())
        return [str(p) for p in paths]
    if fmt == "graphml":
        atomic_write(output, _graphml(graph))
    else:
        with atomic_file(output) as out:
            _write_rdf(graph, fmt, out)
    return [output]
