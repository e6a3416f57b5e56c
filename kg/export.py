"""Write the built graph as Turtle, N-Triples, JSON-LD, GraphML or KGX TSV, atomically."""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.vocab import prefixes

FORMATS = ("ttl", "nt", "jsonld", "graphml", "kgx")
EXTENSIONS = {".ttl": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld", ".graphml": "graphml", ".tsv": "kgx"}


def guess_format(path: str | None, fmt: str | None, default: str = "ttl") -> str:
    """The export format: as given, else from the file extension, else `default`."""
    if fmt:
        return fmt
    if path and path != "-":
        return EXTENSIONS.get(Path(path).suffix.lower(), default)
    return default


def atomic_write(path: str | Path, content: bytes) -> None:
    """Write `content` to `path` (or stdout for '-') so that a reader never sees half a file."""
    if str(path) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", where=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ntriples(graph: KnowledgeGraph) -> str:
    """The graph as sorted N-Triples: the canonical, byte-stable form every export starts from."""
    if graph.cache_dir and (graph.cache_dir / "graph.nt").is_file():
        lines = sorted((graph.cache_dir / "graph.nt").read_text(encoding="utf-8").splitlines())
    else:
        from kg.build import rdf_lines

        lines = rdf_lines(graph.data, graph.vocab)
    return "\n".join(lines) + "\n"


def _rdf(graph: KnowledgeGraph, fmt: str) -> bytes:
    import pyoxigraph as ox

    nt = ntriples(graph)
    if fmt == "nt":
        return nt.encode()
    triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    target = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    return ox.serialize(triples, format=target, prefixes=prefixes())


def _graphml(graph: KnowledgeGraph) -> bytes:
    import networkx as nx

    g = nx.MultiDiGraph()
    for ent in graph.entities.values():
        g.add_node(
            ent.key,
            label=ent.label,
            type=ent.type,
            category=graph.vocab.classes[ent.type].category,
            ids="|".join(x.curie for x in ent.xrefs),
            synonyms="|".join(ent.synonyms),
            definition=ent.definition,
        )
    for st in graph.statements.values():
        pred = graph.vocab.predicates[st.predicate]
        g.add_edge(
            st.subject,
            st.object,
            key=st.id,
            predicate=st.predicate,
            sign=pred.sign,
            kind=pred.kind,
            status=st.status,
            note=st.note,
            sources="|".join(st.sources),
            quotes=" | ".join(e.quote for e in st.evidence),
            qualifiers="; ".join(q.display() for q in st.qualifiers),
        )
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue()


def kgx_tables(graph: KnowledgeGraph) -> tuple[str, str]:
    """KGX TSV nodes and edges with Biolink categories, predicates and provenance fields."""
    classes, preds, sources = graph.vocab.classes, graph.vocab.predicates, graph.data.sources

    def table(header: list[str], rows: list[list[str]]) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)
        return buf.getvalue()

    def category_chain(cls: str) -> str:
        return "|".join(dict.fromkeys(classes[c].category for c in graph.vocab.class_ancestors(cls)))

    nodes = [
        [
            f"ent:{e.key}",
            category_chain(e.type),
            e.label,
            e.definition,
            "|".join(x.curie for x in e.xrefs),
            "|".join(e.synonyms),
            "infores:mechkg",
        ]
        for e in graph.entities.values()
    ]
    edges = []
    for st in graph.statements.values():
        pred = preds[st.predicate]
        edges.append(
            [
                f"stmt:{st.id}",
                f"ent:{st.subject}",
                pred.biolink,
                f"ent:{st.object}",
                f"mk:{st.predicate}",
                str(pred.sign),
                pred.kind,
                st.status,
                "true" if st.status == "negated" else "false",
                "|".join(f"{sources[s].title} ({sources[s].file})" for s in st.sources),
                "|".join(e.quote for e in st.evidence),
                "; ".join(q.display() for q in st.qualifiers),
                st.note,
                "infores:mechkg",
                "manual_agent",
                "knowledge_assertion",
            ]
        )
    return (
        table(["id", "category", "name", "description", "xref", "synonym", "provided_by"], nodes),
        table(
            [
                "id",
                "subject",
                "predicate",
                "object",
                "original_predicate",
                "sign",
                "relation_kind",
                "status",
                "negated",
                "publications",
                "supporting_text",
                "qualifiers",
                "curator_note",
                "primary_knowledge_source",
                "agent_type",
                "knowledge_level",
            ],
            edges,
        ),
    )


def _kgx_paths(output: str) -> tuple[Path, Path]:
    out = Path(output)
    if out.is_dir():
        return out / "nodes.tsv", out / "edges.tsv"
    stem = str(out)[: -len(".tsv")] if str(out).endswith(".tsv") else str(out)
    stem = stem.removesuffix("_nodes").removesuffix("_edges")
    return Path(f"{stem}_nodes.tsv"), Path(f"{stem}_edges.tsv")


WRITERS: dict[str, Callable[[KnowledgeGraph], bytes]] = {
    "ttl": lambda g: _rdf(g, "ttl"),
    "nt": lambda g: _rdf(g, "nt"),
    "jsonld": lambda g: _rdf(g, "jsonld"),
    "graphml": _graphml,
}


def export(graph: KnowledgeGraph, fmt: str, output: str = "-") -> list[str]:
    """Write the graph in `fmt` to `output`; return the paths written ('-' for stdout)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if fmt == "kgx":
        if output == "-":
            raise UsageError("KGX export writes two files (nodes and edges): give -o PREFIX or -o DIRECTORY")
        nodes, edges = kgx_tables(graph)
        paths = _kgx_paths(output)
        for path, text in zip(paths, (nodes, edges), strict=True):
            atomic_write(path, text.encode())
        return [str(p) for p in paths]
    atomic_write(output, WRITERS[fmt](graph))
    return [output]
