"""Turn the validated dataset and the ontology into one deterministic RDF graph, cached by input hash."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from kg import resources
from kg.errors import DataError, ValidationError
from kg.graph import KnowledgeGraph
from kg.load import data_files, load_dataset
from kg.model import Dataset, Statement, Vocabulary
from kg.validate import check_dataset
from kg.vocab import ENT, MK, RDF, RDFS, SKOS, SRC, STMT, curie_to_iri, load_vocabulary, ontology_files

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
BIOLINK = "https://w3id.org/biolink/vocab/"
CACHE_FORMAT = "3"  # bump when the cache layout changes
KEEP_CACHES = 6

# Modules whose code decides what a build produces: a change to any of them invalidates the cache.
_BUILD_CODE = ("model.py", "load.py", "validate.py", "vocab.py", "build.py", "graph.py")


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, datatype: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"^^<{datatype}>' if datatype else f'"{esc}"'


def _dec(x: float) -> str:
    d = Decimal(str(x)).normalize()
    text = format(d, "f")
    return _lit(text, XSD + "decimal")


def _date(value: str) -> str:
    kinds = {10: "date", 7: "gYearMonth", 4: "gYear"}
    kind = kinds.get(len(value))
    return _lit(value, XSD + kind) if kind else _lit(value)


def statement_iri(sid: str) -> str:
    """The IRI of a statement node."""
    return STMT + sid


def entity_iri(key: str) -> str:
    """The IRI of an entity in our namespace."""
    return ENT + key


def _entity_triples(data: Dataset, vocab: Vocabulary) -> Iterator[tuple[str, str, str]]:
    a = _iri(RDF + "type")
    for ent in data.entities.values():
        s = _iri(entity_iri(ent.key))
        for cls in vocab.class_ancestors(ent.type):
            yield s, a, _iri(MK + cls)
        category = vocab.classes[ent.type].category
        yield s, _iri(BIOLINK + "category"), _iri(BIOLINK + category.split(":", 1)[1])
        yield s, _iri(RDFS + "label"), _lit(ent.label)
        for syn in ent.synonyms:
            yield s, _iri(SKOS + "altLabel"), _lit(syn)
        if ent.definition:
            yield s, _iri(SKOS + "definition"), _lit(ent.definition)
        for x in ent.xrefs:
            target = curie_to_iri(x.curie)
            if target:
                yield s, _iri(SKOS + ("exactMatch" if x.match == "exact" else "closeMatch")), _iri(target)
            yield s, _iri(OIO + "hasDbXref"), _lit(x.curie)
            if x.checked:
                yield s, _iri(MK + "idCheck"), _lit(f"{x.curie}: {x.checked}")


def _statement_triples(st: Statement, vocab: Vocabulary) -> Iterator[tuple[str, str, str]]:
    pred = vocab.predicates[st.predicate]
    subj, obj = _iri(entity_iri(st.subject)), _iri(entity_iri(st.object))
    if st.status != "negated":  # a negated claim says the relation does not hold: no direct triple
        for p in vocab.predicate_ancestors(st.predicate):
            yield subj, _iri(MK + p), obj
        if pred.inverse:
            yield obj, _iri(MK + pred.inverse), subj
    n = _iri(statement_iri(st.id))
    a = _iri(RDF + "type")
    yield n, a, _iri(RDF + "Statement")
    yield n, a, _iri(MK + "Statement")
    yield n, _iri(RDF + "subject"), subj
    yield n, _iri(RDF + "predicate"), _iri(MK + st.predicate)
    yield n, _iri(RDF + "object"), obj
    yield n, _iri(MK + "signValue"), _lit(str(pred.sign), XSD + "integer")
    yield n, _iri(MK + "relationKind"), _iri(MK + pred.kind.capitalize())
    yield n, _iri(MK + "status"), _iri(MK + st.status.capitalize())
    yield n, _iri(DCT + "identifier"), _lit(st.id)
    if st.note:
        yield n, _iri(RDFS + "comment"), _lit(st.note)
    for other in st.conflicts_with:
        yield n, _iri(MK + "conflictsWith"), _iri(statement_iri(other))
        yield _iri(statement_iri(other)), _iri(MK + "conflictsWith"), n
    for i, ev in enumerate(st.evidence, 1):
        e = _iri(f"{statement_iri(st.id)}/evidence/{i}")
        src = _iri(SRC + ev.source)
        yield n, _iri(MK + "evidence"), e
        yield n, _iri(PROV + "wasDerivedFrom"), src
        yield e, a, _iri(MK + "Evidence")
        yield e, a, _iri(PROV + "Entity")
        yield e, _iri(MK + "quote"), _lit(ev.quote)
        yield e, _iri(DCT + "source"), src
    for q in st.qualifiers:
        qn = _iri(f"{statement_iri(st.id)}/{q.name}")
        yield n, _iri(MK + "qualifier"), qn
        yield qn, a, _iri(MK + "Qualifier")
        yield qn, _iri(MK + "qualifierType"), _lit(q.name)
        if q.entity:
            yield qn, _iri(MK + "location"), _iri(entity_iri(q.entity))
        for field, value in (("value", q.value), ("minValue", q.min), ("maxValue", q.max)):
            if value is not None:
                yield qn, _iri(MK + field), _dec(value)
        if q.unit:
            yield qn, _iri(MK + "unit"), _lit(q.unit)
        if q.text:
            yield qn, _iri(MK + "text"), _lit(q.text)
        if q.approximate:
            yield qn, _iri(MK + "approximate"), _lit("true", XSD + "boolean")


def _source_triples(data: Dataset) -> Iterator[tuple[str, str, str]]:
    a = _iri(RDF + "type")
    for src in data.sources.values():
        s = _iri(SRC + src.key)
        yield s, a, _iri(MK + "Source")
        yield s, a, _iri(PROV + "Entity")
        yield s, _iri(DCT + "title"), _lit(src.title)
        yield s, _iri(DCT + "type"), _lit(src.kind)
        yield s, _iri(MK + "corpusFile"), _lit(src.file)
        if src.date:
            yield s, _iri(DCT + "date"), _date(src.date)


def _ontology_lines(directory: Path | None) -> Iterator[str]:
    import pyoxigraph as ox

    for path in ontology_files(directory):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            yield f"{triple} ."


def rdf_lines(data: Dataset, vocab: Vocabulary, ontology: Path | None = None) -> list[str]:
    """All triples of the graph as sorted, unique N-Triples lines (deterministic)."""
    lines: set[str] = set(_ontology_lines(ontology))
    triples: Iterable[tuple[str, str, str]] = _entity_triples(data, vocab)
    lines.update(f"{s} {p} {o} ." for s, p, o in triples)
    lines.update(f"{s} {p} {o} ." for s, p, o in _source_triples(data))
    for st in data.statements.values():
        lines.update(f"{s} {p} {o} ." for s, p, o in _statement_triples(st, vocab))
    return sorted(lines)


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
            h.update(f"\0{tag}\0{path.relative_to(base)}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def build(data_dir: Path, ontology: Path | None = None) -> tuple[KnowledgeGraph, list[str]]:
    """Load, validate and build; raise ValidationError listing every problem, else return graph and lines."""
    vocab = load_vocabulary(ontology)
    data, problems = load_dataset(data_dir)
    problems += check_dataset(data, vocab)
    if problems:
        raise ValidationError(problems)
    return KnowledgeGraph.create(vocab, data), rdf_lines(data, vocab, ontology)


def load_graph(data_dir: Path | None = None, *, rebuild: bool = False) -> KnowledgeGraph:
    """The knowledge graph for `data_dir` (default: the embedded data), built once and then read from cache."""
    data_dir = Path(data_dir) if data_dir else resources.data_dir()
    key = input_hash(data_dir)
    root = resources.cache_root()
    target = root / key
    if not rebuild:
        graph = _read_cache(target)
        if graph is not None:
            return graph
    graph, lines = build(data_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        try:
            (tmp / "graph.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            with open(tmp / "kg.pickle", "wb") as fh:
                pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune(root, keep=target)
    except OSError as exc:
        raise DataError(f"cannot write the cache: {exc.strerror or exc}", where=str(root)) from None
    return _read_cache(target) or graph


def _read_cache(target: Path) -> KnowledgeGraph | None:
    try:
        with open(target / "kg.pickle", "rb") as fh:
            graph = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    if not isinstance(graph, KnowledgeGraph):
        return None
    graph.cache_dir = target
    return graph


def _prune(root: Path, keep: Path) -> None:
    entries = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=os.path.getmtime)
    for old in entries[:-KEEP_CACHES]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
